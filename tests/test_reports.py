"""``award report``: every figure of every kind against a hand-built fixture.

The fixture is a small province written row by row (items, their stays in each state,
objections, the register's grants and their numbered decisions) with items on hold, overdue,
withdrawn and rejected, a collective, items that crossed a year, an item outside the unit, a
grant with no item of its own, a revoked grant and the directory's imported awards (which
count only as history). The expected figures are computed here, from the
fixture's own Python lists, with plain loops — never by calling the report code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import Engine, insert

from tests.conftest import Cli
from workflow.store import tables
from workflow.store.db import make_engine

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW_TEXT = "2026-03-15T09:00:00+07:00"
NOW = datetime.fromisoformat(NOW_TEXT)

DIRECTORY = """\
units:
  - {id: VN, name: "Trung ương", level: central}
  - {id: P, name: "Tỉnh Thử", level: province, parent: VN}
  - {id: P-D, name: "Sở Giáo dục", level: department, parent: P}
  - {id: P-C1, name: "Xã Vùng Cao", level: commune, parent: P, remote: true}
  - {id: P-C2, name: "Xã Đồng Bằng", level: commune, parent: P}
  - {id: P-S, name: "Trường Bản Xa", level: school, parent: P-D, remote: true}
  - {id: P-E, name: "Công ty Gốm", level: enterprise, parent: P}
people:
  - {login: a, name: "Lò Thị A", unit: P-C1, gender: F, ethnicity: Tày, direct_worker: true}
  - {login: b, name: "Trần Văn B", unit: P-C2, gender: M, ethnicity: Kinh, direct_worker: true}
  - {login: c, name: "Lê Thị C", unit: P-S, gender: F, ethnicity: Kinh}
  - {login: d, name: "Hoàng Văn D", unit: P-D, gender: M, ethnicity: Nùng}
  - {login: e, name: "Phạm E", unit: P-D, ethnicity: Kinh}
  - {login: f, name: "Vũ Thị F", unit: P-E, gender: F, ethnicity: Kinh, direct_worker: true}
  - {login: sec, name: "Thư Ký", roles: [secretariat@P]}
  - {login: dsec, name: "Thư Ký Sở", roles: [secretariat@P-D]}
  - {login: aud, name: "Kiểm Toán", roles: [auditor@VN]}
  - {login: off, name: "Cán Bộ", roles: [officer@P-D]}
awards:
  - {person: a, award: CSTDCS, year: 2024}
  - {person: a, award: CSTDCS, year: 2025}
  - {person: a, award: LDTT, year: 2026}
  - {person: b, award: LDTT, year: 2026}
  - {person: c, award: LDTT, year: 2026}
  - {person: d, award: CSTDCS, year: 2025}
  - {person: d, award: CSTDCS, year: 2026}
  - {person: f, award: LDTT, year: 2025}
"""
PEOPLE = {  # login: (works at, gender, minority, direct worker) — as the file above says
    "a": ("P-C1", "F", True, True), "b": ("P-C2", "M", False, True),
    "c": ("P-S", "F", False, False), "d": ("P-D", "M", True, False),
    "e": ("P-D", None, False, False), "f": ("P-E", "F", False, True),
}
LEVEL = {"P": "province", "P-D": "department", "P-C1": "commune", "P-C2": "commune",
         "P-S": "school", "P-E": "enterprise", "VN": "central"}
REMOTE = {"P-C1", "P-S"}
GRASSROOTS = {"commune", "school", "enterprise", "unit"}  # definitions/catalogue.yaml
AWARD_OF = {"chien-si-thi-dua-co-so": "CSTDCS", "bang-khen-tinh": "BKTINH",
            "doanh-nghiep": "CTDTINH", "khen-thuong-dot-xuat": "GKDX",
            "huan-chuong-lao-dong-hang-ba": "HCLD3"}
AWARD_LEVEL = {"CSTDCS": "unit", "LDTT": "unit", "BKTINH": "province", "CTDTINH": "province",
               "GKDX": "unit", "HCLD3": "central"}
SUBTREE_P = {"P", "P-D", "P-C1", "P-C2", "P-S", "P-E"}
FINAL = {"awarded": "awarded", "rejected": "rejected", "withdrawn": "withdrawn"}


def t(text: str) -> datetime:
    """A local time of the fixture (``2026-01-05 09:00``)."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@dataclass
class Item:
    id: int
    flow: str
    unit: str
    person: str | None  # None: a collective
    stays: list[tuple[str, datetime, datetime | None, datetime | None]]  # state, in, out, due
    year: int | None = None  # the nomination's year field
    objections: list[tuple[datetime, str, datetime | None]] = field(default_factory=list)

    @property
    def created(self) -> datetime:
        return self.stays[0][1]

    @property
    def state(self) -> str:
        return self.stays[-1][0]

    @property
    def outcome(self) -> str | None:
        return FINAL.get(self.state)

    @property
    def due(self) -> datetime | None:
        return None if self.outcome else self.stays[-1][3]


