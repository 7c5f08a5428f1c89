"""Working calendar: the shipped Vietnam calendar, Civil Code counting and strict loading."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.calendar import WEEKDAYS, WorkingCalendar, load_calendar, parse_calendar
from workflow.errors import DefinitionError

VN_FILE = Path(__file__).parents[1] / "definitions/calendars/vn.yaml"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def vn() -> WorkingCalendar:
    return load_calendar(VN_FILE)


# ---- the shipped calendar ----------------------------------------------------------------------


def test_shipped_calendar_loads(vn: WorkingCalendar) -> None:
    assert vn.id == "vn"
    assert vn.title == {"vi": "Lịch làm việc Việt Nam", "en": "Vietnam working calendar"}
    assert vn.tz == HCM
    assert len(vn.version) == 64
    assert WEEKDAYS[5:] == ("saturday", "sunday")


def test_tet_2026_spec_example(vn: WorkingCalendar) -> None:
    entered = datetime(2026, 2, 12, 9, 0, tzinfo=HCM)
    due = vn.due(entered, 5, working=True)
    assert due == datetime(2026, 2, 26, 23, 59, 59, tzinfo=HCM)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
    for day in range(16, 21):
        assert not vn.is_working_day(date(2026, 2, day))
        assert vn.holiday_name(date(2026, 2, day)) is not None
    assert vn.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 17)


def test_2026_holidays_and_swaps(vn: WorkingCalendar) -> None:
    assert not vn.is_working_day(date(2026, 11, 24))
    assert vn.holiday_name(date(2026, 11, 24)) is not None
    assert vn.is_working_day(date(2026, 8, 22))  # Saturday worked back for ...
    assert not vn.is_working_day(date(2026, 8, 31))  # ... this Monday off
    assert vn.holiday_name(date(2026, 8, 22)) is None
    assert vn.holiday_name(date(2026, 3, 7)) is None  # a plain Saturday has no name


def test_swap_across_new_year(vn: WorkingCalendar) -> None:
    # Sat 2014-12-27 was worked for Fri 2015-01-02; the package files both under 2015.
    assert vn.is_working_day(date(2014, 12, 27))
    assert not vn.is_working_day(date(2015, 1, 2))
    assert vn.add_working_days(date(2014, 12, 26), 1) == date(2014, 12, 27)


def test_add_days_moves_off_weekend_and_tet(vn: WorkingCalendar) -> None:
    assert vn.add_days(date(2026, 3, 6), 2) == date(2026, 3, 9)  # Sun -> Mon
    assert vn.add_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Sat -> Mon
    assert vn.add_days(date(2026, 3, 6), 3) == date(2026, 3, 9)  # Mon stays
    assert vn.add_days(date(2026, 2, 10), 6) == date(2026, 2, 23)  # Tết Mon 16 -> Mon 23
    due = vn.due(datetime(2026, 2, 10, 1, tzinfo=UTC), 6, working=False)
    assert due == datetime(2026, 2, 23, 23, 59, 59, tzinfo=HCM)


def test_zero_and_negative(vn: WorkingCalendar) -> None:
    sunday = date(2026, 3, 8)
    assert vn.add_working_days(sunday, 0) == sunday
    assert vn.add_days(sunday, 0) == date(2026, 3, 9)
    assert vn.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert vn.working_days_between(date(2026, 3, 10), date(2026, 3, 9)) == 0
    with pytest.raises(ValueError):
        vn.add_working_days(sunday, -1)
    with pytest.raises(ValueError):
        vn.add_days(sunday, -1)


def test_instants(vn: WorkingCalendar) -> None:
    late_utc = datetime(2026, 2, 12, 18, 30, tzinfo=UTC)  # already Feb 13 in Vietnam
    assert vn.local_date(late_utc) == date(2026, 2, 13)
    assert vn.local(late_utc) == late_utc and vn.local(late_utc).tzinfo == HCM
    assert vn.start_of_day(date(2026, 2, 13)) == datetime(2026, 2, 12, 17, tzinfo=UTC)
    assert vn.end_of_day(date(2026, 2, 13)) == datetime(2026, 2, 13, 16, 59, 59, tzinfo=UTC)
    assert vn.start_of_day(date(2026, 2, 13)).tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        vn.local_date(datetime(2026, 2, 12, 9))


def test_version_tracks_content() -> None:
    text = VN_FILE.read_text(encoding="utf-8")
    same = parse_calendar(text + "\n# a comment changes nothing\n", "x.yaml")
    changed = parse_calendar(text + "  - 2026-09-05\n", "x.yaml")
    assert same.version == load_calendar(VN_FILE).version
    assert changed.version != same.version
    assert changed.is_working_day(date(2026, 9, 5))


def test_days_off_override() -> None:
    cal = parse_calendar(
        BASE + "days_off:\n  - 2027-03-05\n  - {date: 2027-03-12, note: Extra}\n", "t.yaml"
    )
    assert not cal.is_working_day(date(2027, 3, 5))
    assert cal.holiday_name(date(2027, 3, 12)) == "Extra"
    assert cal.holiday_name(date(2027, 3, 5)) is not None
    assert cal.working_days_between(date(2027, 3, 4), date(2027, 3, 12)) == 4  # 8, 9, 10, 11


# ---- properties ------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
COUNTS = st.integers(min_value=0, max_value=400)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(start=DAYS, n=st.integers(min_value=1, max_value=400))
def test_add_working_days_lands_on_working_day(vn: WorkingCalendar, start: date, n: int) -> None:
    assert vn.is_working_day(vn.add_working_days(start, n))


@PROPERTY
@given(start=DAYS, n=COUNTS)
def test_add_working_days_strictly_monotonic(vn: WorkingCalendar, start: date, n: int) -> None:
    assert vn.add_working_days(start, n) < vn.add_working_days(start, n + 1)


@PROPERTY
@given(start=DAYS, n=COUNTS)
def test_between_inverts_add(vn: WorkingCalendar, start: date, n: int) -> None:
    assert vn.working_days_between(start, vn.add_working_days(start, n)) == n


@PROPERTY
@given(days=st.lists(DAYS, min_size=3, max_size=3))
def test_between_is_additive(vn: WorkingCalendar, days: list[date]) -> None:
    a, b, c = sorted(days)
    between = vn.working_days_between
    assert between(a, c) == between(a, b) + between(b, c)


@PROPERTY
@given(start=DAYS, n=COUNTS)
def test_between_matches_day_by_day(vn: WorkingCalendar, start: date, n: int) -> None:
    end = start + timedelta(days=n)
    expected = sum(vn.is_working_day(start + timedelta(days=i)) for i in range(1, n + 1))
    assert vn.working_days_between(start, end) == expected


@PROPERTY
@given(
    entered=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
    ),
    n=COUNTS,
    working=st.booleans(),
)
def test_due_is_end_of_local_day(
    vn: WorkingCalendar, entered: datetime, n: int, working: bool
) -> None:
    due = vn.due(entered, n, working=working)
    assert due.utcoffset() == timedelta(0)
    assert vn.local(due).time() == time(23, 59, 59)
    assert vn.local_date(due) >= vn.local_date(entered)


@PROPERTY
@given(start=DAYS, n=COUNTS)
def test_add_days_at_least_n_and_working(vn: WorkingCalendar, start: date, n: int) -> None:
    end = vn.add_days(start, n)
    assert end >= start + timedelta(days=n)
    assert vn.is_working_day(end)
    # ... and it is the first working day from there (no working day skipped).
    gap = (end - (start + timedelta(days=n))).days
    assert not any(vn.is_working_day(start + timedelta(days=n + i)) for i in range(gap))


# ---- strict loading --------------------------------------------------------------------------

BASE = (
    "calendar: t\n"  # line 1
    'title: {vi: "Thử", en: "Test"}\n'  # line 2
    "timezone: Asia/Ho_Chi_Minh\n"  # line 3
    "weekend: [saturday, sunday]\n"  # line 4
    "holidays: {country: VN}\n"  # line 5
)


def _lines(**replace: str) -> str:
    """BASE with whole lines replaced by key (``timezone="..."`` replaces line 3)."""
    keys = ["calendar", "title", "timezone", "weekend", "holidays"]
    lines = BASE.splitlines(keepends=True)
    for key, text in replace.items():
        lines[keys.index(key)] = text + "\n"
    return "".join(lines)


def _load_error(tmp_path: Path, text: str, name: str = "t.yaml") -> tuple[DefinitionError, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_calendar(path)
    return info.value, str(path)


def test_base_text_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_calendar(path).id == "t"


@pytest.mark.parametrize(
    ("text", "line", "col", "fragments"),
    [
        pytest.param(
            _lines(holidays="holiday: {country: VN}"),
            5,
            1,
            [
                "unknown key 'holiday'",
                "did you mean 'holidays'?",
                "allowed: calendar, title, timezone, weekend, holidays, days_off, working_days",
            ],
            id="unknown-key",
        ),
        pytest.param(
            BASE + "days_off: [2027-02-30]\n",
            6,
            12,
            ["'2027-02-30' is not a valid date"],
            id="impossible-date",
        ),
        pytest.param(
            BASE + "days_off:\n  - {date: 5 Feb 2027}\n",
            7,
            12,
            ["'5 Feb 2027' is not a date", "YYYY-MM-DD"],
            id="malformed-date",
        ),
        pytest.param(
            _lines(weekend="weekend: [saturday, sundy]"),
            4,
            21,
            ["'sundy' is not allowed", "did you mean 'sunday'?", "monday"],
            id="bad-weekday",
        ),
        pytest.param(
            _lines(timezone="timezone: Asia/Hanoi"),
            3,
            11,
            ["unknown time zone 'Asia/Hanoi'"],
            id="unknown-timezone",
        ),
        pytest.param(
            _lines(holidays="holidays: {country: XY}"),
            5,
            21,
            ["unknown holidays country 'XY'"],
            id="unknown-country",
        ),
        pytest.param(
            _lines(holidays="holidays: {country: NYSE}"),
            5,
            21,
            ["'NYSE' is not well formed"],
            id="market-not-country",
        ),
        pytest.param(
            _lines(holidays="holidays: {country: VN, subdivision: XX}"),
            5,
            38,
            ["unknown subdivision 'XX' of VN"],
            id="unknown-subdivision",
        ),
        pytest.param(
            BASE + "timezone: UTC\n", 6, 1, ["duplicate key 'timezone'"], id="duplicate-key"
        ),
        pytest.param(
            BASE + "days_off: [2026-08-22]\nworking_days: [{date: 2026-08-22}]\n",
            7,
            23,
            ["2026-08-22 is in both days_off (line 6) and working_days"],
            id="off-and-working",
        ),
        pytest.param(
            BASE + "working_days: [2026-08-22, 2026-08-22]\n",
            6,
            28,
            ["listed twice in working_days"],
            id="listed-twice",
        ),
        pytest.param(
            _lines(
                weekend="weekend: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]"
            ),
            4,
            10,
            ["every day of the week"],
            id="no-working-weekday",
        ),
        pytest.param(
            _lines(calendar="calendar: T"), 1, 11, ["'T' is not well formed"], id="bad-id"
        ),
        pytest.param("", 1, 1, ["calendar file is empty"], id="empty"),
        pytest.param("- a\n", 1, 1, ["calendar file must be a mapping"], id="not-a-mapping"),
    ],
)
def test_strict_loading_errors(
    tmp_path: Path, text: str, line: int, col: int, fragments: list[str]
) -> None:
    error, file = _load_error(tmp_path, text)
    assert str(error).startswith(f"{file}:{line}:{col}: "), str(error)
    for fragment in fragments:
        assert fragment in str(error)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    error, file = _load_error(tmp_path, BASE, name="other.yaml")
    assert str(error).startswith(f"{file}:1:11: ")
    assert "'t' must match the file name 'other'" in str(error)
    assert parse_calendar(BASE, "other.yaml").id == "t"  # only load_calendar knows the name


def test_misspelled_required_key_reports_both(tmp_path: Path) -> None:
    error, file = _load_error(tmp_path, _lines(timezone="timezon: Asia/Ho_Chi_Minh"))
    messages = [str(problem) for problem in error.problems]
    assert f"{file}:1:1: calendar is missing required key 'timezone'" in messages
    assert any(
        m.startswith(f"{file}:3:1: unknown key 'timezon'") and "did you mean 'timezone'?" in m
        for m in messages
    )


def test_all_problems_are_reported(tmp_path: Path) -> None:
    text = _lines(timezone="timezone: Nowhere/City", weekend="weekend: [caturday]")
    error, _ = _load_error(tmp_path, text)
    assert [(p.line, p.col) for p in error.problems] == [(3, 11), (4, 11)]
    assert str(error).endswith("(and 1 more)")
