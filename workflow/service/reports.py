"""The kinds of ``award report`` (SPEC §10.6): each turns the store's aggregates into a
:class:`~workflow.report.Report`.

A kind is one function registered in :data:`KINDS` under its name; adding one is one more
function here and nothing anywhere else (``campaign`` is the campaigns' own review,
:func:`~workflow.service.campaign_report.campaign_report`, as a report). Every figure comes from a
``GROUP BY`` of :class:`~workflow.store.reports.ReportRepo`; this module only folds the few
rows that come back by flow, state, award and level.

What the period means is said in every report: nominations by the day they were created,
awards by the day of their decision. Awards are the register's grants (``award_grant``) made
by a numbered decision, collectives included; a revoked grant is counted apart, never as an
award. Imported awards (made before the engine, with no decision) count only where a report
is about a person's history: the ``eligible`` kind.

Above :mod:`workflow.service.base` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.catalogue import Facts, HistoryEntry, Rule
from workflow.errors import InvalidInput
from workflow.flow import FlowSpec
from workflow.report import Chart, Column, Period, Report, Table, days, period, share
from workflow.service.base import Deps
from workflow.service.campaign_report import campaign_report
from workflow.store import Tx

__all__ = ["FORM_LABELS", "GROUPS", "KINDS", "LEVEL_LABELS", "Kind", "Scope"]

LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "central": ("Cấp Nhà nước, Trung ương", "State, central"),
    "ministry": ("Cấp bộ, ngành", "Ministry"),
    "province": ("Cấp tỉnh", "Province"),
    "department": ("Cấp sở, ban, ngành", "Department"),
    "district": ("Cấp huyện", "District"),
    "commune": ("Cấp xã", "Commune"),
    "unit": ("Cấp cơ sở", "Grassroots unit"),
    "school": ("Cấp trường", "School"),
    "enterprise": ("Cấp doanh nghiệp", "Enterprise"),
}
FORM_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Danh hiệu thi đua", "Emulation title"),
    "commendation": ("Bằng khen, Giấy khen", "Certificate of merit"),
    "honour": ("Danh hiệu vinh dự Nhà nước", "State honorary title"),
    "order": ("Huân chương", "Order"),
    "medal": ("Huy chương", "Medal"),
    "flag": ("Cờ thi đua", "Emulation flag"),
}
#: the priority groups of Directive 41 and the provincial plans: key, Vietnamese, English and
#: the denominator of their share (individuals, or every award)
GROUPS: tuple[tuple[str, str, str, str], ...] = (
    ("women", "Nữ", "Women", "individuals"),
    ("minority", "Người dân tộc thiểu số", "Ethnic minorities", "individuals"),
    ("direct", "Người lao động trực tiếp", "Direct workers", "individuals"),
    ("grassroots", "Đơn vị cơ sở", "Grassroots units", "total"),
    ("remote", "Vùng sâu, vùng xa", "Remote areas", "total"),
)
_SUMS = ("total", "collectives", "women", "minority", "direct", "grassroots", "remote")
TOTAL = ("Tổng cộng", "Total")
LONGEST = 20


@dataclass
class Scope:
    """What a kind is asked for: the unit (None: everything) and its subtree's unit ids,
    the period, the moment of the report and the kind's argument (a campaign id)."""

    deps: Deps
    tx: Tx
    unit: str | None
    units: list[str] | None
    period: Period
    now: datetime
    arg: str | None = None

    def flow(self, flow_id: str) -> FlowSpec | None:
        return self.deps.definitions.flows.get(flow_id)

    def flow_title(self, flow_id: str) -> str:
        spec = self.flow(flow_id)
        return spec.title.get("vi", flow_id) if spec else flow_id

    def state_label(self, flow_id: str, state: str) -> str:
        spec = self.flow(flow_id)
        found = spec.states.get(state) if spec else None
        return found.label.get("vi", state) if found and found.label else state

    def unit_name(self, unit_id: str | None) -> str:
        if unit_id is None:
            return ""
        found = self.deps.tree(self.tx).units.get(unit_id)
        return found.name if found else unit_id

    def award_of(self, flow_id: str) -> str:
        spec = self.flow(flow_id)
        return spec.award if spec else flow_id

    def window(self) -> tuple[datetime | None, datetime | None]:
        return self.period.start, self.period.end


@dataclass(frozen=True)
class Kind:
    name: str
    vi: str
    en: str
    build: Callable[[Scope], Report]
    argument: str | None = None  # the name of the kind's argument, if it takes one


KINDS: dict[str, Kind] = {}


def kind(name: str, vi: str, en: str, argument: str | None = None
         ) -> Callable[[Callable[[Scope], Report]], Callable[[Scope], Report]]:
    def register(build: Callable[[Scope], Report]) -> Callable[[Scope], Report]:
        KINDS[name] = Kind(name, vi, en, build, argument)
        return build
    return register