ITEMS = [
    # awarded in 2026; one stay late (pending_decision), one objection upheld
    Item(1, "chien-si-thi-dua-co-so", "P-C1", "a", [
        ("draft", t("2026-01-05 09:00"), t("2026-01-06 10:00"), None),
        ("submitted", t("2026-01-06 10:00"), t("2026-01-09 10:00"), t("2026-01-13 17:00")),
        ("voting", t("2026-01-09 10:00"), t("2026-01-20 08:00"), t("2026-01-30 17:00")),
        ("pending_decision", t("2026-01-20 08:00"), t("2026-02-02 15:00"),
         t("2026-01-27 17:00")),
        ("awarded", t("2026-02-02 15:00"), None, None)], 2026,
         [(t("2026-01-25 10:00"), "upheld", t("2026-01-28 10:00"))]),
    # created in 2025, awarded in 2026: a nomination of 2025 and an award of 2026
    Item(2, "chien-si-thi-dua-co-so", "P-C2", "b", [
        ("draft", t("2025-12-20 09:00"), t("2025-12-22 09:00"), None),
        ("submitted", t("2025-12-22 09:00"), t("2025-12-31 16:00"), t("2025-12-29 17:00")),
        ("voting", t("2025-12-31 16:00"), t("2026-01-10 09:00"), t("2026-01-20 17:00")),
        ("pending_decision", t("2026-01-10 09:00"), t("2026-01-12 11:00"),
         t("2026-01-17 17:00")),
        ("awarded", t("2026-01-12 11:00"), None, None)], 2025),
    # on hold since an objection (still open)
    Item(3, "chien-si-thi-dua-co-so", "P-S", "c", [
        ("draft", t("2026-01-10 08:00"), t("2026-01-12 08:00"), None),
        ("submitted", t("2026-01-12 08:00"), t("2026-01-14 08:00"), t("2026-01-19 17:00")),
        ("voting", t("2026-01-14 08:00"), t("2026-01-24 10:00"), t("2026-02-04 17:00")),
        ("on_hold", t("2026-01-24 10:00"), None, None)], 2026,
         [(t("2026-01-24 10:00"), "open", None)]),
    # open and overdue at the report's moment
    Item(4, "bang-khen-tinh", "P-D", "d", [
        ("draft", t("2026-02-01 09:00"), t("2026-02-02 09:00"), None),
        ("unit_council", t("2026-02-02 09:00"), None, t("2026-03-01 17:00"))], 2026),
    # rejected; the nominee's gender is not known; an objection dismissed
    Item(5, "bang-khen-tinh", "P-D", "e", [
        ("draft", t("2026-02-03 09:00"), t("2026-02-04 09:00"), None),
        ("pending_decision", t("2026-02-04 09:00"), t("2026-02-20 09:00"),
         t("2026-02-25 17:00")),
        ("rejected", t("2026-02-20 09:00"), None, None)], 2026,
         [(t("2026-02-05 09:00"), "dismissed", t("2026-02-15 09:00"))]),
    # a collective (an enterprise): no person; awarded late
    Item(6, "doanh-nghiep", "P-E", None, [
        ("draft", t("2026-01-15 09:00"), t("2026-01-16 09:00"), None),
        ("submitted", t("2026-01-16 09:00"), t("2026-03-01 09:00"), t("2026-02-10 17:00")),
        ("awarded", t("2026-03-01 09:00"), None, None)], 2026),
    # withdrawn
    Item(7, "chien-si-thi-dua-co-so", "P-E", "f", [
        ("draft", t("2026-02-10 09:00"), t("2026-02-11 09:00"), None),
        ("withdrawn", t("2026-02-11 09:00"), None, None)], 2026),
    # the year before: awarded in 2025
    Item(8, "khen-thuong-dot-xuat", "P-C2", "b", [
        ("draft", t("2025-06-01 09:00"), t("2025-06-02 09:00"), None),
        ("submitted", t("2025-06-02 09:00"), t("2025-06-10 09:00"), t("2025-06-05 17:00")),
        ("awarded", t("2025-06-10 09:00"), None, None)], 2025,
         [(t("2025-06-03 09:00"), "dismissed", t("2025-06-04 09:00"))]),
    Item(9, "chien-si-thi-dua-co-so", "P-S", "c", [
        ("draft", t("2025-03-01 09:00"), t("2025-03-02 09:00"), None),
        ("awarded", t("2025-04-01 09:00"), None, None)], 2025),
    # nominated by the centre for someone of the province: outside P's subtree
    Item(10, "huan-chuong-lao-dong-hang-ba", "VN", "d", [
        ("draft", t("2026-02-05 09:00"), t("2026-02-06 09:00"), None),
        ("submitted", t("2026-02-06 09:00"), t("2026-03-10 09:00"), t("2026-02-13 17:00")),
        ("awarded", t("2026-03-10 09:00"), None, None)], 2026),
    # the last day of 2025 in local time is still 2025, although it is 2025-12-31 in UTC
    # until 07:00 the next morning
    Item(11, "chien-si-thi-dua-co-so", "P-C1", "a", [
        ("draft", t("2025-12-31 23:30"), None, None)], 2025),
]
HOLD = {"on_hold"}


