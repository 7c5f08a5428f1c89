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

from collections.abc import Callable
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from workflow.clock import Clock
from workflow.definitions import Definitions
from workflow.service.base import PUBLIC, SYSTEM, Actor, Deps
from workflow.service.facades import (
    Accounts,
    Audit,
    Campaigns,
    Documents,
    Items,
    Public,
    Register,
    Reports,
    Sessions,
    Setup,
    Staff,
    Timers,
)
from workflow.service.printing import printer_observer

__all__ = ["PUBLIC", "SYSTEM", "Actor", "Deps", "Service"]


class Service:
    """The engine as its callers see it, one facade per audience; a context manager that
    closes the store's connections."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # each issued document's PDF is made once the unit that issued it has committed
        deps.observers.append(printer_observer(deps))
        self.setup = Setup(deps)
        self.items = Items(deps)
        self.sessions = Sessions(deps)
        self.register = Register(deps)
        self.accounts = Accounts(deps)
        self.audit = Audit(deps)
        self.documents = Documents(deps)
        self.public = Public(deps)
        self.reports = Reports(deps)
        self.staff = Staff(deps)
        self.timers = Timers(deps, self.items)
        self.campaigns = Campaigns(deps)

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
