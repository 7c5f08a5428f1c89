"""The application layer: one function per use case, each one unit of work.

::

    facades/      Setup · Documents · Items · Sessions · Register · Accounts · Audit · Public ·
                  Reports · Staff · Timers · Campaigns
      │
    sweep, queries, registry,          the scheduler's sweep; reads; the register's reads;
    campaign_report, reports           the campaign review; the kinds of report
      │
    commands/     items · lists · ballots · sessions · objections · confirmations · decisions ·
                  campaigns
      │
    moves         the one place an item changes state: a queue of steps, never recursion
      │
    lifecycle/    one behaviour per kind of state: enter · exit · view
      │
    present       plain-data shapes           access    every permission rule
      │
    base          dependencies, the acting person, item loading, guard facts

Imports point down only (import-linter holds it). Entry points use :class:`Service` and its
facades; nothing outside this package touches :class:`~workflow.service.base.Deps`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from workflow.clock import Clock
from workflow.definitions import Definitions
from workflow.service.base import PUBLIC, SYSTEM, Actor, Deps
from workflow.service.printing import printer_observer

if TYPE_CHECKING:
    from workflow.service.facades.accounts import Accounts
    from workflow.service.facades.audit import Audit
    from workflow.service.facades.campaigns import Campaigns
    from workflow.service.facades.documents import Documents
    from workflow.service.facades.items import Items
    from workflow.service.facades.public import Public
    from workflow.service.facades.register import Register
    from workflow.service.facades.reports import Reports
    from workflow.service.facades.sessions import Sessions
    from workflow.service.facades.setup import Setup
    from workflow.service.facades.staff import Staff
    from workflow.service.facades.timers import Timers

__all__ = ["PUBLIC", "SYSTEM", "Actor", "Deps", "Service"]


class Service:
    """The engine as its callers see it, one facade per audience; a context manager that
    closes the store's connections.

    Each facade is made (and its module imported) when first used: a command that shows one
    item does not load the campaigns', reports' or sessions' code."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # each issued document's PDF is made once the unit that issued it has committed
        deps.observers.append(printer_observer(deps))

    @functools.cached_property
    def setup(self) -> Setup:
        from workflow.service.facades.setup import Setup

        return Setup(self.deps)

    @functools.cached_property
    def items(self) -> Items:
        from workflow.service.facades.items import Items

        return Items(self.deps)

    @functools.cached_property
    def sessions(self) -> Sessions:
        from workflow.service.facades.sessions import Sessions

        return Sessions(self.deps)

    @functools.cached_property
    def register(self) -> Register:
        from workflow.service.facades.register import Register

        return Register(self.deps)

    @functools.cached_property
    def accounts(self) -> Accounts:
        from workflow.service.facades.accounts import Accounts

        return Accounts(self.deps)

    @functools.cached_property
    def audit(self) -> Audit:
        from workflow.service.facades.audit import Audit

        return Audit(self.deps)

    @functools.cached_property
    def documents(self) -> Documents:
        from workflow.service.facades.documents import Documents

        return Documents(self.deps)

    @functools.cached_property
    def public(self) -> Public:
        from workflow.service.facades.public import Public

        return Public(self.deps)

    @functools.cached_property
    def reports(self) -> Reports:
        from workflow.service.facades.reports import Reports

        return Reports(self.deps)

    @functools.cached_property
    def staff(self) -> Staff:
        from workflow.service.facades.staff import Staff

        return Staff(self.deps)

    @functools.cached_property
    def timers(self) -> Timers:
        from workflow.service.facades.timers import Timers

        return Timers(self.deps, self.items)

    @functools.cached_property
    def campaigns(self) -> Campaigns:
        from workflow.service.facades.campaigns import Campaigns

        return Campaigns(self.deps)

    @property
    def definitions(self) -> Definitions:
        """The flows, catalogue and calendars this process loaded (read-only)."""
        return self.deps.definitions

    @property
    def clock(self) -> Clock:
        return self.deps.clock

    @property
    def display_tz(self) -> ZoneInfo:
        """The time zone people read times in (the default calendar's)."""
        return self.deps.display_tz

    @property
    def read_only(self) -> bool:
        """Whether the store was opened only to read (a write would fail)."""
        return bool(self.deps.store.read_only)

    @property
    def local(self) -> bool:
        """Whether the store is a file on this machine (SQLite): a short read is a few tens of
        microseconds, with no network in between."""
        return self.deps.store.dialect == "sqlite"

    def observe(self, observer: Callable[[str, dict[str, Any]], None]) -> None:
        """Be told of what each unit of work did once it has committed: ``("moved",
        {"flow", "trigger"})`` for every move (metrics count them)."""
        self.deps.observers.append(observer)

    def close(self) -> None:
        self.deps.store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