@dataclass(frozen=True)
class Grant:
    """A row of the register (``award_grant``) and the date of its decision."""

    id: int
    unit: str  # the nominating unit
    person: str | None  # None: a collective
    award: str
    year: int
    decided: date  # the decision's date (local)
    status: str = "granted"
    nomination: int | None = None


# every awarded item has its grant, by a decision dated the day the item was awarded; the
# decision's year of award is the nomination's year field
GRANTS = [Grant(i.id, i.unit, i.person, AWARD_OF[i.flow], i.year or i.created.year,
                i.stays[-1][1].date(), nomination=i.id) for i in ITEMS if i.outcome == "awarded"]
GRANTS += [
    # a decision's grant with no item here (awarded on a list): LDTT 2026 for f
    Grant(20, "P-E", "f", "LDTT", 2026, date(2026, 1, 20)),
    # revoked after a complaint: counted apart, never as an award nor in e's history (were it
    # counted, LDTT 2026 would make e eligible for CSTDCS)
    Grant(21, "P-D", "e", "LDTT", 2026, date(2026, 2, 20), status="revoked"),
]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _fill(engine: Engine) -> None:
    """The fixture, row by row, as the engine would have stored it."""
    with engine.begin() as conn:
        for item in ITEMS:
            last = item.stays[-1]
            conn.execute(insert(tables.Nomination.__table__), [{  # type: ignore[attr-defined]
                "id": item.id, "flow_id": item.flow, "flow_version": "fixture",
                "state": item.state, "version": 1, "unit_id": item.unit,
                "nominee": item.person or "Công ty Gốm", "person_login": item.person,
                "fields": json.dumps({"year": item.year} if item.year else {},
                                     separators=(",", ":"), sort_keys=True),  # as stored
                "created_at": _utc(item.created), "created_by": "fixture",
                "entered_at": _utc(last[1]), "entry_no": len(item.stays),
                "due_at": _utc(item.due), "final": item.outcome is not None,
                "outcome": item.outcome, "hold_data": None}])
            conn.execute(insert(tables.StageVisit.__table__), [{  # type: ignore[attr-defined]
                "nomination_id": item.id, "entry_no": n, "flow_id": item.flow, "state": state,
                "unit_id": item.unit, "created_at": _utc(item.created),
                "entered_at": _utc(came), "left_at": _utc(went),
                "days": None if went is None else (went - came).total_seconds() / 86400,
                "due_at": _utc(due)} for n, (state, came, went, due) in
                enumerate(item.stays, start=1)])
            for filed, status, resolved in item.objections:
                conn.execute(insert(tables.Objection.__table__), [{  # type: ignore[attr-defined]
                    "nomination_id": item.id, "text": "…", "filed_at": _utc(filed),
                    "status": status, "resolved_at": _utc(resolved)}])
        for g in GRANTS:  # one decision each, numbered in its year
            conn.execute(insert(tables.Decision.__table__), [{  # type: ignore[attr-defined]
                "id": g.id, "unit_id": "P", "year": g.decided.year, "seq": g.id,
                "number": f"{g.id}/QĐ-P", "decided_on": g.decided.isoformat(),
                "issued_at": datetime.combine(g.decided, datetime.min.time(), UTC),
                "issued_by": "fixture", "items": 1}])
            conn.execute(insert(tables.AwardGrant.__table__), [{  # type: ignore[attr-defined]
                "kind": "collective" if g.person is None else "individual",
                "person_login": g.person, "nominee": g.person or "Công ty Gốm",
                "unit_id": g.unit, "award": g.award, "year": g.year, "ad_hoc": False,
                "decision_id": g.id, "nomination_id": g.nomination, "source": "decision",
                "status": g.status, "confidential": False,
                "revoked_at": None if g.status == "granted" else datetime(2026, 3, 1, tzinfo=UTC),
                "granted_at": datetime.combine(g.decided, datetime.min.time(), UTC)}])


