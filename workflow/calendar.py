"""Working calendars: which days count, and when an SLA period started at an instant is due.

A calendar (``definitions/calendars/<id>.yaml``) names a time zone, the weekend days, an optional
``holidays``-package country, and the admin overrides ``days_off`` / ``working_days`` for the days
a government adds or swaps each year. Periods are counted like the Vietnamese Civil Code 2015
(Art 147–148): the start day is not counted, and a period in calendar days whose last day is not
a working day ends on the next working day. An item is due at 23:59:59 local time of its last day.

Loading is strict: every problem is reported as ``file:line:col`` through
:class:`~workflow.errors.DefinitionError`. A file read without problems is kept in
:mod:`workflow.readcache`, so a command that computes no date (``award show``, ``list``) never
imports ``holidays``: the package is imported when a date is first computed, or a file is read.

Must not import anything outside the standard library, ``holidays``, ``workflow.errors``,
``workflow.readcache`` and ``workflow.yamlnodes`` (in particular never the store, templates,
scheduler or CLI libraries).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import pathlib
import re
import threading
import zoneinfo
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from typing import Any

from workflow import readcache, yamlnodes
from workflow.yamlnodes import (
    Mapping,
    Node,
    Problems,
    Scalar,
    canonical_json,
    echo,
    parse_yaml,
    read_definition,
    suggest,
)

__all__ = ["WEEKDAYS", "WorkingCalendar", "load_calendar", "parse_calendar"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday names in ``date.weekday()`` order, as written in calendar files."""