def _report(scope: Scope, name: str, *basis: tuple[str, str]) -> Report:
    k = KINDS[name]
    return Report(kind=name, vi=k.vi, en=k.en, unit=scope.unit,
                  unit_name=scope.unit_name(scope.unit) or "Toàn hệ thống",
                  period=scope.period, generated_at=scope.deps.iso(scope.now) or "",
                  basis=list(basis))


NOMINATIONS_BASIS = ("Hồ sơ đề nghị: tính theo ngày tạo hồ sơ trong kỳ; đơn vị là đơn vị đề "
                     "nghị và các đơn vị trực thuộc.",
                     "Nominations: counted by the day they were created in the period, at the "
                     "unit and every unit below it.")
AWARDS_BASIS = ("Khen thưởng: các khen thưởng trong sổ khen thưởng, tính theo ngày ký quyết "
                "định trong kỳ, cá nhân và tập thể, của đơn vị đề nghị và các đơn vị trực thuộc; "
                "khen thưởng đã bị thu hồi không được tính.", "Awards: the register's grants, "
                "counted by the day of the decision in the period, individuals and "
                "collectives, nominated by the unit and every unit below it; a revoked grant "
                "is not counted.")
GROUPS_BASIS = ("Tỷ lệ nữ, dân tộc thiểu số, lao động trực tiếp tính trên số cá nhân; tỷ lệ "
                "đơn vị cơ sở, vùng sâu vùng xa tính trên tổng số (đơn vị nơi cá nhân công tác, "
                "hoặc đơn vị đề nghị).", "Shares of women, ethnic minorities and direct "
                "workers are of individuals; shares of grassroots and remote units are of all "
                "awards (the unit where the person works, else the nominating unit).")


# ---- cycle ---------------------------------------------------------------------------------

FLOW_COLUMNS = [
    Column("flow", "Quy trình", "Procedure", "text"),
    Column("nominated", "Đề nghị", "Nominated"),
    Column("awarded", "Khen thưởng", "Awarded"),
    Column("rejected", "Không khen thưởng", "Rejected"),
    Column("withdrawn", "Rút, quá hạn", "Withdrawn"),
    Column("open", "Đang xử lý", "Open"),
    Column("on_hold", "Tạm dừng", "On hold"),
    Column("overdue", "Quá hạn", "Overdue"),
]
STAGE_COLUMNS = [
    Column("flow", "Quy trình", "Procedure", "text"),
    Column("stage", "Bước", "Stage", "text"),
    Column("entered", "Lượt vào", "Entered"),
    Column("open", "Đang ở bước", "There now"),
    Column("overdue", "Quá hạn", "Overdue"),
    Column("median_days", "Trung vị (ngày)", "Median (days)", "days"),
    Column("p90_days", "Phân vị 90 (ngày)", "90th percentile (days)", "days"),
    Column("on_time", "Tỷ lệ đúng hạn", "On-time share", "share"),
]


def flow_counts(scope: Scope) -> dict[str, dict[str, int]]:
    """Nominations created in the period per flow: nominated, awarded … overdue."""
    start, end = scope.window()
    out: dict[str, dict[str, int]] = {}
    for flow_id, state, final, outcome, count, overdue in scope.tx.reports.status(
            scope.units, start, end, scope.now):
        row = out.setdefault(flow_id, dict.fromkeys(
            ("nominated", "awarded", "rejected", "withdrawn", "open", "on_hold", "overdue"), 0))
        row["nominated"] += count
        row["overdue"] += int(overdue or 0)
        if final:
            if outcome in ("awarded", "rejected", "withdrawn"):
                row[outcome] += count
            continue
        row["open"] += count
        spec = scope.flow(flow_id)
        found = spec.states.get(state) if spec else None
        if found is not None and found.type == "hold":
            row["on_hold"] += count
    return out


def _totalled(rows: list[dict[str, Any]], label_key: str, keys: Iterable[str]
              ) -> list[dict[str, Any]]:
    total: dict[str, Any] = {label_key: TOTAL[0]}
    for key in keys:
        total[key] = sum(int(r.get(key) or 0) for r in rows)
    return [*rows, total]