@pytest.fixture
def rcli(db_url: str, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(db_url, now=NOW_TEXT)
    runner.ok("init")
    path = tmp_path / "directory.yaml"
    path.write_text(DIRECTORY, encoding="utf-8")
    runner.ok("directory", "load", str(path))
    engine = make_engine(db_url)
    try:
        _fill(engine)
    finally:
        engine.dispose()
    yield runner


# ---- the answers, computed from the fixture ---------------------------------------------


def local_year(when: datetime) -> int:
    return when.astimezone(TZ).year


def cohort(year: int | None, units: set[str] | None) -> list[Item]:
    return [i for i in ITEMS if (year is None or local_year(i.created) == year)
            and (units is None or i.unit in units)]


def days_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = -(-len(ordered) * int(p * 10) // 10)  # ⌈p·n⌉ with p in tenths
    return ordered[rank - 1]


def table(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return next(t["rows"] for t in report["tables"] if t["key"] == key)


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


# ---- cycle -----------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "unit"), [(2026, "P"), (2025, "P"), (None, None),
                                            (2026, "P-D")])
def test_cycle_counts_every_flow_and_stage_as_the_fixture_says(
        rcli: Cli, year: int | None, unit: str | None) -> None:
    args = ["report", "cycle"] + (["--year", str(year)] if year else []) + (
        ["--unit", unit] if unit else [])
    report = rcli.ok(*args)
    units = ({unit} | {u for u in SUBTREE_P if unit == "P"}) if unit else None
    if unit == "P-D":
        units = {"P-D", "P-S"}
    items = cohort(year, units)
    flows = by([r for r in table(report, "flows") if "flow_id" in r], "flow_id")
    assert set(flows) == {i.flow for i in items}
    for flow_id, row in flows.items():
        mine = [i for i in items if i.flow == flow_id]
        assert row["nominated"] == len(mine)
        for outcome in ("awarded", "rejected", "withdrawn"):
            assert row[outcome] == sum(i.outcome == outcome for i in mine), (flow_id, outcome)
        assert row["open"] == sum(i.outcome is None for i in mine)
        assert row["on_hold"] == sum(i.state in HOLD for i in mine)
        assert row["overdue"] == sum(i.outcome is None and i.due is not None and i.due < NOW
                                     for i in mine)
    total = table(report, "flows")[-1]
    assert total["flow"] == "Tổng cộng" and total["nominated"] == len(items)

    stays: dict[tuple[str, str], list[tuple[datetime, datetime | None, datetime | None]]] = {}
    for i in items:
        for state, came, went, due in i.stays:
            if state not in FINAL:
                stays.setdefault((i.flow, state), []).append((came, went, due))
    stages = {(r["flow_id"], r["state"]): r for r in table(report, "stages")}
    assert set(stages) == set(stays)
    for key, visits in stays.items():
        row = stages[key]
        done = [(c, w, d) for c, w, d in visits if w is not None]
        timed = [(c, w, d) for c, w, d in done if d is not None]
        assert row["entered"] == len(visits), key
        assert row["open"] == sum(w is None for _, w, _ in visits), key
        assert row["overdue"] == sum(w is None and d is not None and d < NOW
                                     for _, w, d in visits), key
        spans = [days_between(w, c) for c, w, _ in done if w is not None]
        assert row["median_days"] == (round(nearest_rank(spans, 0.5), 2) if spans else None)
        assert row["p90_days"] == (round(nearest_rank(spans, 0.9), 2) if spans else None)
        on_time = sum(w <= d for _, w, d in timed if w is not None and d is not None)
        assert row["on_time"] == (round(on_time / len(timed), 4) if timed else None), key


def test_a_period_counts_by_local_days_and_year_says_what_it_counts(rcli: Cli) -> None:
    # 2025-12-31 23:30 in Hà Nội is 16:30 UTC the same day: it belongs to 2025, not 2026
    last_day = rcli.ok("report", "cycle", "--from", "2025-12-31", "--to", "2025-12-31")
    assert table(last_day, "flows")[-1]["nominated"] == 1
    assert last_day["period"] == {"year": None, "from": "2025-12-31", "to": "2025-12-31",
                                  "label": "2025-12-31 – 2025-12-31"}
    january = rcli.ok("report", "cycle", "--from", "2026-01-01", "--to", "2026-01-31")
    assert table(january, "flows")[-1]["nominated"] == sum(
        date(2026, 1, 1) <= i.created.date() <= date(2026, 1, 31) for i in ITEMS)
    said = " ".join(b["en"] for b in rcli.ok("report", "priority", "--year", "2026")["basis"])
    assert "day of the decision" in said and "day they were created" in said
    # awards by the decision's date: the one decision of 2026-01-20 (f's LDTT)
    one_day = rcli.ok("report", "priority", "--from", "2026-01-20", "--to", "2026-01-20")
    assert one_day["headline"]["awards"] == sum(
        g.decided == date(2026, 1, 20) and g.status == "granted" for g in GRANTS) == 1
    text = rcli.ok("report", "cycle", "--year", "2026", json_out=False)
    assert "counted by the day they were created" in text


# ---- priority and statistics ----------------------------------------------------------


def groups(items: list[Grant] | list[Item]) -> dict[str, int]:
    """The sums of the priority groups over ``items`` (people from PEOPLE, units from the
    fixture's tree; a collective's unit is the nominating unit)."""
    out = dict.fromkeys(("total", "collectives", "women", "minority", "direct", "grassroots",
                         "remote"), 0)
    for i in items:
        out["total"] += 1
        person = PEOPLE.get(i.person) if i.person else None
        where = person[0] if person else i.unit
        out["collectives"] += i.person is None
        out["women"] += bool(person and person[1] == "F")
        out["minority"] += bool(person and person[2])
        out["direct"] += bool(person and person[3])
        out["grassroots"] += LEVEL[where] in GRASSROOTS
        out["remote"] += where in REMOTE
    return out


def shares(sums: dict[str, int]) -> dict[str, float | None]:
    individuals = sums["total"] - sums["collectives"]

    def part(n: int, whole: int) -> float | None:
        return None if whole == 0 else round(n / whole, 4)

    return {"women": part(sums["women"], individuals),
            "minority": part(sums["minority"], individuals),
            "direct": part(sums["direct"], individuals),
            "grassroots": part(sums["grassroots"], sums["total"]),
            "remote": part(sums["remote"], sums["total"])}


def awards_in(year: int, units: set[str] | None, status: str = "granted") -> list[Grant]:
    """The register's grants (``status``) of decisions dated in ``year`` — never the
    directory's imported awards."""
    return [g for g in GRANTS if g.status == status and g.decided.year == year
            and (units is None or g.unit in units)]


def award_code(x: Grant | Item) -> str:
    return x.award if isinstance(x, Grant) else AWARD_OF[x.flow]


@pytest.mark.parametrize("unit", ["P", None])
def test_priority_shares_by_level_and_against_the_year_before(rcli: Cli, unit: str | None
                                                               ) -> None:
    units = SUBTREE_P if unit else None
    report = rcli.ok("report", "priority", "--year", "2026", *(["--unit", unit] if unit else []))
    this, before = awards_in(2026, units), awards_in(2025, units)
    assert this and before  # the fixture has awards in both years
    now_sums, before_sums = groups(this), groups(before)
    trend = by(table(report, "shares"), "group")
    for key, value in shares(now_sums).items():
        assert trend[key]["share"] == value, key
        assert trend[key]["count"] == now_sums[key]
        assert trend[key]["previous"] == shares(before_sums)[key]
    assert report["headline"]["awards"] == len(this)
    assert {k: report["headline"][k] for k in shares(now_sums)} == shares(now_sums)

    level_names = {"unit": "Cấp cơ sở", "province": "Cấp tỉnh", "central": "Cấp Nhà nước, "
                   "Trung ương"}
    assert any(g.person is None for g in this)  # the collective counts among the awards
    both: tuple[tuple[str, list[Grant] | list[Item]], ...] = (
        ("awards", this), ("nominations", cohort(2026, units)))
    for key, items in both:
        rows = by(table(report, key), "label")
        expected_levels = {AWARD_LEVEL[award_code(i)] for i in items}
        assert set(rows) == {level_names[lv] for lv in expected_levels} | {"Tổng cộng"}
        for level in expected_levels:
            mine = [i for i in items if AWARD_LEVEL[award_code(i)] == level]
            row, sums = rows[level_names[level]], groups(mine)
            for k in ("total", "collectives", "women", "minority", "direct", "grassroots",
                      "remote"):
                assert row[k] == sums[k], (key, level, k)
            assert row["individuals"] == sums["total"] - sums["collectives"]
            for k, value in shares(sums).items():
                assert row[f"{k}_share"] == value, (key, level, k)
        assert rows["Tổng cộng"]["total"] == len(items)


def test_statistics_by_award_form_level_nominations_and_complaints(rcli: Cli) -> None:
    report = rcli.ok("report", "statistics", "--year", "2026", "--unit", "P")
    awarded = awards_in(2026, SUBTREE_P)
    revoked = awards_in(2026, SUBTREE_P, "revoked")
    assert revoked and all(g.award in {a.award for a in awarded} for g in revoked)
    rows = by([r for r in table(report, "awards") if r["code"]], "code")
    assert set(rows) == {g.award for g in awarded} | {g.award for g in revoked}
    for code, row in rows.items():
        sums = groups([g for g in awarded if g.award == code])
        for k, v in sums.items():
            assert row[k] == v, (code, k)
        assert row["revoked"] == sum(g.award == code for g in revoked), code
    total = table(report, "awards")[-1]
    assert total["label"] == "Tổng cộng" and total["total"] == len(awarded)
    assert total["revoked"] == len(revoked) == report["headline"]["revoked"] == 1
    assert total["collectives"] == sum(g.person is None for g in awarded) == 1
    # the directory's imported LDTT 2026 of a, b and c are history, not awards of 2026
    assert rows["LDTT"]["total"] == sum(g.award == "LDTT" for g in awarded) == 1
    levels = by(table(report, "levels"), "label")
    assert levels["Cấp cơ sở"]["total"] == sum(AWARD_LEVEL[g.award] == "unit"
                                               for g in awarded)
    assert levels["Cấp tỉnh"]["collectives"] == 1
    forms = by(table(report, "forms"), "label")
    assert forms["Danh hiệu thi đua"]["total"] == sum(
        g.award in ("CSTDCS", "LDTT") for g in awarded)
    assert forms["Cờ thi đua"]["total"] == 1
    nominated = table(report, "nominations")[-1]
    mine = cohort(2026, SUBTREE_P)
    assert (nominated["nominated"], nominated["awarded"], nominated["rejected"],
            nominated["withdrawn"], nominated["open"], nominated["on_hold"]) == (
        len(mine), sum(i.outcome == "awarded" for i in mine),
        sum(i.outcome == "rejected" for i in mine), sum(i.outcome == "withdrawn" for i in mine),
        sum(i.outcome is None for i in mine), sum(i.state in HOLD for i in mine))
    filed = [(f, s) for i in ITEMS if i.unit in SUBTREE_P for f, s, _ in i.objections
             if local_year(f) == 2026]
    complaints = table(report, "complaints")[0]
    assert complaints == {"label": "Tổng cộng", "filed": len(filed),
                          "open": sum(s == "open" for _, s in filed),
                          "upheld": sum(s == "upheld" for _, s in filed),
                          "dismissed": sum(s == "dismissed" for _, s in filed)}


# ---- timeliness ------------------------------------------------------------------------


def test_timeliness_late_stays_by_unit_and_stage_with_the_longest_delays(rcli: Cli) -> None:
    report = rcli.ok("report", "timeliness", "--year", "2026", "--unit", "P")
    items = cohort(2026, SUBTREE_P)
    late: list[tuple[Item, str, datetime, datetime | None, float]] = []
    with_due: dict[str, int] = {}
    for i in items:
        for state, _came, went, due in i.stays:
            if due is None:
                continue
            with_due[i.unit] = with_due.get(i.unit, 0) + 1
            end = went or NOW
            if end > due:
                late.append((i, state, due, went, days_between(end, due)))
    units = by(table(report, "units"), "unit_id")
    assert set(units) == set(with_due)
    for unit_id, row in units.items():
        mine = [x for x in late if x[0].unit == unit_id]
        assert row["with_due"] == with_due[unit_id]
        assert row["late"] == len(mine)
        assert row["late_open"] == sum(x[3] is None for x in mine)
        assert row["longest_days"] == (round(max(x[4] for x in mine), 2) if mine else None)
        assert row["on_time"] == round((with_due[unit_id] - len(mine)) / with_due[unit_id], 4)
    stages = {(r["unit_id"], r["state"]): r for r in table(report, "stages")}
    assert set(stages) == {(x[0].unit, x[1]) for x in late}
    longest = table(report, "longest")
    expected = sorted(late, key=lambda x: (-x[4], x[0].id))
    assert [r["item"] for r in longest] == [str(x[0].id) for x in expected]
    assert [r["delay_days"] for r in longest] == [round(x[4], 2) for x in expected]
    assert longest[0]["left_at"] is not None or longest[0]["item"] == "4"
    objections = by(table(report, "objections"), "unit_id")
    filed = [(i, f, s, r) for i in items for f, s, r in ITEMS[i.id - 1].objections
             if local_year(f) == 2026]
    assert set(objections) == {i.unit for i, *_ in filed}
    for unit_id, row in objections.items():
        mine = [x for x in filed if x[0].unit == unit_id]
        assert row["filed"] == len(mine)
        assert row["open"] == sum(s == "open" for _, _, s, _ in mine)
        waits = [days_between(NOW, f) for _, f, s, _ in mine if s == "open"]
        assert row["waiting_days"] == (round(max(waits), 2) if waits else None)
        took = [days_between(r, f) for _, f, _, r in mine if r is not None]
        assert row["resolve_days"] == (round(max(took), 2) if took else None)


# ---- eligible --------------------------------------------------------------------------


def test_eligible_lists_who_the_rules_allow_and_nobody_has_nominated(rcli: Cli) -> None:
    report = rcli.ok("report", "eligible", "--year", "2026", "--unit", "P")
    found = {(r["login"], r["code"]) for r in table(report, "people")}
    # b holds LDTT 2026 (imported; CSTDCS needs it in the same year) and his CSTDCS
    # nomination is for 2025; f's LDTT 2026 comes from a decision and her CSTDCS nomination
    # was withdrawn; a holds CSTDCS 2026 by decision (item 1), which ends a streak of three
    # with her imported 2024 and 2025 (CSTDT, and BKTINH's two in a row: she is nominated
    # for neither) and was nominated for CSTDCS 2026 anyway; c was nominated for 2026;
    # d's two CSTDCS in a row meet BKTINH's streak but he was nominated for it; e's LDTT
    # 2026 was revoked, so e has no history.
    assert found == {("a", "BKTINH"), ("a", "CSTDT"), ("b", "CSTDCS"), ("f", "CSTDCS")}
    rows = by(table(report, "people"), "login")
    assert rows["b"]["unit"] == "Xã Đồng Bằng" and "LDTT 2026" in rows["b"]["history"]
    assert rows["f"]["history"] == "LDTT 2025, LDTT 2026"
    assert "rating" in rows["b"]["to_check"]
    assert "CSTDCS 2026" in by(table(report, "people"), "code")["CSTDT"]["history"]
    counts = by(table(report, "awards"), "label")
    assert counts["Chiến sĩ thi đua cơ sở"]["people"] == 2
    assert sum(r["people"] for r in counts.values()) == 4
    # a withdrawn nomination does not count as one: f is nominated again if eligible
    only_school = rcli.ok("report", "eligible", "--year", "2026", "--unit", "P-S")
    assert table(only_school, "people") == []


# ---- files, access and refusals --------------------------------------------------------


def test_files_xlsx_html_and_csv_hold_the_same_figures(rcli: Cli, tmp_path: Path) -> None:
    data = rcli.ok("report", "priority", "--year", "2026", "--unit", "P")
    out = rcli.ok("report", "priority", "--year", "2026", "--unit", "P", "--out",
                  str(tmp_path / "p.xlsx"))
    assert out["out"] == [str(tmp_path / "p.xlsx")]
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert book.sheetnames[0] == "Tóm tắt" and len(book.sheetnames) == 1 + len(data["tables"])
    sheet = book[book.sheetnames[1]]
    assert sheet.freeze_panes == "A3"
    assert len(sheet._charts) == 1  # a native bar chart
    shares_row = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2)
                  for r in range(3, sheet.max_row + 1)}
    women = shares_row["Nữ"]
    assert women.value == by(table(data, "shares"), "group")["women"]["share"]
    assert women.number_format == "0.0%"

    rcli.ok("report", "cycle", "--year", "2026", "--out", str(tmp_path / "c.html"))
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<svg" in page and "@page" in page and "A4" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page and "<script" not in page
    total = table(rcli.ok("report", "cycle", "--year", "2026"), "flows")[-1]
    assert f">{total['nominated']}<" in page

    folder = tmp_path / "csv"
    folder.mkdir()
    written = rcli.ok("report", "timeliness", "--year", "2026", "--out", str(folder))["out"]
    assert sorted(Path(p).name for p in written) == sorted(
        f"timeliness-{k}.csv" for k in ("units", "stages", "longest", "objections"))
    rows = (folder / "timeliness-units.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("Đơn vị,") and len(rows) == 1 + len(
        table(rcli.ok("report", "timeliness", "--year", "2026"), "units"))
    beside = rcli.ok("report", "cycle", "--out", str(tmp_path / "cycle.csv"))["out"]
    assert [Path(p).name for p in beside] == ["cycle-flows.csv", "cycle-stages.csv"]