_ID = re.compile(r"[a-z][a-z0-9_-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNTRY = re.compile(r"[A-Z]{2,3}")
_TOP_KEYS = ("calendar", "title", "timezone", "weekend", "holidays", "days_off", "working_days")
_REQUIRED = ("calendar", "title", "timezone", "weekend")
_DAY_OFF_NAME = "Day off (declared in calendar)"
_WORKING_DAY_NAME = "Working day (declared in calendar)"
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class _Year:
    """The precomputed facts of one Gregorian year, built once and then only read."""

    working: tuple[int, ...]  # ordinals of the working days, ascending (for bisect)
    working_set: frozenset[int]  # the same ordinals, for O(1) membership
    names: dict[date, str]  # package holidays and declared days off, by date


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """A loaded calendar. Immutable apart from its private per-year cache.

    Every date argument is a civil date in the calendar's own time zone; every ``datetime``
    argument must be timezone-aware (a naive one raises ``ValueError``: guessing a zone would
    silently shift deadlines by hours).
    """

    id: str
    title: dict[str, str]
    tz: zoneinfo.ZoneInfo
    version: str
    weekend: frozenset[int]
    country: str | None = None
    subdivision: str | None = None
    days_off: dict[date, str] = field(default_factory=dict)
    working_days: dict[date, str] = field(default_factory=dict)
    _years: dict[int, _Year] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # ---- days ----------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return day.toordinal() in self._year(day.year).working_set

    def holidays_in(self, year: int) -> dict[date, str]:
        """Every named day off of ``year`` (public holidays and declared days off)."""
        return dict(self._year(year).names)

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is off: a public holiday's or declared day off's name.

        ``None`` for working days (including holidays overridden by ``working_days``) and for
        days that are off only because they fall on the weekend.
        """
        if self.is_working_day(day):
            return None
        return self._year(day.year).names.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n == 0`` returns ``start`` unchanged, even when it is not a working day.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return start
        ordinal, year = start.toordinal(), start.year
        while True:
            working = self._year(year).working
            first = bisect_right(working, ordinal)  # working days of this year after start
            available = len(working) - first
            if n <= available:
                return date.fromordinal(working[first + n - 1])
            n -= available
            year += 1

    def add_days(self, start: date, n: int) -> date:
        """``start`` plus ``n`` calendar days, moved forward to the next working day if needed.

        Civil Code Art 148: a period whose last day is a weekend day or holiday ends on the
        next working day. ``n == 0`` therefore returns the first working day on or after
        ``start``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return self._first_working_on_or_after(start + timedelta(days=n))

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days ``d`` satisfy ``start < d <= end`` (0 if ``end <= start``)."""
        if end <= start:
            return 0
        low, high = start.toordinal(), end.toordinal()
        total = 0
        for year in range(start.year, end.year + 1):
            working = self._year(year).working
            total += bisect_right(working, high) - bisect_right(working, low)
        return total

    # ---- instants ------------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        """``instant`` expressed in the calendar's time zone."""
        _require_aware(instant)
        return instant.astimezone(self.tz)

    def local_date(self, instant: datetime) -> date:
        """The civil date of ``instant`` in the calendar's time zone."""
        return self.local(instant).date()

    def start_of_day(self, day: date) -> datetime:
        """00:00:00 local on ``day``, as an aware UTC datetime."""
        return datetime.combine(day, time.min, tzinfo=self.tz).astimezone(UTC)

    def end_of_day(self, day: date) -> datetime:
        """23:59:59 local on ``day``, as an aware UTC datetime (the Civil Code's end of a day)."""
        return datetime.combine(day, _END_OF_DAY, tzinfo=self.tz).astimezone(UTC)

    def due(self, entered: datetime, amount: int, *, working: bool) -> datetime:
        """When an SLA of ``amount`` (working) days, entered at ``entered``, runs out (UTC)."""
        start = self.local_date(entered)
        last = self.add_working_days(start, amount) if working else self.add_days(start, amount)
        return self.end_of_day(last)

    # ---- cache ---------------------------------------------------------------------------

    def _first_working_on_or_after(self, day: date) -> date:
        ordinal, year = day.toordinal(), day.year
        while True:
            working = self._year(year).working
            index = bisect_left(working, ordinal)
            if index < len(working):
                return date.fromordinal(working[index])
            year += 1

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        # Sweeps may run on scheduler threads: build each year once, under the lock.
        with self._lock:
            cached = self._years.get(year)
            if cached is None:
                cached = self._years[year] = self._build_year(year)
            return cached

    def _build_year(self, year: int) -> _Year:
        if not MINYEAR <= year <= MAXYEAR:
            raise OverflowError(f"year {year} is outside the supported range")
        names, swapped_in = _package_days(self.country, self.subdivision, year)
        for day, note in self.days_off.items():
            # An un-noted day off that the package already names keeps the package's name.
            if day.year == year and (note != _DAY_OFF_NAME or day not in names):
                names[day] = note
        swapped_in |= {day for day in self.working_days if day.year == year}
        working: list[int] = []
        # Walk ordinals, not dates: date(9999, 12, 31) + 1 day would overflow.
        for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
            day = date.fromordinal(ordinal)
            if day in swapped_in or (day.weekday() not in self.weekend and day not in names):
                working.append(ordinal)
        return _Year(tuple(working), frozenset(working), names)


def _package_days(
    country: str | None, subdivision: str | None, year: int
) -> tuple[dict[date, str], set[date]]:
    """The package's holidays in ``year`` and its weekend days swapped into working days.

    The neighbouring years are loaded too: a swap can cross New Year (the package files the
    day off of 2015-01-02, worked on Sat 2014-12-27, under 2015).
    """
    if country is None:
        return {}, set()
    import holidays

    years = [y for y in (year - 1, year, year + 1) if MINYEAR <= y <= MAXYEAR]
    table: Any = holidays.country_holidays(country, subdiv=subdivision, years=years)
    names: dict[date, str] = {day: str(name) for day, name in table.items() if day.year == year}
    swapped = {day for day in getattr(table, "weekend_workdays", ()) if day.year == year}
    return names, swapped


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"datetime {instant.isoformat()} must be timezone-aware")


# ---- loading -------------------------------------------------------------------------------


def load_calendar(path: pathlib.Path) -> WorkingCalendar:
    """Load ``definitions/calendars/<id>.yaml``; its ``calendar:`` id must equal the file stem.

    A file already read by an earlier process under the same ``holidays`` package comes from
    the cache (:mod:`workflow.readcache`) without importing the package."""
    text = read_definition(path)
    depends = [str(path.resolve()), *readcache.file_fingerprint(path),
               readcache.text_fingerprint(text), _reader_depends()]
    return readcache.kept("calendar", depends,
                          lambda: _parse(text, str(path), expected_id=path.stem),
                          _to_json, _from_json)


@functools.cache
def _reader_depends() -> list[object]:
    """What reading a calendar depends on besides the file: this reader's and the YAML
    reader's source, and the installed ``holidays`` package (found, not imported)."""
    spec = importlib.util.find_spec("holidays")
    return [readcache.file_fingerprint(__file__), readcache.file_fingerprint(yamlnodes.__file__),
            readcache.file_fingerprint(spec.origin if spec else None)]


