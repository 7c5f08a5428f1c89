"""Definition files kept between processes (workflow.readcache): the same result as reading,
read again on any change, and never a reason for a command to fail. Calendars are kept as
calendars, every other definition as its YAML node tree."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from workflow import calendar as calendars
from workflow import yamlnodes
from workflow.calendar import WorkingCalendar, load_calendar
from workflow.errors import DefinitionError
from workflow.yamlnodes import Mapping, Node, Scalar, Sequence, parse_yaml

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


def _tree(node: Node | None) -> object:
    """Everything a node tree tells: kinds, positions, values, quoting, raw text, key order."""
    if node is None:
        return None
    where = (type(node).__name__, node.file, node.line, node.col)
    if isinstance(node, Scalar):
        return (*where, type(node.value).__name__, node.value, node.quoted, node.raw)
    if isinstance(node, Mapping):
        return (*where, [(_tree(key), _tree(value)) for key, value in node.items()])
    assert isinstance(node, Sequence)
    return (*where, [_tree(item) for item in node.items])


DEFINITIONS = sorted((ROOT / "definitions").rglob("*.y*ml"))


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_kept_yaml_document_is_the_document_composed(
        cache: Path, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    composed = parse_yaml(text, str(path))
    monkeypatch.setattr(yamlnodes, "_compose", lambda *args: pytest.fail("composed again"))
    assert _tree(parse_yaml(text, str(path))) == _tree(composed)


def test_yaml_kept_under_another_file_name_or_text_is_composed_again(cache: Path) -> None:
    text = "a: 1\nb: [x, 'y', 2.5, true, null]\nc: {d: '007'}\n"
    first = parse_yaml(text, "one.yaml")
    assert first is not None and first.file == "one.yaml"
    other = parse_yaml(text, "two.yaml")
    assert other is not None and other.file == "two.yaml"
    assert _tree(parse_yaml(text + "e: 2\n", "one.yaml")) != _tree(first)
    for entry in cache.glob("yaml-*.json"):  # damaged entries: composed again, same tree
        entry.write_text('{"key": 1', encoding="utf-8")
    assert _tree(parse_yaml(text, "one.yaml")) == _tree(first)


def test_yaml_with_problems_is_never_kept(cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(DefinitionError, match="duplicate key"):
            parse_yaml("a: 1\na: 2\n", "dup.yaml")
    assert not list(cache.glob("yaml-*.json"))


def test_an_entry_others_could_have_written_is_not_used(
        cache: Path, file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry decides what a definition says: one writable by group or others (a shared
    cache folder) is read past, the file is read again."""
    load_calendar(file)
    (entry,) = cache.glob("calendar-*.json")
    entry.chmod(0o666)
    calls: list[str] = []
    original = calendars._parse
    monkeypatch.setattr(calendars, "_parse", lambda *a, **k: calls.append("read") or
                        original(*a, **k))
    load_calendar(file)
    assert calls == ["read"]


def test_entries_not_written_for_a_month_go_when_something_new_is_kept(
        cache: Path, file: Path) -> None:
    import os
    import time

    cache.mkdir(mode=0o700)
    old, recent = cache / "yaml-old.json", cache / "yaml-recent.json"
    for entry, days in ((old, 40), (recent, 5)):
        entry.write_text("{}", encoding="utf-8")
        when = time.time() - days * 24 * 3600
        os.utime(entry, (when, when))
    load_calendar(file)  # not in the cache: read and kept
    assert not old.exists()
    assert recent.exists()