def test_who_may_read_a_units_reports(rcli: Cli) -> None:
    assert rcli.ok("report", "cycle", "--unit", "P-D", user="dsec")["unit"] == "P-D"
    assert rcli.ok("report", "cycle", user="sec")["unit"] == "P"  # their own unit by default
    assert rcli.ok("report", "cycle", "--unit", "P-S", user="aud")["unit"] == "P-S"
    assert rcli.fails(3, "report", "cycle", "--unit", "P", user="dsec")["type"] == \
        "PermissionDenied"
    assert rcli.fails(3, "report", "cycle", "--unit", "P-D", user="off")
    assert rcli.fails(3, "report", "cycle", user="off")


def test_refusals_say_what_was_allowed(rcli: Cli, tmp_path: Path) -> None:
    error = rcli.fails(1, "report", "cycel")
    assert "did you mean 'cycle'" in error["message"] and "timeliness" in error["message"]
    assert "not both" in rcli.fails(1, "report", "cycle", "--year", "2026", "--from",
                                    "2026-01-01")["message"]
    assert "YYYY-MM-DD" in rcli.fails(1, "report", "cycle", "--from", "1/2/2026")["message"]
    assert "before" in rcli.fails(1, "report", "cycle", "--from", "2026-02-01", "--to",
                                  "2026-01-01")["message"]
    assert rcli.fails(5, "report", "cycle", "--unit", "NOWHERE")["type"] == "NotFound"
    campaign = rcli.fails(5, "report", "campaign", "PT-2026")
    assert "campaign" in campaign["message"]
    assert rcli.fails(2, "report", "cycle", "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
    assert rcli.fails(1, "report", "cycle", "--out", str(tmp_path / "no" / "x.xlsx"))


# ---- campaign ---------------------------------------------------------------------------


def test_the_campaign_kind_is_the_campaigns_own_review(cli: Cli, tmp_path: Path) -> None:
    """``award report campaign C`` gives the tables of ``award campaign report C``, limited
    to ``--unit``'s subtree when one is given, and writes them like every other report."""
    campaign = "bac-ninh-2026"  # the sample directory registered units and people in it
    cli.ok("register", campaign, "--unit", "BN-SYT", "--award", "CTDTINH", user="trang")
    review = cli.ok("campaign", "report", campaign)
    report = cli.ok("report", "campaign", campaign)
    assert report["kind"] == "campaign" and report["headline"]["campaign"] == campaign
    for key, summary in review["summary"].items():
        assert report["headline"][key] == summary, key
    for key, expected in review["tables"].items():
        rows = table(report, key)
        assert [[r[c] for c in expected["columns"]] for r in rows] == [
            [("✓" if v else "") if c == "leader" else v
             for c, v in zip(expected["columns"], row, strict=True)]
            for row in expected["rows"]], key
    by_unit = table(report, "by_unit_award")
    assert {r["unit"] for r in by_unit} >= {"BN-SGD", "BN-SYT"}
    one = table(cli.ok("report", "campaign", campaign, "--unit", "BN-SGD"), "by_unit_award")
    assert one == [r for r in by_unit if r["unit"] == "BN-SGD"] and one
    out = cli.ok("report", "campaign", campaign, "--out", str(tmp_path / "pt.xlsx"))
    assert out["out"] == [str(tmp_path / "pt.xlsx")]
    book = openpyxl.load_workbook(tmp_path / "pt.xlsx")
    assert len(book.sheetnames) == 1 + len(review["tables"])
    unknown = cli.fails(5, "report", "campaign", "bac-ninh-2062")
    assert unknown["type"] == "NotFound" and "bac-ninh-2026" in unknown["message"]
    missing = cli.fails(1, "report", "campaign")
    assert "award report campaign CAMPAIGN" in missing["message"]


# ---- the engine keeps the stays reports read --------------------------------------------


def test_every_move_of_a_real_item_is_a_stay_the_cycle_report_reads(cli: Cli, dossier: Path
                                                                     ) -> None:
    day1 = "2026-03-02T09:00:00+07:00"  # a Monday; the check is due at the end of Wednesday
    item = str(cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-THPT-LTT",
                      "--nominee", "Đặng Thị Yến", "--person", "yen", "--set",
                      "deed=Cứu người đuối nước", "--set", "deed_date=2026-02-27",
                      user="mai", now=day1)["id"])
    for doctype in ("to_trinh", "bao_cao", "xac_nhan"):
        cli.ok("attach", item, doctype, str(dossier), user="mai", now=day1)
    cli.ok("fire", item, "submit", user="mai", now=day1)
    cli.ok("fire", item, "accept", user="son", now="2026-03-05T09:00:00+07:00")  # a day late
    cli.ok("fire", item, "propose_award", user="son", now="2026-03-05T15:00:00+07:00")
    report = cli.ok("report", "cycle", "--year", "2026", "--unit", "BN-THPT-LTT",
                    now="2026-03-06T09:00:00+07:00")
    stages = {r["state"]: r for r in table(report, "stages")}
    assert list(stages) == ["draft", "submitted", "appraisal", "pending_decision"]
    assert stages["submitted"]["median_days"] == stages["submitted"]["p90_days"] == 3.0
    assert stages["submitted"]["on_time"] == 0.0
    assert stages["appraisal"]["median_days"] == 0.25 and stages["appraisal"]["on_time"] == 1.0
    assert stages["pending_decision"]["open"] == 1 and stages["pending_decision"][
        "median_days"] is None
    flows = table(report, "flows")
    assert flows[-1]["nominated"] == flows[-1]["open"] == 1
    late = rcli_units = table(cli.ok("report", "timeliness", "--unit", "BN-THPT-LTT",
                                     now="2026-03-06T09:00:00+07:00"), "units")
    assert [(r["unit_id"], r["late"]) for r in late] == [("BN-THPT-LTT", 1)]
    assert rcli_units[0]["longest_days"] == 0.38  # 09:00 on Thursday, due 23:59:59 Wednesday