def _to_json(cal: WorkingCalendar) -> dict[str, Any]:
    return {"id": cal.id, "title": cal.title, "tz": cal.tz.key, "version": cal.version,
            "weekend": sorted(cal.weekend), "country": cal.country,
            "subdivision": cal.subdivision,
            "days_off": {day.isoformat(): note for day, note in cal.days_off.items()},
            "working_days": {day.isoformat(): note for day, note in cal.working_days.items()}}


def _from_json(data: dict[str, Any]) -> WorkingCalendar:
    """A calendar as :func:`_to_json` kept it; anything else raises ``TypeError`` or
    ``ValueError`` (the file is then read again)."""

    def text(value: object, optional: bool = False) -> Any:
        if (value is None and optional) or isinstance(value, str):
            return value
        raise TypeError(f"not text: {value!r}")

    def days(value: object) -> dict[date, str]:
        if not isinstance(value, dict):
            raise TypeError("not a mapping of days")
        return {date.fromisoformat(text(k)): text(v) for k, v in value.items()}

    title = data["title"]
    if not isinstance(title, dict):
        raise TypeError("title is not a mapping")
    weekend = data["weekend"]
    if not isinstance(weekend, list) or not all(type(d) is int and 0 <= d < 7 for d in weekend):
        raise TypeError("weekend is not a list of weekdays")
    return WorkingCalendar(
        id=text(data["id"]),
        title={text(k): text(v) for k, v in title.items()},
        tz=zoneinfo.ZoneInfo(text(data["tz"])),
        version=text(data["version"]),
        weekend=frozenset(weekend),
        country=text(data["country"], optional=True),
        subdivision=text(data["subdivision"], optional=True),
        days_off=days(data["days_off"]),
        working_days=days(data["working_days"]),
    )


def parse_calendar(text: str, file: str) -> WorkingCalendar:
    """Parse a calendar from ``text``; ``file`` is only used to locate problems."""
    return _parse(text, file, expected_id=None)


def _parse(text: str, file: str, expected_id: str | None) -> WorkingCalendar:
    root = parse_yaml(text, file)
    p = Problems()
    if root is None:
        p.add_at(file, 1, 1, "calendar file is empty")
    top = p.mapping(root, "calendar file")
    p.raise_if_any()
    assert top is not None
    p.keys(top, "calendar", _TOP_KEYS, _REQUIRED)

    cal_id = p.string(
        top.get("calendar"),
        "calendar",
        pattern=_ID,
        hint="use lower-case letters, digits, '_' or '-'",
    )
    if cal_id is not None and expected_id is not None and cal_id != expected_id:
        node = top.values["calendar"]
        p.add(node, f"calendar id {echo(cal_id)} must match the file name {echo(expected_id)}")
    title = p.text(top.get("title"), "title")
    tz = _timezone(p, top.get("timezone"))
    weekend = _weekend(p, top.get("weekend"))
    country, subdivision = _holidays(p, top.get("holidays"))
    days_off = _days(p, top.get("days_off"), "days_off")
    working_days = _days(p, top.get("working_days"), "working_days")
    for day, (node, _) in working_days.items():
        if day in days_off:
            first = days_off[day][0]
            p.add(
                node, f"{day.isoformat()} is in both days_off (line {first.line}) and working_days"
            )
    p.raise_if_any()
    assert cal_id is not None and tz is not None and weekend is not None

    # The version pins both the file's content and the package's rules it relies on, so an
    # audit entry can tell which calendar computed a deadline.
    content = canonical_json(top.plain())
    version = hashlib.sha256(f"{content}\nholidays={_holidays_version()}".encode()).hexdigest()
    return WorkingCalendar(
        id=cal_id,
        title=title,
        tz=tz,
        version=version,
        weekend=weekend,
        country=country,
        subdivision=subdivision,
        days_off={day: note for day, (_, note) in days_off.items()},
        working_days={day: note for day, (_, note) in working_days.items()},
    )


@functools.cache
def _country_codes() -> frozenset[str]:
    import holidays

    return frozenset(holidays.registry.EntityLoader.get_country_codes(include_aliases=True))


@functools.cache
def _holidays_version() -> str:
    import importlib.metadata

    return importlib.metadata.version("holidays")


