"""The demo's emulation campaign: last year's registrations made on paper (imported with the
directory), this year's registrations in January, and the final review in December — the
departments' bloc ranks itself by secret vote, the leader is nominated for the provincial
emulation flag and gets it, and the campaign report is written.

Everything goes through the service, as the people would.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from workflow.demo.office import PAST_CAMPAIGN, Office
from workflow.service import Actor, Service

__all__ = ["CAMPAIGN", "REVIEW_DAY", "final_review", "register_in_january"]

CAMPAIGN = "bac-ninh-2026"
CLUSTER = "khoi-so-nganh"
REVIEW_DAY = date(2026, 12, 18)  # the campaign's final review (tổng kết)
FLAG_FLOW = "co-thi-dua-tinh"


def register_in_january(service: Service, office: Office, rng: random.Random) -> int:
    """Each grassroots unit's officer registers most of its people for LĐTT and some for
    CSTĐCS; the bloc's departments register themselves for the flag. How many."""
    count = 0
    members = _members(service)
    for unit_id in office.grassroots():
        unit = office.units[unit_id]
        officer = Actor(unit.officer)
        for login in unit.staff:
            if rng.random() < 0.9:
                service.campaigns.register(officer, CAMPAIGN, unit_id, "LDTT", login)
                count += 1
                if rng.random() < 0.4:
                    service.campaigns.register(officer, CAMPAIGN, unit_id, "CSTDCS", login)
                    count += 1
        if unit_id in members:
            service.campaigns.register(officer, CAMPAIGN, unit_id, "CTDTINH")
            count += 1
    return count


def _members(service: Service) -> list[str]:
    spec = service.definitions.campaign(CAMPAIGN)
    cluster = spec.cluster(CLUSTER)
    return list(cluster.members) if cluster else []


def final_review(service: Service, office: Office, rng: random.Random, folder: Path
                 ) -> dict[str, Any]:
    """At the final review: the bloc ranks itself (a run-off if it ties), the leader is
    nominated for the flag and awarded, and the campaign report is written to
    ``folder/campaign``."""
    members = _members(service)
    province = office.units[office.province]
    organiser = Actor(province.secretariat)
    closed = service.campaigns.cluster_open(organiser, CAMPAIGN, CLUSTER)
    candidates = members
    for _attempt in range(3):
        for unit_id in members:
            paper = [u for u in candidates if u != unit_id]
            rng.shuffle(paper)
            result = service.campaigns.cluster_vote(Actor(office.units[unit_id].head), CAMPAIGN,
                                                    CLUSTER, paper)
        closed = result["closed"]
        if closed["leader"]:
            break
        candidates = closed["tied"]
        service.campaigns.cluster_open(organiser, CAMPAIGN, CLUSTER, candidates)
    leader = closed["leader"]
    flag: dict[str, Any] = {"leader": leader}
    if leader:
        unit = office.units[leader]
        officer = Actor(unit.officer)
        item = service.items.nominate(officer, FLAG_FLOW, leader, unit.name, None,
                                      {"year": REVIEW_DAY.year, "rating": "HTXS"})
        papers = folder / "dossiers" / "campaign"
        papers.mkdir(parents=True, exist_ok=True)
        for doctype in ("to_trinh", "bao_cao", "bien_ban"):
            path = papers / f"{doctype}-{item['id']}.txt"
            path.write_text(f"{doctype} — {unit.name}, {REVIEW_DAY.isoformat()}\n",
                            encoding="utf-8")
            service.items.attach(officer, item["id"], doctype, path)
        service.items.fire(officer, item["id"], "submit")
        service.items.fire(organiser, item["id"], "accept")
        # the provincial council meets on it, one paper each, and the session is closed
        meeting = service.sessions.open(organiser, office.province, [item["id"]],
                                        f"Xét Cờ thi đua — {REVIEW_DAY.strftime('%d/%m/%Y')}")
        for member in province.council:
            service.sessions.ballot(Actor(member), meeting["id"], {item["id"]: "yes"})
        if service.sessions.show(meeting["id"])["status"] == "open":
            service.sessions.close(organiser, meeting["id"])
        service.items.fire(Actor(province.head), item["id"], "award")
        flag["item"] = item["id"]
        flag["session"] = meeting["id"]
    # this year's review, and last year's: its registrations against this cycle's results
    summaries = {campaign: _write_report(service, campaign, folder / "campaign" / campaign)
                 for campaign in (CAMPAIGN, PAST_CAMPAIGN)}
    return {**flag, "summaries": summaries, "ranking": closed["standings"]}


def _write_report(service: Service, campaign: str, out: Path) -> dict[str, Any]:
    report = service.campaigns.report(campaign)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bao-cao-phong-trao.json").write_text(json.dumps(report, ensure_ascii=False,
                                                            indent=2), encoding="utf-8")
    for name, table in report["tables"].items():
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table["columns"])
            writer.writerows(table["rows"])
    summary: dict[str, Any] = report["summary"]
    return summary
