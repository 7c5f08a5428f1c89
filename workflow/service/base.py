"""What every use case stands on: dependencies, the acting person, item loading, guard facts.

:class:`Deps` is built once per process by :mod:`workflow.bootstrap`. :meth:`Deps.run` runs
one use case as one unit of work and retries it from the start when the store reports a
transient lock failure (SQLite's stale snapshot, PostgreSQL's serialization failure).

The leaf of the service package: imports nothing else from it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from workflow.calendar import WorkingCalendar
from workflow.catalogue import Facts
from workflow.clock import Clock
from workflow.definitions import Definitions
from workflow.directory import UnitTree
from workflow.documents import Renderer
from workflow.errors import Conflict, Misconfigured, NotFound, Reason
from workflow.flow import FlowSpec, GuardRegistry
from workflow.ids import parse_id
from workflow.keys import KeySource
from workflow.machine import CompiledFlow
from workflow.pdf import Printer
from workflow.store import Busy, NominationRow, Store, Tx

if TYPE_CHECKING:  # smtplib and email load only where mail is sent
    from workflow.mailer import Mailer

__all__ = ["PAGE", "PUBLIC", "SYSTEM", "Actor", "Deps", "ItemContext", "RoutedUp",
           "fields_year", "iso", "load", "nomination_year", "paged", "reads_history",
           "routed_up"]

T = TypeVar("T")
R = TypeVar("R")
MAX_ATTEMPTS = 12
PAGE = 500


@dataclass(frozen=True)
class Actor:
    """Who acts: a person from the directory, the system (timers), or the public."""

    login: str
    system: bool = False

    @property
    def public(self) -> bool:
        return self.login == "public"


SYSTEM = Actor("system", system=True)
PUBLIC = Actor("public")


def iso(instant: datetime | None, tz: ZoneInfo) -> str | None:
    """An instant as ISO 8601 with the local offset of the display time zone."""
    if instant is None:
        return None
    return instant.astimezone(tz).isoformat(timespec="seconds")


@dataclass
class Deps:
    store: Store
    definitions: Definitions
    clock: Clock
    renderer: Renderer
    guards: GuardRegistry
    display_tz: ZoneInfo
    keys: KeySource = field(default_factory=KeySource.from_env)
    #: the email sender (``AWARD_SMTP_URL``), made on first use; None: messages stay queued
    mail: Callable[[], Mailer | None] = lambda: None
    #: makes the PDF of each issued document (``AWARD_PDF``; None when it cannot)
    printer: Printer = field(default_factory=Printer.from_env)
    #: told of what each unit of work did once it has committed (metrics)
    observers: list[Callable[[str, dict[str, Any]], None]] = field(default_factory=list)
    _compiled: dict[str, CompiledFlow] = field(default_factory=dict)
    _tree: tuple[int, UnitTree] | None = None
    _key_checked: bool = False

    def now(self) -> datetime:
        return self.clock.now()

    def iso(self, instant: datetime | None) -> str | None:
        return iso(instant, self.display_tz)

    def run(self, work: Callable[[Tx], T], *, immediate: bool = False) -> T:
        """Run ``work`` in one transaction; retry on transient lock failures. Observers hear
        of what it did once it has committed."""
        seen: list[Tx] = []

        def attempt_work(tx: Tx) -> T:
            seen[:] = [tx]  # the attempt that commits is the last one to start
            return work(tx)

        for attempt in range(MAX_ATTEMPTS):
            try:
                result = self.store.run(attempt_work, immediate=immediate)
            except Busy:
                if attempt == MAX_ATTEMPTS - 1:
                    raise Conflict("the database stayed busy; try again",
                                   msgid="store.busy") from None
                time.sleep(min(0.2, 0.002 * 2**attempt) * (0.5 + random.random()))
                continue
            if self.observers and seen:
                for event, data in seen[0].events:
                    for observer in self.observers:
                        observer(event, data)
            return result
        raise AssertionError("unreachable")

    def key(self, tx: Tx, purpose: str) -> bytes:
        """The subkey for ``purpose``, once this database is known to be used with the same
        installation key: the first process to need a key records its fingerprint, and a
        process with another key is refused (its ballots and sessions would not be readable
        by the others)."""
        if not self._key_checked:
            mine = self.keys.fingerprint()
            stored = tx.meta.setdefault("key_fingerprint", mine)
            if stored != mine:
                raise Misconfigured(
                    f"this database is used with another installation key (fingerprint "
                    f"{stored}; this process has {mine}); give every process the same "
                    f"AWARD_SECRET or AWARD_KEY_FILE", msgid="store.key_mismatch",
                    expected=stored, found=mine)
            self._key_checked = True
        return self.keys.derive(purpose)

    # ---- flows ---------------------------------------------------------------------------

    def compiled(self, tx: Tx, version: str) -> CompiledFlow:
        """The compiled machine of a flow version: from the files, else from the store."""
        machine = self._compiled.get(version)
        if machine is not None:
            return machine
        spec = next((f for f in self.definitions.flows.values() if f.version == version), None)
        if spec is None:
            stored = tx.flows.get(version)
            if stored is None:
                raise NotFound(f"flow version {version[:12]} is not stored",
                               msgid="flow.version_unknown", version=version)
            spec = self.definitions.parse_stored(stored[2], stored[1])
        machine = CompiledFlow(spec, self.guards)
        self._compiled[version] = machine
        return machine

    def calendar(self, flow: FlowSpec) -> WorkingCalendar:
        return self.definitions.calendar(flow.calendar)

    # ---- directory -----------------------------------------------------------------------

    def tree(self, tx: Tx) -> UnitTree:
        generation = tx.directory.generation()
        if self._tree is None or self._tree[0] != generation:
            self._tree = (generation, UnitTree(tx.directory.units()))
        return self._tree[1]

    def resolve(self, tx: Tx, unit_id: str, scope: str) -> str | None:
        """The unit ``scope`` names for an item of ``unit_id`` (see SPEC §3, roles)."""
        if scope == "unit":
            return unit_id  # the nominating unit, checked when the item was created
        return self.tree(tx).resolve(unit_id, scope)


def paged(deps: Deps, fetch: Callable[[Tx, int, int], Sequence[R]], cursor: Callable[[R], int],
          limit: int | None = None) -> Iterator[R]:
    """Rows page by page, one short transaction per page (nothing loads everything):
    ``fetch(tx, after, size)`` returns rows after the cursor value ``after``."""
    after, left = 0, limit
    while left is None or left > 0:
        size = PAGE if left is None else min(PAGE, left)
        rows = deps.run(lambda tx, a=after, n=size: fetch(tx, a, n))  # type: ignore[misc]
        yield from rows
        if len(rows) < size:
            return
        after = cursor(rows[-1])
        if left is not None:
            left -= len(rows)


def load(deps: Deps, tx: Tx, nomination_id: str | int, *, lock: bool = False
         ) -> tuple[NominationRow, CompiledFlow]:
    """The item and the compiled machine of the flow version it pinned; NotFound if none."""
    key = parse_id(nomination_id, "nomination")
    item = tx.items.get(key, lock=lock)
    if item is None:
        raise NotFound(f"no nomination {key}", msgid="item.unknown", id=str(key))
    return item, deps.compiled(tx, item.flow_version)


class ItemContext:
    """The :class:`~workflow.flow.registry.GuardContext` of one item, read lazily."""

    def __init__(self, deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> None:
        self._deps = deps
        self._tx = tx
        self._item = item
        self._flow = flow

    @property
    def fields(self) -> Mapping[str, Any]:
        return self._item.fields

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self._flow.fields.values() if f.required)

    def documents(self) -> set[str]:
        return self._tx.documents.types(self._item.id)

    def open_objections(self) -> int:
        return self._tx.objections.open_count(self._item.id)

    def eligibility(self, award: str) -> Reason | None:
        catalogue = self._deps.definitions.catalogue
        spec = catalogue.get(award)
        if spec is None:
            return Reason("eligible.unknown_award", f"award {award} is not in the catalogue",
                          {"award": award})
        login = self._item.person_login
        unit = self._item.nominee_unit
        if unit:  # a collective nominee: the unit's own grants are its history
            history = tuple(self._tx.grants.unit_history(unit))
        else:
            history = tuple(self._tx.directory.history(login)) if login else ()
        if spec.rule is not None and not login and not unit and reads_history(spec):
            return Reason("eligible.needs_person", f"{award} needs the nominee's history; "
                          "nominate with --person LOGIN", {"award": award})
        facts = Facts(history=catalogue.counted(history), fields=self._item.fields,
                      year=self._year(), kind=self._flow.nominee,
                      leads_cluster=lambda: self._leader(unit or self._item.unit_id) is None)
        reason = spec.check(facts)
        if reason is None:
            return None
        return Reason("eligible.failed", f"{award}: {reason.text}",
                      {"award": award, "reason": reason})

    def _year(self) -> int:
        return nomination_year(self._item, self._deps.calendar(self._flow))

    def registered(self, award: str) -> Reason | None:
        year = self._year()
        campaigns = [c.id for c in self._deps.definitions.campaigns.values()
                     if c.covers(year) and award in c.awards]
        if not campaigns:
            return Reason("registered.no_campaign", f"no emulation campaign for {year} takes "
                          f"registrations for {award}", {"award": award, "year": year})
        login = self._item.person_login
        if self._flow.nominee == "individual" and not login:
            return Reason("registered.needs_person", f"{award} needs the nominee's "
                          "registration: nominate with --person LOGIN", {"award": award})
        found = self._tx.campaigns.find_live(campaigns, award, person=login or None,
                                             unit=self._item.unit_id)
        if found:
            return None
        who = login or self._item.unit_id
        return Reason("registered.missing", f"{who} did not register for {award} in "
                      f"{' or '.join(campaigns)} (đăng ký thi đua)",
                      {"award": award, "year": year, "campaign": campaigns[0]})

    def leads_cluster(self) -> Reason | None:
        return self._leader(self._item.nominee_unit or self._item.unit_id)

    def _leader(self, unit: str) -> Reason | None:
        """``None`` when ``unit`` leads its cluster's closed ranking for the item's year."""
        year = self._year()
        campaigns = [c for c in self._deps.definitions.campaigns.values()
                     if c.covers(year) and any(unit in k.members for k in c.clusters)]
        if not campaigns:
            return Reason("cluster.not_member", f"{unit} is in no emulation cluster of a "
                          f"campaign for {year}", {"unit": unit, "year": year})
        rounds = self._tx.campaigns.closed_rounds([c.id for c in campaigns])
        latest: dict[tuple[str, str], Any] = {}
        for row in rounds:  # a later round (a run-off) settles what an earlier one left tied
            latest[(row.campaign_id, row.cluster_id)] = row
        for row in latest.values():
            if row.result and row.result.get("leader") == unit:
                return None
        return Reason("cluster.not_leader", f"{unit} does not lead its cluster's ranking for "
                      f"{year}", {"unit": unit, "year": year})


def reads_history(award: Any) -> bool:
    """Whether an award's eligibility rule reads the nominee's award history."""
    stack = [award.rule]
    while stack:
        node = stack.pop()
        if node.kind in ("held", "streak", "count"):
            return True
        stack.extend(node.children)
    return False


def nomination_year(item: NominationRow, calendar: WorkingCalendar) -> int:
    """The year a nomination is for: its ``year`` field, else the year it was created."""
    return fields_year(item.fields, item.created_at, calendar)


def fields_year(fields: Mapping[str, Any], created_at: datetime,
                calendar: WorkingCalendar) -> int:
    """:func:`nomination_year` of an item with ``fields`` created at ``created_at``."""
    year = fields.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    return calendar.local_date(created_at).year


@dataclass(frozen=True)
class RoutedUp:
    """A nominee who holds the deciding ``role`` at the deciding ``unit``: the decision goes
    to ``role`` at ``parent`` (None: there is no unit above)."""

    nominee: str
    unit: str
    role: str
    parent: str | None

    def payload(self) -> dict[str, str | None]:
        """What the audit entry of a decision taken above records."""
        return {"nominee": self.nominee, "from": self.unit, "to": self.parent,
                "role": self.role}


def routed_up(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> RoutedUp | None:
    """Whether ``item``'s nominee (a person of the directory) holds one of the flow's deciding
    roles at the unit it resolves to; an item named only by a name is never routed up."""
    if item.person_login is None:
        return None
    for ref in flow.decider.roles:
        target = deps.resolve(tx, item.unit_id, ref.scope)
        if target is not None and tx.directory.has_role(item.person_login, ref.role, target):
            unit = deps.tree(tx).units.get(target)
            return RoutedUp(item.person_login, target, ref.role,
                            unit.parent if unit is not None else None)
    return None