@kind("cycle", "Tiến độ xét khen thưởng", "The cycle at a glance")
def cycle(scope: Scope) -> Report:
    report = _report(scope, "cycle", NOMINATIONS_BASIS, (
        "Thời gian mỗi bước: ngày lịch, tính trên các lượt đã rời bước; đúng hạn: rời bước "
        "không muộn hơn hạn của bước.", "Days per stage: calendar days over finished stays; "
        "on time: left no later than the stage's due time."))
    counts = flow_counts(scope)
    flows = [{"flow": scope.flow_title(f), "flow_id": f, **c} for f, c in sorted(counts.items())]
    report.tables.append(Table(
        "flows", "Hồ sơ theo quy trình", "Nominations by procedure", FLOW_COLUMNS,
        _totalled(flows, "flow", [c.key for c in FLOW_COLUMNS[1:]]),
        Chart("Kết quả theo quy trình", "Outcome by procedure", "flow",
              ("awarded", "rejected", "withdrawn", "open"))))
    report.tables.append(Table("stages", "Các bước xử lý", "Stages", STAGE_COLUMNS,
                               stage_rows(scope),
                               Chart("Tỷ lệ đúng hạn theo bước", "On-time share by stage",
                                     "stage", ("on_time",), percent=True)))
    total = report.tables[0].rows[-1]
    report.headline = {k: total[k] for k in ("nominated", "awarded", "open", "overdue")}
    return report


def stage_rows(scope: Scope) -> list[dict[str, Any]]:
    start, end = scope.window()
    repo = scope.tx.reports
    spans = {(f, s): (m, p) for f, s, m, p in repo.stage_durations(scope.units, start, end)}
    rows: list[tuple[tuple[int, int, str], dict[str, Any]]] = []
    flow_order = {f: i for i, f in enumerate(sorted(scope.deps.definitions.flows))}
    for flow_id, state, entered, done, with_due, on_time, there, overdue in repo.stages(
            scope.units, start, end, scope.now):
        spec = scope.flow(flow_id)
        found = spec.states.get(state) if spec else None
        if found is not None and found.final:
            continue  # a final state is where items stay: no duration, no deadline
        median, p90 = spans.get((flow_id, state), (None, None))
        order = list(spec.states).index(state) if found is not None and spec else 999
        rows.append(((flow_order.get(flow_id, 999), order, state), {
            "flow": scope.flow_title(flow_id), "flow_id": flow_id,
            "stage": scope.state_label(flow_id, state), "state": state,
            "entered": int(entered), "open": int(there or 0), "overdue": int(overdue or 0),
            "median_days": days(median), "p90_days": days(p90),
            "on_time": share(int(on_time or 0), int(with_due or 0)),
            "finished": int(done or 0), "finished_with_due": int(with_due or 0)}))
    return [r for _, r in sorted(rows, key=lambda pair: pair[0])]


# ---- priority and statistics ---------------------------------------------------------------


def _sums(rows: Iterable[tuple[Any, ...]], code: Callable[[str], str] = str
          ) -> dict[str, dict[str, int]]:
    """``{award code: {total, collectives, women, …}}`` from the repository's group rows
    (keyed by ``code(first column)``)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        _add(out.setdefault(code(r[0]), {}),
             {k: int(v or 0) for k, v in zip(_SUMS, r[1:], strict=True)})
    return out


def _add(into: dict[str, int], more: Mapping[str, int]) -> None:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value


def group_row(label: str, sums: Mapping[str, int]) -> dict[str, Any]:
    """Counts and shares of the priority groups for one row of a table."""
    total = sums.get("total", 0)
    individuals = total - sums.get("collectives", 0)
    row: dict[str, Any] = {"label": label, "total": total, "individuals": individuals,
                           "collectives": sums.get("collectives", 0)}
    for key, _, _, base in GROUPS:
        row[key] = sums.get(key, 0)
        row[f"{key}_share"] = share(row[key], individuals if base == "individuals" else total)
    return row


GROUP_COLUMNS = [
    Column("label", "Cấp khen thưởng", "Award level", "text"),
    Column("total", "Tổng số", "Total"),
    Column("individuals", "Cá nhân", "Individuals"),
    Column("collectives", "Tập thể", "Collectives"),
    *[c for key, vi, en, _ in GROUPS
      for c in (Column(key, vi, en), Column(f"{key}_share", f"Tỷ lệ {vi.lower()}",
                                            f"{en} share", "share"))],
]


def level_table(scope: Scope, key: str, vi: str, en: str,
                sums: Mapping[str, Mapping[str, int]]) -> Table:
    by_level: dict[str, dict[str, int]] = {}
    total: dict[str, int] = {}
    catalogue = scope.deps.definitions.catalogue
    for code, values in sums.items():
        award = catalogue.get(code)
        _add(by_level.setdefault(award.level if award else "unit", {}), values)
        _add(total, values)
    order = list(LEVEL_LABELS)
    rows = [group_row(LEVEL_LABELS.get(level, (level, level))[0], values)
            for level, values in sorted(by_level.items(),
                                        key=lambda kv: order.index(kv[0])
                                        if kv[0] in order else 99)]
    rows.append(group_row(TOTAL[0], total))
    return Table(key, vi, en, GROUP_COLUMNS, rows)


def register_sums(scope: Scope, period: Period
                  ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Per award code, over the register's grants of decisions dated in ``period``: the
    sums of those standing (the awards) and of those revoked since."""
    grassroots = scope.deps.definitions.catalogue.grassroots
    rows = scope.tx.reports.award_groups(scope.units, period.first, period.last, grassroots)
    granted = _sums(r[:1] + r[2:] for r in rows if r[1] == "granted")
    revoked = _sums(r[:1] + r[2:] for r in rows if r[1] == "revoked")
    return granted, revoked


