"""Emulation campaigns (phong trào thi đua): the file format, its strict reader and the dates.

One YAML file per campaign under ``definitions/campaigns/`` (plus ``AWARD_CAMPAIGNS``
folders)::

    campaign: bn-2026                      # id: lowercase, digits, '-'
    title: {vi: "…", en: "…"}
    kind: annual                           # annual | thematic
    organiser: BN                          # the unit that launches it (its secretariat runs it)
    scope: [BN]                            # units, each with everything below it
    calendar: vn
    from: 2026-01-01
    to: 2026-12-31
    registration_until: 2026-01-30         # closes at the end of that working day
    awards: [LDTT, CSTDCS, CTDTINH]        # what one may register for (catalogue codes)
    reviews: {so_ket: 2026-07-15, tong_ket: 2026-12-18}
    reminder: {working_days_before: 5}     # units not registered yet are reminded then
    clusters:                              # cụm / khối thi đua (optional)
      - {id: cum-1, title: {vi: "…"}, members: [BN-SGD, BN-SYT, BN-SVH], flag: CTDTINH}

Read like flows: unknown keys listed with the allowed ones, duplicate keys refused, every
problem located ``file:line:col``. Dates are checked against each other here; unit ids are
checked against the directory where they are used (the directory lives in the database).

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from workflow.calendar import WorkingCalendar
from workflow.errors import DefinitionError, Problem
from workflow.yamlnodes import Node, Problems, Scalar, echo, parse_yaml, read_definition

__all__ = [
    "KINDS",
    "PHASES",
    "CampaignEnv",
    "CampaignSpec",
    "ClusterSpec",
    "load_campaign",
    "parse_campaign",
]

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
UNIT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
KINDS = ("annual", "thematic")
#: registration open → running → reviewing (from the final review, tổng kết) → closed
PHASES = ("registration", "running", "reviewing", "closed")
TOP_KEYS = ["campaign", "title", "description", "kind", "organiser", "scope", "calendar", "from",
            "to", "registration_until", "awards", "reviews", "reminder", "clusters", "basis"]
REQUIRED = ["campaign", "title", "organiser", "scope", "calendar", "from", "to",
            "registration_until", "awards", "reviews"]
REVIEW_KEYS = ["so_ket", "tong_ket"]
CLUSTER_KEYS = ["id", "title", "members", "flag"]
MIN_CLUSTER = 3  # fewer and a head's ranking of "the others" is no choice at all


@dataclass(frozen=True)
class ClusterSpec:
    id: str
    title: dict[str, str]
    members: tuple[str, ...]
    flag: str | None  # the award the leading unit becomes eligible for


@dataclass(frozen=True)
class CampaignSpec:
    id: str
    title: dict[str, str]
    kind: str
    organiser: str
    scope: tuple[str, ...]
    calendar: str
    start: date
    end: date
    registration_until: date
    awards: tuple[str, ...]
    so_ket: date | None
    tong_ket: date
    reminder_days: int | None
    clusters: tuple[ClusterSpec, ...]
    path: str
    description: dict[str, str] = field(default_factory=dict)
    basis: str | None = None

    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def covers(self, year: int) -> bool:
        return self.start.year <= year <= self.end.year

    def cluster(self, cluster_id: str) -> ClusterSpec | None:
        return next((c for c in self.clusters if c.id == cluster_id), None)

    def units_named(self) -> list[str]:
        """Every unit id the file names: organiser, scope, cluster members."""
        named = [self.organiser, *self.scope, *(m for c in self.clusters for m in c.members)]
        return list(dict.fromkeys(named))

    # ---- dates ---------------------------------------------------------------------------

    def registration_closes(self, calendar: WorkingCalendar) -> datetime:
        """The end (23:59:59 local) of ``registration_until``, or of the next working day
        when that day is a weekend day or a holiday (Civil Code Art 148)."""
        return calendar.end_of_day(calendar.add_days(self.registration_until, 0))

    def reminder_day(self, calendar: WorkingCalendar) -> date | None:
        """The working day, ``reminder_days`` working days before the close, from which units
        not registered yet are reminded (``None``: no reminders)."""
        if self.reminder_days is None:
            return None
        last = calendar.add_days(self.registration_until, 0)
        day = last
        for _ in range(self.reminder_days):  # step back over working days only
            day = _previous_working(calendar, day)
        return day

    def phase(self, now: datetime, calendar: WorkingCalendar) -> str:
        """Where the campaign stands at ``now``: one of :data:`PHASES`.

        Registration is open until it closes; the campaign runs until the final review's
        day (tổng kết) begins; it is under review from then until the end of its period or
        of the review day, whichever is later; then it is closed."""
        if now <= self.registration_closes(calendar):
            return "registration"
        if now < calendar.start_of_day(self.tong_ket):
            return "running"
        if now <= calendar.end_of_day(max(self.end, self.tong_ket)):
            return "reviewing"
        return "closed"


def _previous_working(calendar: WorkingCalendar, day: date) -> date:
    day = date.fromordinal(day.toordinal() - 1)
    while not calendar.is_working_day(day):
        day = date.fromordinal(day.toordinal() - 1)
    return day


@dataclass(frozen=True)
class CampaignEnv:
    """What a campaign file may refer to while it loads."""

    awards: Iterable[str]  # catalogue codes
    calendars: Iterable[str]


def load_campaign(path: Path, env: CampaignEnv) -> CampaignSpec:
    """Read ``definitions/campaigns/<id>.yaml``; its id must equal the file name."""
    return parse_campaign(read_definition(path), str(path), env, expect_id=path.stem)


def parse_campaign(text: str, file: str, env: CampaignEnv, expect_id: str | None = None
                   ) -> CampaignSpec:
    """A campaign from ``text``, or :class:`DefinitionError` listing every problem."""
    root = parse_yaml(text, file)
    p = Problems()
    if root is None:
        raise DefinitionError([Problem(file, 1, 1, "campaign file is empty")])
    top = p.mapping(root, "campaign file")
    p.raise_if_any()
    assert top is not None
    p.keys(top, "the campaign", TOP_KEYS, required=REQUIRED)
    campaign_id = p.string(top.get("campaign"), "campaign id", pattern=ID_RE,
                           hint="use lowercase letters, digits and '-'", max_length=64)
    if campaign_id and expect_id and campaign_id != expect_id:
        p.add(top.get("campaign") or top,
              f"campaign id {echo(campaign_id)} must match the file name {echo(expect_id)}")
    title = p.text(top.get("title"), "title")
    if "title" in top and "vi" not in title:
        p.add(top.get("title") or top, "title needs a Vietnamese text (vi)")
    description = p.text(top.get("description"), "description")
    kind = p.choice(top.get("kind"), "kind", KINDS) if "kind" in top else "annual"
    organiser = _unit(p, top.get("organiser"), "organiser")
    scope = _units(p, top.get("scope"), "scope")
    calendars = list(env.calendars)
    calendar = p.choice(top.get("calendar"), "calendar", calendars)
    start = _date(p, top.get("from"), "from")
    end = _date(p, top.get("to"), "to")
    until = _date(p, top.get("registration_until"), "registration_until")
    awards = _awards(p, top.get("awards"), list(env.awards))
    so_ket, tong_ket = _reviews(p, top.get("reviews"))
    reminder = _reminder(p, top.get("reminder"))
    clusters = _clusters(p, top.get("clusters"), list(env.awards))
    basis = p.string(top.get("basis"), "basis")
    if start and end and end < start:
        p.add(top.get("to") or top, f"to {end} is before from {start}")
    if until and end and until > end:
        p.add(top.get("registration_until") or top,
              f"registration_until {until} is after the campaign ends ({end})")
    if start and tong_ket and tong_ket < start:
        p.add(top.get("reviews") or top, f"tong_ket {tong_ket} is before the campaign starts")
    for cluster in clusters:
        if cluster.flag and cluster.flag not in awards:
            p.add(top.get("clusters") or top,
                  f"cluster {cluster.id!r} flag {cluster.flag} is not among the campaign's "
                  f"awards; allowed: {', '.join(awards)}")
    seen: dict[str, str] = {}
    for cluster in clusters:
        for member in cluster.members:
            if member in seen:
                p.add(top.get("clusters") or top, f"unit {member} is in clusters "
                      f"{seen[member]!r} and {cluster.id!r}; a unit belongs to one cluster")
            seen[member] = cluster.id
    p.raise_if_any()
    assert campaign_id and organiser and calendar and start and end and until and tong_ket
    return CampaignSpec(
        id=campaign_id, title=title, kind=kind or "annual", organiser=organiser,
        scope=tuple(scope), calendar=calendar, start=start, end=end,
        registration_until=until, awards=tuple(awards), so_ket=so_ket, tong_ket=tong_ket,
        reminder_days=reminder, clusters=tuple(clusters), path=file,
        description=description, basis=basis)


def _unit(p: Problems, node: Node | None, what: str) -> str | None:
    return p.string(node, what, pattern=UNIT_RE, hint="a unit id from the directory",
                    max_length=64)


def _units(p: Problems, node: Node | None, what: str) -> list[str]:
    items = p.sequence(node, what, single_ok=True)
    if node is not None and not items:
        p.add(node, f"{what} needs at least one unit")
    out: list[str] = []
    for item in items:
        unit = _unit(p, item, f"{what} unit")
        if unit is None:
            continue
        if unit in out:
            p.add(item, f"{what} names {unit} twice")
            continue
        out.append(unit)
    return out


def _date(p: Problems, node: Node | None, what: str) -> date | None:
    if node is None:
        return None
    value = node.value if isinstance(node, Scalar) else None
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        p.add(node, f"{what} is not a date; write dates as YYYY-MM-DD, e.g. 2026-01-30")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        p.add(node, f"{what} {echo(value)} is not a valid date ({exc})")
        return None


def _awards(p: Problems, node: Node | None, known: list[str]) -> list[str]:
    items = p.sequence(node, "awards", single_ok=True)
    if node is not None and not items:
        p.add(node, "awards needs at least one award code")
    out: list[str] = []
    for item in items:
        code = p.choice(item, "award code", known)
        if code and code in out:
            p.add(item, f"awards names {code} twice")
        elif code:
            out.append(code)
    return out


def _reviews(p: Problems, node: Node | None) -> tuple[date | None, date | None]:
    body = p.mapping(node, "reviews")
    if body is None:
        return None, None
    p.keys(body, "reviews", REVIEW_KEYS, required=["tong_ket"])
    so_ket = _date(p, body.get("so_ket"), "reviews.so_ket")
    tong_ket = _date(p, body.get("tong_ket"), "reviews.tong_ket")
    if so_ket and tong_ket and tong_ket < so_ket:
        p.add(body.get("tong_ket") or body, f"the final review (tong_ket {tong_ket}) is before "
              f"the mid-term review (so_ket {so_ket})")
    return so_ket, tong_ket


def _reminder(p: Problems, node: Node | None) -> int | None:
    body = p.mapping(node, "reminder")
    if body is None:
        return None
    p.keys(body, "reminder", ["working_days_before"], required=["working_days_before"])
    return p.integer(body.get("working_days_before"), "reminder.working_days_before",
                     minimum=1, maximum=60)


def _clusters(p: Problems, node: Node | None, awards: list[str]) -> list[ClusterSpec]:
    out: list[ClusterSpec] = []
    for item in p.sequence(node, "clusters"):
        body = p.mapping(item, "a cluster")
        if body is None:
            continue
        p.keys(body, "a cluster", CLUSTER_KEYS, required=["id", "title", "members"])
        cluster_id = p.string(body.get("id"), "cluster id", pattern=ID_RE,
                              hint="use lowercase letters, digits and '-'", max_length=64)
        if cluster_id and any(c.id == cluster_id for c in out):
            p.add(body.get("id") or body, f"cluster id {cluster_id!r} is used twice")
        title = p.text(body.get("title"), "cluster title")
        members = _units(p, body.get("members"), "cluster members")
        if body.get("members") is not None and 0 < len(members) < MIN_CLUSTER:
            p.add(body.get("members") or body, f"a cluster needs at least {MIN_CLUSTER} "
                  f"members (each head ranks the others); got {len(members)}")
        flag = p.choice(body.get("flag"), "cluster flag", awards)
        if cluster_id and members:
            out.append(ClusterSpec(cluster_id, title, tuple(members), flag))
    return out