def _timezone(p: Problems, node: Node | None) -> zoneinfo.ZoneInfo | None:
    name = p.string(node, "timezone", hint="an IANA name such as 'Asia/Ho_Chi_Minh'")
    if name is None or node is None:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        known = zoneinfo.available_timezones()
        p.add(
            node,
            f"unknown time zone {echo(name)}{suggest(name, known)}; "
            "use an IANA name such as 'Asia/Ho_Chi_Minh'",
        )
        return None


def _weekend(p: Problems, node: Node | None) -> frozenset[int] | None:
    if node is None:
        return None
    days: set[int] = set()
    ok = True
    for item in p.sequence(node, "weekend"):
        name = p.choice(item, "weekend day", WEEKDAYS)
        if name is None:
            ok = False
        elif WEEKDAYS.index(name) in days:
            p.add(item, f"weekend day {echo(name)} is listed twice")
        else:
            days.add(WEEKDAYS.index(name))
    if len(days) == len(WEEKDAYS):
        p.add(node, "weekend cannot contain every day of the week")
        ok = False
    return frozenset(days) if ok else None


def _holidays(p: Problems, node: Node | None) -> tuple[str | None, str | None]:
    section = p.mapping(node, "holidays")
    if section is None:
        return None, None
    p.keys(section, "holidays", ["country", "subdivision"], ["country"])
    country_node, sub_node = section.get("country"), section.get("subdivision")
    country = p.string(
        country_node,
        "holidays.country",
        pattern=_COUNTRY,
        hint="an ISO 3166 code in capitals such as 'VN'",
    )
    subdivision = p.string(sub_node, "holidays.subdivision")
    if country is None or country_node is None:
        return None, None
    # The package's registry names its countries (aliases included, markets such as NYSE
    # not) without importing them: loading the one class would import every country's
    # module (the package's country table is one package), which a command that only reads
    # never needs; the days themselves are loaded when a date is first computed.
    import holidays

    if country not in _country_codes():
        known = holidays.list_supported_countries()
        p.add(
            country_node,
            f"unknown holidays country {echo(country)}{suggest(country, known)}; "
            "use a country code the 'holidays' package supports, such as 'VN'",
        )
        return None, None
    if subdivision is not None and sub_node is not None:
        table: Any = holidays.country_holidays(country, years=[])
        try:
            holidays.country_holidays(country, subdiv=subdivision, years=[])
        except NotImplementedError:
            allowed = [str(s) for s in getattr(table, "subdivisions", ())]
            listed = ", ".join(allowed) if allowed else "none"
            p.add(
                sub_node,
                f"unknown subdivision {echo(subdivision)} of {country}"
                f"{suggest(subdivision, allowed)}; allowed: {listed}",
            )
            return None, None
    return country, subdivision


def _days(p: Problems, node: Node | None, what: str) -> dict[date, tuple[Node, str]]:
    """Dates of a ``days_off`` / ``working_days`` list, each with its node and note."""
    out: dict[date, tuple[Node, str]] = {}
    for item in p.sequence(node, what):
        date_node: Node | None = item
        note = _DAY_OFF_NAME if what == "days_off" else _WORKING_DAY_NAME
        if isinstance(item, Mapping):
            p.keys(item, f"{what} entry", ["date", "note"], ["date"])
            date_node = item.get("date")
            given = p.string(item.get("note"), f"{what} note")
            if given is not None:
                note = given
        elif not isinstance(item, Scalar):
            p.add(item, f"{what} entry must be a date or a mapping {{date: ..., note: ...}}")
            continue
        day = _date(p, date_node, f"{what} date")
        if day is None or date_node is None:
            continue
        if day in out:
            p.add(
                date_node,
                f"{day.isoformat()} is listed twice in {what} (first at line {out[day][0].line})",
            )
            continue
        out[day] = (date_node, note)
    return out


def _date(p: Problems, node: Node | None, what: str) -> date | None:
    """A ``YYYY-MM-DD`` scalar as a date (YAML timestamps stay strings in ``yamlnodes``)."""
    if node is None:
        return None
    value = node.value if isinstance(node, Scalar) else None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        shown = f" {echo(value)}" if isinstance(node, Scalar) else ""
        p.add(node, f"{what}{shown} is not a date; write dates as YYYY-MM-DD, e.g. 2027-02-05")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        p.add(node, f"{what} {echo(value)} is not a valid date ({exc})")
        return None