def award_sums(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """Per award code: the sums over the awards (grants not revoked) decided in ``period``."""
    return register_sums(scope, period)[0]


def nomination_sums(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """Per award code: the sums over nominations created in ``period``."""
    grassroots = scope.deps.definitions.catalogue.grassroots
    return _sums(scope.tx.reports.nomination_groups(scope.units, period.start, period.end,
                                                    grassroots), scope.award_of)


def _overall(sums: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    total: dict[str, int] = {}
    for values in sums.values():
        _add(total, values)
    return group_row(TOTAL[0], total)


@kind("priority", "Tỷ lệ khen thưởng các nhóm ưu tiên", "Priority groups")
def priority(scope: Scope) -> Report:
    report = _report(scope, "priority", AWARDS_BASIS, NOMINATIONS_BASIS, GROUPS_BASIS)
    awards, nominations = award_sums(scope, scope.period), nomination_sums(scope, scope.period)
    report.tables.append(level_table(scope, "awards", "Khen thưởng theo cấp",
                                     "Awards by level", awards))
    report.tables.append(level_table(scope, "nominations", "Đề nghị theo cấp",
                                     "Nominations by level", nominations))
    now_all = _overall(awards)
    previous = scope.period.previous_year(scope.deps.display_tz)
    before = _overall(award_sums(scope, previous)) if previous else None
    trend_columns = [Column("label", "Nhóm ưu tiên", "Priority group", "text"),
                     Column("share", "Tỷ lệ kỳ này", "Share this period", "share"),
                     Column("count", "Số khen thưởng", "Awards")]
    if before is not None:
        trend_columns += [Column("previous", "Tỷ lệ năm trước", "Share the year before",
                                 "share"),
                          Column("change", "Thay đổi (điểm %)", "Change (points)", "days")]
    rows = []
    for key, vi, _, _ in GROUPS:
        row: dict[str, Any] = {"label": vi, "group": key, "share": now_all[f"{key}_share"],
                               "count": now_all[key]}
        if before is not None:
            row["previous"] = before[f"{key}_share"]
            row["change"] = (None if row["share"] is None or row["previous"] is None
                             else round((row["share"] - row["previous"]) * 100, 2))
        rows.append(row)
    series = ("previous", "share") if before is not None else ("share",)
    report.tables.insert(0, Table("shares", "Tỷ lệ khen thưởng các nhóm ưu tiên",
                                  "Shares of awards to the priority groups", trend_columns,
                                  rows, Chart("Tỷ lệ các nhóm ưu tiên",
                                              "Priority shares", "label", series,
                                              percent=True)))
    report.headline = {key: now_all[f"{key}_share"] for key, *_ in GROUPS}
    report.headline["awards"] = now_all["total"]
    if before is not None:
        report.headline["previous"] = {key: before[f"{key}_share"] for key, *_ in GROUPS}
    return report


AWARD_COLUMNS = [
    Column("label", "Hình thức, danh hiệu", "Award", "text"),
    Column("code", "Mã", "Code", "text"),
    Column("form", "Loại", "Form", "text"),
    Column("level", "Cấp", "Level", "text"),
    Column("total", "Tổng số", "Total"),
    Column("collectives", "Tập thể", "Collectives"),
    Column("individuals", "Cá nhân", "Individuals"),
    Column("women", "Trong đó: nữ", "of whom women"),
    Column("minority", "Dân tộc thiểu số", "Ethnic minorities"),
    Column("direct", "Lao động trực tiếp", "Direct workers"),
    Column("grassroots", "Đơn vị cơ sở", "Grassroots units"),
    Column("remote", "Vùng sâu, vùng xa", "Remote areas"),
    Column("revoked", "Đã thu hồi (không tính)", "Revoked (not counted)"),
]
BREAKDOWN_COLUMNS = [Column("label", "", "", "text"), Column("total", "Tổng số", "Total"),
                     Column("collectives", "Tập thể", "Collectives"),
                     Column("individuals", "Cá nhân", "Individuals")]


@kind("statistics", "Thống kê thi đua, khen thưởng", "Annual statistics")
def statistics(scope: Scope) -> Report:
    report = _report(scope, "statistics", AWARDS_BASIS, NOMINATIONS_BASIS, GROUPS_BASIS, (
        "Khen thưởng đã bị thu hồi (theo quyết định có ngày ký trong kỳ) được thống kê riêng "
        "ở cột Đã thu hồi, không tính vào số khen thưởng.", "Revoked grants (of decisions "
        "dated in the period) are counted apart, in the Revoked column, never as awards."))
    catalogue = scope.deps.definitions.catalogue
    by_award, revoked = register_sums(scope, scope.period)
    rows = []
    by_form: dict[str, dict[str, int]] = {}
    by_level: dict[str, dict[str, int]] = {}
    for code in sorted(by_award.keys() | revoked.keys(), key=lambda c: (list(
            LEVEL_LABELS).index(catalogue.awards[c].level) if c in catalogue.awards else 99, c)):
        award = catalogue.get(code)
        standing = by_award.get(code, {})
        row = group_row(award.title.get("vi", code) if award else code, standing)
        form = award.form if award else "title"
        level = award.level if award else "unit"
        row.update(code=code, form=FORM_LABELS.get(form, (form,))[0],
                   level=LEVEL_LABELS.get(level, (level,))[0],
                   revoked=revoked.get(code, {}).get("total", 0))
        rows.append(row)
        if standing:
            _add(by_form.setdefault(form, {}), standing)
            _add(by_level.setdefault(level, {}), standing)
    rows.append({**group_row(TOTAL[0], {k: sum(r[k] for r in rows) for k in _SUMS}),
                 "code": "", "form": "", "level": "",
                 "revoked": sum(r["revoked"] for r in rows)})
    report.tables.append(Table("awards", "Số lượng khen thưởng theo hình thức",
                               "Awards by kind", AWARD_COLUMNS, rows))

    def breakdown(key: str, vi: str, en: str, first: tuple[str, str],
                  groups: Mapping[str, Mapping[str, int]],
                  labels: Mapping[str, tuple[str, str]]) -> Table:
        lines = [group_row(labels.get(k, (k, k))[0], v) for k, v in groups.items()]
        return Table(key, vi, en, [Column("label", *first, "text"), *BREAKDOWN_COLUMNS[1:]],
                     _totalled(lines, "label", ("total", "collectives", "individuals")),
                     Chart(vi, en, "label", ("collectives", "individuals")))

    report.tables.append(breakdown("forms", "Theo loại hình khen thưởng", "By form",
                                   ("Loại hình", "Form"), by_form, FORM_LABELS))
    report.tables.append(breakdown("levels", "Theo cấp khen thưởng", "By level",
                                   ("Cấp", "Level"), by_level, LEVEL_LABELS))
    counts = flow_counts(scope)
    nominated: dict[str, dict[str, int]] = {}
    for flow_id, values in counts.items():
        _add(nominated.setdefault(scope.award_of(flow_id), {}), values)
    lines = [{"label": catalogue.awards[c].title.get("vi", c) if c in catalogue.awards
              else c, **v} for c, v in sorted(nominated.items())]
    report.tables.append(Table(
        "nominations", "Hồ sơ đề nghị và kết quả", "Nominations and their outcome",
        [Column("label", "Hình thức, danh hiệu", "Award", "text"), *FLOW_COLUMNS[1:]],
        _totalled(lines, "label", [c.key for c in FLOW_COLUMNS[1:]])))
    complaints = _objection_totals(scope)
    report.tables.append(Table(
        "complaints", "Khiếu nại, tố cáo, phản ánh", "Complaints and objections",
        [Column("label", "", "", "text"), Column("filed", "Tiếp nhận", "Filed"),
         Column("open", "Đang giải quyết", "Open"), Column("upheld", "Có cơ sở", "Upheld"),
         Column("dismissed", "Không có cơ sở", "Dismissed")],
        [{"label": TOTAL[0], **complaints}]))
    total = rows[-1]
    report.headline = {"awards": total["total"], "collectives": total["collectives"],
                       "individuals": total["individuals"], "revoked": total["revoked"],
                       "nominated": report.tables[3].rows[-1]["nominated"]}
    return report


def _objection_totals(scope: Scope) -> dict[str, int]:
    start, end = scope.window()
    out = dict.fromkeys(("filed", "open", "upheld", "dismissed"), 0)
    for _, filed, still, upheld, dismissed, _, _ in scope.tx.reports.objections(
            scope.units, start, end, scope.now):
        for key, value in zip(out, (filed, still, upheld, dismissed), strict=True):
            out[key] += int(value or 0)
    return out


# ---- timeliness ----------------------------------------------------------------------------


@kind("timeliness", "Xử lý đúng hạn, không để tồn đọng", "Timeliness")
def timeliness(scope: Scope) -> Report:
    report = _report(scope, "timeliness", NOMINATIONS_BASIS, (
        "Muộn: rời bước sau hạn, hoặc còn ở bước khi đã quá hạn; số ngày chậm là ngày lịch "
        "tính từ hạn.", "Late: left a stage after its due time, or still there past it; "
        "delays are calendar days from the due time."))
    start, end = scope.window()
    repo = scope.tx.reports
    units: dict[str, dict[str, Any]] = {}
    stages = []
    for unit_id, flow_id, state, with_due, late_done, late_open, longest in repo.late_stages(
            scope.units, start, end, scope.now):
        late = int(late_done or 0) + int(late_open or 0)
        row = units.setdefault(unit_id, {"unit": scope.unit_name(unit_id), "unit_id": unit_id,
                                         "with_due": 0, "late": 0, "late_open": 0,
                                         "longest_days": None})
        row["with_due"] += int(with_due)
        row["late"] += late
        row["late_open"] += int(late_open or 0)
        if longest is not None and (row["longest_days"] is None
                                    or longest > row["longest_days"]):
            row["longest_days"] = longest
        if late:
            stages.append({"unit": scope.unit_name(unit_id), "unit_id": unit_id,
                           "flow": scope.flow_title(flow_id), "flow_id": flow_id,
                           "stage": scope.state_label(flow_id, state), "state": state,
                           "with_due": int(with_due), "late": late,
                           "late_open": int(late_open or 0), "longest_days": days(longest)})
    by_unit = []
    for row in sorted(units.values(), key=lambda r: (-r["late"], r["unit"])):
        row["on_time"] = share(row["with_due"] - row["late"], row["with_due"])
        row["longest_days"] = days(row["longest_days"])
        by_unit.append(row)
    late_columns = [Column("with_due", "Lượt có hạn", "Stays with a due time"),
                    Column("late", "Muộn", "Late"),
                    Column("late_open", "Đang quá hạn", "Late, still open"),
                    Column("longest_days", "Chậm nhất (ngày)", "Longest delay (days)", "days")]
    report.tables.append(Table(
        "units", "Đúng hạn theo đơn vị", "Timeliness by unit",
        [Column("unit", "Đơn vị", "Unit", "text"), *late_columns,
         Column("on_time", "Tỷ lệ đúng hạn", "On-time share", "share")], by_unit,
        Chart("Số lượt xử lý muộn theo đơn vị", "Late stays by unit", "unit", ("late",))))
    stages.sort(key=lambda r: (-r["late"], r["unit"], r["flow"], r["stage"]))
    report.tables.append(Table(
        "stages", "Bước xử lý muộn", "Late stages",
        [Column("unit", "Đơn vị", "Unit", "text"), Column("flow", "Quy trình", "Procedure",
                                                          "text"),
         Column("stage", "Bước", "Stage", "text"), *late_columns], stages))
    longest = []
    for item, unit_id, flow_id, state, due, left, delay in repo.longest_delays(
            scope.units, start, end, scope.now, LONGEST):
        longest.append({"item": str(item), "unit": scope.unit_name(unit_id),
                        "flow": scope.flow_title(flow_id),
                        "stage": scope.state_label(flow_id, state),
                        "due_at": scope.deps.iso(scope.tx.raw.time_in(due)),
                        "left_at": scope.deps.iso(scope.tx.raw.time_in(left)),
                        "delay_days": days(delay)})
    report.tables.append(Table(
        "longest", "Chậm lâu nhất", "Longest delays",
        [Column("item", "Hồ sơ", "Item", "text"), Column("unit", "Đơn vị", "Unit", "text"),
         Column("flow", "Quy trình", "Procedure", "text"),
         Column("stage", "Bước", "Stage", "text"), Column("due_at", "Hạn", "Due", "time"),
         Column("left_at", "Rời bước", "Left", "time"),
         Column("delay_days", "Chậm (ngày)", "Delay (days)", "days")], longest))
    objections = []
    for unit_id, filed, still, upheld, dismissed, waited, took in repo.objections(
            scope.units, start, end, scope.now):
        objections.append({"unit": scope.unit_name(unit_id), "unit_id": unit_id,
                           "filed": int(filed), "open": int(still or 0),
                           "upheld": int(upheld or 0), "dismissed": int(dismissed or 0),
                           "waiting_days": days(waited), "resolve_days": days(took)})
    objections.sort(key=lambda r: (-r["open"], r["unit"]))
    report.tables.append(Table(
        "objections", "Khiếu nại, phản ánh theo đơn vị", "Objections by unit",
        [Column("unit", "Đơn vị", "Unit", "text"), Column("filed", "Tiếp nhận", "Filed"),
         Column("open", "Đang giải quyết", "Open"), Column("upheld", "Có cơ sở", "Upheld"),
         Column("dismissed", "Không có cơ sở", "Dismissed"),
         Column("waiting_days", "Chờ lâu nhất (ngày)", "Longest wait (days)", "days"),
         Column("resolve_days", "Giải quyết lâu nhất (ngày)", "Longest to resolve (days)",
                "days")], objections,
        note="Góp ý, phản ánh gửi trong kỳ về hồ sơ của đơn vị và đơn vị trực thuộc. "
             "Objections filed in the period against items of the unit and below."))
    report.headline = {"late": sum(r["late"] for r in by_unit),
                       "late_open": sum(r["late_open"] for r in by_unit),
                       "with_due": sum(r["with_due"] for r in by_unit)}
    return report


# ---- eligible ------------------------------------------------------------------------------


def _three(rule: Rule, facts: Facts, met: list[bool]) -> bool | None:
    """The rule over the history alone: field conditions are unknown (None) until a
    nomination gives them; ``met`` collects whether some history condition held."""
    if rule.kind in ("field", "nominee", "cluster_leader"):
        return None
    if rule.kind in ("held", "streak", "count"):
        ok = rule.check(facts) is None
        met.append(ok)
        return ok
    values = [_three(child, facts, met) for child in rule.children]
    if rule.kind == "not":
        return None if values[0] is None else not values[0]
    if rule.kind == "all":
        return False if False in values else (None if None in values else True)
    return True if True in values else (None if None in values else False)


def _fields_left(rule: Rule) -> list[str]:
    if rule.kind == "field":
        return [rule.describe()]
    return [text for child in rule.children for text in _fields_left(child)]


@kind("eligible", "Rà soát không để sót đối tượng", "Eligible, not nominated")
def eligible(scope: Scope) -> Report:
    year = scope.period.year or scope.deps.definitions.calendars[
        next(iter(scope.deps.definitions.calendars))].local_date(scope.now).year
    report = _report(scope, "eligible", (
        f"Người có quá trình khen thưởng đáp ứng điều kiện của một hình thức cho năm {year} "
        "nhưng chưa có hồ sơ đề nghị (trừ hồ sơ đã rút); các điều kiện về hồ sơ (xếp loại, "
        "sáng kiến …) còn phải xét.", f"People whose award history meets an award's rule for "
        f"{year} but who have no nomination for it (a withdrawn one does not count); the "
        "conditions on the nomination itself (rating, initiative …) are still to check."), (
        "Quá trình khen thưởng là các khen thưởng trong sổ khen thưởng chưa bị thu hồi (theo "
        "quyết định, hoặc nhập từ trước); chỉ rà soát cá nhân.", "The award history is the "
        "register's grants not revoked (by decision, or imported from before); only people "
        "are checked."))
    catalogue = scope.deps.definitions.catalogue
    awards = {code: a for code, a in catalogue.awards.items()
              if a.rule is not None and "individual" in a.nominees and _reads_history(a.rule)}
    flows_of: dict[str, list[str]] = {}
    for flow in scope.deps.definitions.flows.values():
        if flow.award in awards:
            flows_of.setdefault(flow.award, []).append(flow.id)
    codes = sorted({c for a in awards.values() for c in _codes(a.rule)} | set(awards))
    people: dict[str, tuple[str, str, list[HistoryEntry]]] = {}
    for login, name, unit_id, award, held_in, ad_hoc in scope.tx.reports.histories(
            scope.units, codes):
        people.setdefault(login, (name, unit_id, []))[2].append(
            HistoryEntry(award, int(held_in), bool(ad_hoc)))
    candidates: list[tuple[str, str]] = []
    for login, (_, _, history) in people.items():
        facts = Facts(catalogue.counted(history), {}, year)
        for code, award in awards.items():
            if any(h.award == code and h.year == year for h in history):
                continue  # already holds it for the year
            met: list[bool] = []
            assert award.rule is not None
            if _three(award.rule, facts, met) is not False and any(met):
                candidates.append((login, code))
    flows = sorted({f for fs in flows_of.values() for f in fs})
    whole = scope.period if scope.period.year == year else period(scope.deps.display_tz,
                                                                  year=year)
    taken = {(login, scope.award_of(flow_id)) for login, flow_id in scope.tx.reports.nominated(
        sorted({c[0] for c in candidates}), flows, year, whole.start, whole.end)}
    rows = []
    for login, code in candidates:
        if (login, code) in taken:
            continue
        name, unit_id, history = people[login]
        award = awards[code]
        assert award.rule is not None
        rows.append({"name": name, "login": login, "unit": scope.unit_name(unit_id),
                     "unit_id": unit_id, "award": award.title.get("vi", code), "code": code,
                     "history": ", ".join(f"{h.award} {h.year}" for h in history),
                     "to_check": "; ".join(_fields_left(award.rule)),
                     "flows": ", ".join(flows_of.get(code, []))})
    rows.sort(key=lambda r: (r["unit"], r["code"], r["name"], r["login"]))
    report.tables.append(Table(
        "people", f"Chưa được đề nghị năm {year}", f"Not nominated for {year}",
        [Column("name", "Họ và tên", "Name", "text"), Column("login", "Tài khoản", "Login",
                                                             "text"),
         Column("unit", "Đơn vị", "Unit", "text"), Column("award", "Hình thức", "Award", "text"),
         Column("history", "Quá trình khen thưởng", "Award history", "text"),
         Column("to_check", "Còn phải xét", "Still to check", "text")], rows))
    by_award: dict[str, int] = {}
    for row in rows:
        by_award[row["award"]] = by_award.get(row["award"], 0) + 1
    report.tables.append(Table(
        "awards", "Số người theo hình thức", "People by award",
        [Column("label", "Hình thức", "Award", "text"), Column("people", "Số người", "People")],
        [{"label": k, "people": v} for k, v in sorted(by_award.items())],
        Chart("Số người chưa được đề nghị", "People not nominated", "label", ("people",))))
    report.headline = {"year": year, "people": len({r["login"] for r in rows}),
                       "rows": len(rows)}
    return report


def _reads_history(rule: Rule) -> bool:
    return rule.kind in ("held", "streak", "count") or any(
        _reads_history(c) for c in rule.children)


def _codes(rule: Rule | None) -> set[str]:
    if rule is None:
        return set()
    out = {rule.args["award"]} if rule.kind in ("held", "streak", "count") else set()
    if rule.kind == "count" and rule.args.get("since"):
        out.add(rule.args["since"])
    for child in rule.children:
        out |= _codes(child)
    return out


# ---- campaign ------------------------------------------------------------------------------


#: the campaign review's columns (``campaign_report``'s keys) with their labels and kinds
CAMPAIGN_COLUMNS: dict[str, tuple[str, str, str]] = {
    "unit": ("Mã đơn vị", "Unit", "text"), "unit_name": ("Đơn vị", "Unit name", "text"),
    "award": ("Danh hiệu", "Award", "text"), "registered": ("Đăng ký", "Registered", "int"),
    "nominated": ("Được đề nghị", "Nominated", "int"),
    "awarded": ("Được khen thưởng", "Awarded", "int"),
    "refused": ("Không được khen thưởng", "Refused", "int"),
    "open": ("Đang xét", "Open", "int"), "person": ("Cá nhân", "Person", "text"),
    "registered_at": ("Ngày đăng ký", "Registered at", "time"),
    "id": ("Hồ sơ", "Item", "text"), "nominee": ("Người, tập thể được đề nghị", "Nominee", "text"),
    "state": ("Trạng thái", "State", "text"), "result": ("Kết quả", "Result", "text"),
    "cluster": ("Cụm, khối", "Cluster", "text"), "rank": ("Xếp hạng", "Rank", "int"),
    "points": ("Điểm", "Points", "int"), "first_places": ("Số phiếu hạng nhất", "First places",
                                                          "int"),
    "leader": ("Dẫn đầu", "Leader", "text"),
}
CAMPAIGN_CHARTS = {"by_unit_award": Chart("Đăng ký và kết quả", "Registrations and results",
                                          "unit_name", ("registered", "awarded"))}


@kind("campaign", "Phong trào thi đua: đăng ký và kết quả", "Campaign registrations and results",
      argument="CAMPAIGN")
def campaign(scope: Scope) -> Report:
    """The campaign's review (:func:`campaign_report`, as ``award campaign report`` gives it)
    as a report: its tables, limited to the unit's subtree when a unit is asked for."""
    if not scope.arg:
        raise InvalidInput("award report campaign needs the campaign: award report campaign "
                           "CAMPAIGN (see award campaigns)", msgid="report.campaign_missing")
    spec = scope.deps.definitions.campaign(scope.arg)  # NotFound for an unknown campaign
    review = campaign_report(scope.deps, scope.tx, spec)
    report = _report(scope, "campaign", (
        f"Phong trào {spec.id} ({spec.title.get('vi', spec.id)}), kỳ {spec.start} – "
        f"{spec.end}: hồ sơ của các danh hiệu của phong trào, năm trong kỳ của phong trào.",
        f"Campaign {spec.id} ({spec.title.get('en') or spec.title.get('vi', spec.id)}), "
        f"{spec.start} – {spec.end}: nominations for the campaign's awards in its years."))
    report.vi = f"{report.vi}: {spec.title.get('vi', spec.id)}"
    within = set(scope.units) if scope.units is not None else None
    for key, table in review["tables"].items():
        columns = [Column(c, *CAMPAIGN_COLUMNS.get(c, (c, c, "text"))) for c in table["columns"]]
        rows = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
        if within is not None and "unit" in table["columns"]:
            rows = [r for r in rows if r["unit"] in within]
        for row in rows:
            if "leader" in row:
                row["leader"] = "✓" if row["leader"] else ""
        report.tables.append(Table(key, table["title"]["vi"], table["title"]["en"], columns,
                                   rows, CAMPAIGN_CHARTS.get(key)))
    report.headline = {"campaign": spec.id, "phase": review["phase"], **review["summary"]}
    return report


def kinds() -> Sequence[str]:
    return list(KINDS)