# ---- the directory's priority groups ------------------------------------------------------


@pytest.mark.parametrize(("line", "at", "message"), [
    ("  - {login: x, name: X, gender: W}", "W", "gender 'W' is not allowed; allowed: F, M"),
    ("  - {login: x, name: X, direct_worker: yes}", "yes",
     "direct_worker must be true or false"),
    ("  - {login: x, name: X, ethnicity: ''}", "''", "ethnicity must be a non-empty string"),
    ("  - {login: x, name: X, sex: F}", "sex", "unknown key 'sex'"),
])
def test_a_persons_groups_are_read_strictly(bare_cli: Cli, tmp_path: Path, line: str, at: str,
                                            message: str) -> None:
    bare_cli.ok("init")
    path = tmp_path / "d.yaml"
    path.write_text(f"people:\n{line}\n", encoding="utf-8")
    error = bare_cli.fails(1, "directory", "load", str(path))
    where = f"{path}:2:{line.index(at) + 1}: "
    assert f"{where}{message}" in error["message"], error["message"]
    assert bare_cli.ok("report", "priority")["headline"]["awards"] == 0  # nothing was loaded


def test_a_units_remote_flag_and_level_are_read_strictly(bare_cli: Cli, tmp_path: Path
                                                         ) -> None:
    bare_cli.ok("init")
    path = tmp_path / "d.yaml"
    path.write_text("units:\n  - {id: A, name: A, level: province, remote: 1}\n"
                    "  - {id: B, name: B, level: hamlet, parent: A}\n", encoding="utf-8")
    error = bare_cli.fails(1, "directory", "load", str(path))
    problems = error.get("problems") or [error["message"]]
    text = "\n".join(problems)
    first = "  - {id: A, name: A, level: province, remote: 1}"
    second = "  - {id: B, name: B, level: hamlet, parent: A}"
    assert f"{path}:2:{first.index('1}') + 1}: unit remote must be true or false" in text
    assert f"{path}:3:{second.index('hamlet') + 1}: unit level 'hamlet' is not allowed" in text


def test_groups_a_later_file_leaves_out_are_kept(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "again.yaml"
    path.write_text('people:\n  - {login: bich, name: "Lý Thị Bích"}\n', encoding="utf-8")
    assert cli.ok("directory", "load", str(path))["changed"]["people"] == 0
    again = tmp_path / "moved.yaml"
    again.write_text('people:\n  - {login: bich, name: "Lý Thị Bích", ethnicity: Kinh}\n',
                     encoding="utf-8")
    assert cli.ok("directory", "load", str(again))["changed"]["people"] == 1
