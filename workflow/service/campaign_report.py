"""The campaign review (sơ kết, tổng kết): registrations against results, as tables.

:func:`campaign_report` answers ``award report campaign C`` (and ``award campaign report C``):

* ``by_unit_award`` — per unit and award: registered, nominated (of those registered),
  awarded, refused, still open;
* ``not_nominated`` — registrations that never became a nomination;
* ``unregistered`` — nominations for an award of the campaign whose nominee had not
  registered (the ``registered`` guard keeps them from being accepted), and whether they were
  refused (ended without the award) or are still held up;
* ``clusters`` — each cluster's latest closed ranking: rank, points, first places, leader.

A nomination belongs to the campaign when its flow's award is one of the campaign's awards,
its nominating unit is in the campaign's scope and its year (the ``year`` field, else the
year it was created) falls in the campaign's period. A registration is matched to the
nominations of the same award and the same person (or, for a unit, the unit's own
nominations without a person). Withdrawn registrations do not count.

Every table is ``{"title": {"vi", "en"}, "columns": [...], "rows": [[...]]}``; the whole
report is plain data, for the terminal, JSON, CSV or a page.
"""

from __future__ import annotations

from typing import Any

from workflow.campaign import CampaignSpec
from workflow.service.base import Deps
from workflow.service.commands.campaigns import phase, scope_units
from workflow.store import Tx

__all__ = ["campaign_outcomes", "campaign_report"]

OPEN, AWARDED, REFUSED = "open", "awarded", "refused"


def _result(item: dict[str, Any]) -> str:
    if not item["final"]:
        return OPEN
    return AWARDED if item["outcome"] == "awarded" else REFUSED


