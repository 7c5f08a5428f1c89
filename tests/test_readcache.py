"""Definition files kept between processes (workflow.readcache): the same result as reading,
read again on any change, and never a reason for a command to fail."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from workflow import calendar as calendars
from workflow.calendar import WorkingCalendar, load_calendar
from workflow.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[1]
VN = ROOT / "definitions" / "calendars" / "vn.yaml"


def _facts(cal: WorkingCalendar) -> tuple[object, ...]:
    return (cal.id, cal.title, cal.tz, cal.version, cal.weekend, cal.country, cal.subdivision,
            cal.days_off, cal.working_days, cal.holidays_in(2026),
            cal.add_working_days(date(2026, 2, 12), 10))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AWARD_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "defs" / "vn.yaml"
    path.parent.mkdir()
    shutil.copy(VN, path)
    return path


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read again")

    monkeypatch.setattr(calendars, "_parse", refuse)


def test_a_kept_calendar_is_the_calendar_read(cache: Path, file: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    read = load_calendar(file)
    assert len(list(cache.glob("calendar-*.json"))) == 1
    _no_reading(monkeypatch)
    kept = load_calendar(file)
    assert _facts(kept) == _facts(read)


def test_an_edited_file_is_read_again(cache: Path, file: Path) -> None:
    first = load_calendar(file)
    text = file.read_text(encoding="utf-8")
    assert "\ndays_off: []\n" in text
    file.write_text(text.replace("\ndays_off: []\n", "\ndays_off: [2026-03-02]\n"),
                    encoding="utf-8")
    second = load_calendar(file)
    assert second.version != first.version
    assert date(2026, 3, 2) in second.days_off


def test_the_cache_file_is_json_and_a_damaged_one_is_read_again(
        cache: Path, file: Path) -> None:
    read = load_calendar(file)
    (entry,) = cache.glob("calendar-*.json")
    assert json.loads(entry.read_text(encoding="utf-8"))["value"]["id"] == "vn"
    for damage in ("{not json", json.dumps({"key": "another", "value": {}}), "[]",
                   entry.read_text(encoding="utf-8").replace('"weekend": [', '"weekend": [9, ')):
        entry.write_text(damage, encoding="utf-8")
        assert _facts(load_calendar(file)) == _facts(read)


def test_a_file_with_problems_is_never_kept(cache: Path, file: Path) -> None:
    file.write_text("calendar: vn\ntitle: {vi: x}\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DefinitionError):
            load_calendar(file)
    assert not list(cache.glob("calendar-*.json"))


def test_an_unwritable_cache_or_none_changes_nothing(
        tmp_path: Path, file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _facts(load_calendar(VN))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for folder in (str(blocker / "cache"), ""):  # cannot be created; the cache turned off
        monkeypatch.setenv("AWARD_CACHE_DIR", folder)
        assert _facts(load_calendar(file)) == expected
        assert _facts(load_calendar(file)) == expected