def campaign_outcomes(deps: Deps, tx: Tx, spec: CampaignSpec, units: list[str] | None = None
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(registrations, unregistered nominations)``: every registration of the campaign
    (withdrawn ones too) with the nominations it led to, and the campaign's nominations that
    no live registration covers."""
    scope = scope_units(deps, tx, spec)
    if units is not None:
        scope = [u for u in scope if u in units]
    flows = {f.id: f.award for f in deps.definitions.flows.values() if f.award in spec.awards}
    calendar = deps.definitions.calendar(spec.calendar)
    items = []
    for item in tx.campaigns.nominations(sorted(flows), scope):
        year = item["fields"].get("year")
        if not isinstance(year, int):
            year = calendar.local_date(item["created_at"]).year
        if spec.covers(year):
            items.append(item | {"award": flows[item["flow"]], "year": year,
                                 "result": _result(item)})
    regs = tx.campaigns.registrations(spec.id, scope)
    live_keys: set[tuple[str, str, str]] = set()
    out: list[dict[str, Any]] = []
    for reg in regs:
        key = (reg.award, reg.person_login, "" if reg.person_login else reg.unit_id)
        led = [i for i in items if i["award"] == reg.award and (
            i["person"] == reg.person_login if reg.person_login
            else (not i["person"] and i["unit"] == reg.unit_id))]
        if reg.status == "registered":
            live_keys.add(key)
        out.append({"id": str(reg.id), "unit": reg.unit_id, "person": reg.person_login or None,
                    "award": reg.award, "status": reg.status,
                    "registered_at": deps.iso(reg.registered_at),
                    "registered_by": reg.registered_by,
                    "withdrawn_at": deps.iso(reg.withdrawn_at),
                    "nominations": [{"id": str(i["id"]), "flow": i["flow"], "state": i["state"],
                                     "result": i["result"]} for i in led]})
    unregistered = [
        {"id": str(i["id"]), "flow": i["flow"], "unit": i["unit"], "person": i["person"] or None,
         "nominee": i["nominee"], "award": i["award"], "state": i["state"],
         "result": i["result"]}
        for i in items
        if (i["award"], i["person"], "" if i["person"] else i["unit"]) not in live_keys]
    return out, unregistered


def campaign_report(deps: Deps, tx: Tx, spec: CampaignSpec) -> dict[str, Any]:
    """The campaign's review as tables (see the module docstring)."""
    regs, unregistered = campaign_outcomes(deps, tx, spec)
    names = {u: e.name for u, e in deps.tree(tx).units.items()}
    live = [r for r in regs if r["status"] == "registered"]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for reg in live:
        row = counts.setdefault((reg["unit"], reg["award"]), dict.fromkeys(
            ("registered", "nominated", AWARDED, REFUSED, OPEN), 0))
        row["registered"] += 1
        if reg["nominations"]:
            row["nominated"] += 1
            results = {n["result"] for n in reg["nominations"]}
            best = AWARDED if AWARDED in results else OPEN if OPEN in results else REFUSED
            row[best] += 1
    by_unit_award = [[unit, names.get(unit, unit), award, c["registered"], c["nominated"],
                      c[AWARDED], c[REFUSED], c[OPEN]]
                     for (unit, award), c in sorted(counts.items())]
    not_nominated = [[r["unit"], names.get(r["unit"], r["unit"]), r["person"] or "", r["award"],
                      r["registered_at"]] for r in live if not r["nominations"]]
    refused = [u for u in unregistered if u["result"] == REFUSED]
    unreg_rows = [[u["id"], u["unit"], u["nominee"], u["award"], u["state"], u["result"]]
                  for u in unregistered]
    cluster_rows: list[list[Any]] = []
    latest: dict[str, Any] = {}
    for closed in tx.campaigns.rounds(spec.id):  # the latest closed round of each cluster
        if closed.status == "closed":
            latest[closed.cluster_id] = closed
    for cluster in spec.clusters:
        last = latest.get(cluster.id)
        if last is None or not last.result:
            continue
        for standing in last.result["standings"]:
            cluster_rows.append([cluster.id, standing["rank"], standing["unit"],
                                 names.get(standing["unit"], standing["unit"]),
                                 standing["points"], standing["places"][0],
                                 standing["unit"] == last.result["leader"]])
    summary = {
        "registrations": len(live),
        "withdrawn": sum(1 for r in regs if r["status"] == "withdrawn"),
        "units_registered": len({r["unit"] for r in live}),
        "units_in_scope": len(scope_units(deps, tx, spec)),
        "registered_nominated": sum(1 for r in live if r["nominations"]),
        "registered_awarded": sum(1 for r in live
                                  if any(n["result"] == AWARDED for n in r["nominations"])),
        "not_nominated": len(not_nominated),
        "unregistered_nominations": len(unregistered),
        "unregistered_refused": len(refused),
    }
    return {
        "campaign": spec.id, "title": spec.title, "phase": phase(deps, spec),
        "period": {"from": spec.start.isoformat(), "to": spec.end.isoformat()},
        "summary": summary,
        "tables": {
            "by_unit_award": {
                "title": {"vi": "Đăng ký và kết quả theo đơn vị, danh hiệu",
                          "en": "Registrations and results by unit and award"},
                "columns": ["unit", "unit_name", "award", "registered", "nominated", "awarded",
                            "refused", "open"],
                "rows": by_unit_award},
            "not_nominated": {
                "title": {"vi": "Đã đăng ký nhưng không được đề nghị",
                          "en": "Registered, never nominated"},
                "columns": ["unit", "unit_name", "person", "award", "registered_at"],
                "rows": not_nominated},
            "unregistered": {
                "title": {"vi": "Đề nghị khi chưa đăng ký thi đua",
                          "en": "Nominations without registration"},
                "columns": ["id", "unit", "nominee", "award", "state", "result"],
                "rows": unreg_rows},
            "clusters": {
                "title": {"vi": "Xếp hạng cụm, khối thi đua", "en": "Cluster rankings"},
                "columns": ["cluster", "rank", "unit", "unit_name", "points", "first_places",
                            "leader"],
                "rows": cluster_rows},
        },
    }
