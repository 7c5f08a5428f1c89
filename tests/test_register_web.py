"""The register as the public and staff see it: the award lookup page and its API, a
decision's document, revocation shown where the award is shown, and confidential nominees on
every public surface (notice board, published notice, nominee page, lookup, decision
document, exports), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import DIRECTORY, make_service
from fastapi.testclient import TestClient

from workflow.clock import FixedClock, parse_instant
from workflow.service import Actor, Service
from workflow.service.registry import Query
from workflow.web import create_app

# a notice decided at the unit; a second flow whose every nominee is confidential
FLOW = """\
flow: {id}
title: {{vi: "Giấy khen thử nghiệm", en: "Certificate (trial)"}}
award: GKDX
nominee: individual
calendar: vn
decider: unit_head@unit
{extra}
fields:
  year: {{type: integer, required: true, min: 2000, max: 2100, label: {{vi: "Năm", en: "Year"}}}}
states:
  draft: {{initial: true, label: {{vi: "Dự thảo", en: "Draft"}}}}
  cong_khai:
    type: notice
    label: {{vi: "Công khai lấy ý kiến", en: "Public notice"}}
    notice: {{working_days: 5, template: notice.html.j2, then: cho_quyet_dinh}}
  cho_quyet_dinh:
    label: {{vi: "Chờ quyết định", en: "Awaiting decision"}}
    sla: {{working_days: 5}}
  da_khen: {{final: true, outcome: awarded, render: [decision.html.j2],
            label: {{vi: "Đã khen thưởng", en: "Awarded"}}}}
  khong_khen: {{final: true, outcome: rejected, label: {{vi: "Không khen", en: "Rejected"}}}}
transitions:
  - {{trigger: submit, from: draft, to: cong_khai, by: officer@unit,
     label: {{vi: "Trình công khai", en: "Publish"}}}}
  - {{trigger: award, from: cho_quyet_dinh, to: da_khen, by: decider,
     label: {{vi: "Quyết định khen thưởng", en: "Award"}}}}
  - {{trigger: reject, from: cho_quyet_dinh, to: khong_khen, by: decider, comment: required,
     label: {{vi: "Không khen thưởng", en: "Reject"}}}}
"""

SECRET = "Trần Bí Mật"  # a cipher officer, nominated as confidential
SHIELDED = "Phạm Cơ Yếu"  # nominated in the flow that is confidential as a whole
PLAIN = ("Lê Thị Hồng", "Phạm Văn Đức")
PRIOR = 25  # imported prior awards of one unit, for the lookup's pages


@dataclass
class Scene:
    service: Service
    clock: FixedClock
    ids: dict[str, str]
    decision: dict[str, Any]

    def client(self) -> TestClient:
        return TestClient(create_app(self.service, secret_key="secret-for-tests"))


@pytest.fixture
def scene(db_url: str, tmp_path: Path) -> Iterator[Scene]:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "gk-thu.yaml").write_text(FLOW.format(id="gk-thu", extra=""), encoding="utf-8")
    (folder / "gk-co-yeu.yaml").write_text(
        FLOW.format(id="gk-co-yeu", extra="confidential: true"), encoding="utf-8")
    extra = tmp_path / "prior.yaml"
    extra.write_text("people:\n" + "".join(
        f"  - {{login: cu{n}, name: \"Nguyễn Văn Cũ {n}\", unit: BN-THPT-LTT, roles: []}}\n"
        for n in range(PRIOR)) + "awards:\n" + "".join(
        f"  - {{person: cu{n}, award: LDTT, year: 2020}}\n" for n in range(PRIOR)),
        encoding="utf-8")
    service = make_service(db_url, flow_dirs=[folder])
    clock = service.deps.clock
    assert isinstance(clock, FixedClock)
    service.setup.init()
    service.setup.load_directory(DIRECTORY)
    service.setup.load_directory(extra)
    lan = Actor("lan")
    clock.set(parse_instant("2026-03-02T09:00:00+07:00"))
    ids: dict[str, str] = {}
    for key, flow, name, confidential in (
            ("p1", "gk-thu", PLAIN[0], False), ("p2", "gk-thu", PLAIN[1], False),
            ("secret", "gk-thu", SECRET, True), ("shielded", "gk-co-yeu", SHIELDED, False)):
        ids[key] = service.items.nominate(lan, flow, "BN-SGD", name, None, {"year": 2026},
                                          confidential=confidential)["id"]
        service.items.fire(lan, ids[key], "submit")
    clock.set(parse_instant("2026-03-10T09:00:00+07:00"))  # the windows are open
    try:
        yield Scene(service, clock, ids, {})
    finally:
        service.deps.store.close()


def decide(scene: Scene) -> dict[str, Any]:
    """The windows end; the head of the department signs one decision for all four."""
    scene.clock.set(parse_instant("2026-03-16T09:00:00+07:00"))
    scene.service.timers.escalate()
    ids = scene.ids
    decided = scene.service.register.issue(Actor("minh"), [ids["p1"], ids["secret"],
                                                            ids["p2"], ids["shielded"]])
    scene.decision.update(decided)
    return decided


# ---- confidential nominees on the public notice ----------------------------------------------

def test_a_confidential_nominee_is_counted_never_named_on_the_notice(scene: Scene) -> None:
    client = scene.client()
    board = client.get("/").text
    for name in PLAIN:
        assert name in board
    assert SECRET not in board and SHIELDED not in board
    assert "trường hợp thực hiện nhiệm vụ đặc biệt" in board
    notices = client.get("/api/notices").json()
    assert sum(n["confidential"] for n in notices) == 2
    listed = [x for n in notices for x in n["nominees"]]
    assert {x["nominee"] for x in listed} == set(PLAIN)
    assert {x["id"] for x in listed}.isdisjoint({scene.ids["secret"], scene.ids["shielded"]})
    for notice in notices:
        page = client.get(f"/notices/{notice['id']}").text
        published = client.get(f"/notices/{notice['id']}/document").text
        for text in (page, published):
            assert SECRET not in text and SHIELDED not in text
        assert "không công bố tên" in published
    # the nominee's own page answers like a nominee that does not exist
    for key in ("secret", "shielded"):
        assert client.get(f"/nominees/{scene.ids[key]}").status_code == 404
        assert client.get(f"/api/nominees/{scene.ids[key]}").status_code == 404
    assert client.get(f"/nominees/{scene.ids['p1']}").status_code == 200
    # the command line's public notices list them the same way
    public = list(scene.service.public.notices())
    assert SECRET not in str(public) and SHIELDED not in str(public)
    # their own unit's staff still see them by name
    staff = scene.service.staff.item_view(Actor("thu"), scene.ids["secret"])
    assert staff["nominee"] == SECRET and staff["confidential"] is True


# ---- the lookup ------------------------------------------------------------------------------

def test_the_award_lookup_shows_decisions_pages_and_revocations(scene: Scene) -> None:
    decided = decide(scene)
    client = scene.client()
    page = client.get("/lookup", params={"name": "le thi hong"}).text  # accents optional
    assert PLAIN[0] in page and decided["number"] in page and "16/03/2026" in page
    assert PLAIN[1] not in page
    # by unit (and below), award and year; 20 a page, the next page linked
    first = client.get("/lookup", params={"unit": "BN-THPT-LTT", "year": "2020"}).text
    assert first.count("Nguyễn Văn Cũ") == 20 and 'rel="next"' in first
    second = client.get("/lookup", params={"unit": "BN-THPT-LTT", "year": "2020",
                                           "page": "2"}).text
    assert second.count("Nguyễn Văn Cũ") == PRIOR - 20 and 'rel="prev"' in second
    api = client.get("/api/lookup", params={"unit": "BN", "award": "GKDX"}).json()
    assert api["total"] == 2 and api["confidential"] == 2
    assert {r["nominee"] for r in api["rows"]} == set(PLAIN)
    assert {r["decision"] for r in api["rows"]} == {decided["number"]}
    assert {r["decided_on"] for r in api["rows"]} == {"2026-03-16"}
    for row in api["rows"]:  # never a login, a contact or a reason
        assert not {"person", "contact", "revoke_reason", "revoked_by"} & set(row)
    # a revoked award stays, shown as revoked with its date
    [grant] = [g for g in scene.service.register.registry(None, Query(name="Phạm Văn Đức"))]
    scene.clock.set(parse_instant("2026-04-01T10:00:00+07:00"))
    scene.service.register.revoke(Actor("minh"), grant["id"], "Thành tích không đúng")
    page = client.get("/lookup", params={"name": "pham van duc"}).text
    assert "Đã hủy bỏ ngày 01/04/2026" in page and "Thành tích không đúng" not in page
    api = client.get("/api/lookup", params={"name": "Phạm Văn Đức"}).json()
    assert api["rows"][0]["status"] == "revoked"
    assert api["rows"][0]["revoked_at"].startswith("2026-04-01")
    # a name never finds a confidential awardee, and nothing names them
    for name in (SECRET, SHIELDED, "tran bi mat"):
        found = client.get("/api/lookup", params={"name": name}).json()
        assert found["total"] == 0 and SECRET not in str(found)
    everything = client.get("/lookup", params={"unit": "BN"}).text
    assert SECRET not in everything and SHIELDED not in everything
    assert client.get("/api/lookup", params={"page": "0"}).status_code == 422
    assert client.get("/lookup", params={"unit": "NOWHERE"}).status_code == 404


def test_revocation_shows_on_the_item_and_nominee_pages(scene: Scene) -> None:
    decide(scene)
    item = scene.ids["p1"]
    [grant] = list(scene.service.register.registry(None, Query(name=PLAIN[0])))
    scene.service.register.revoke(Actor("minh"), grant["id"], "Sai sót hồ sơ", "9/QĐ-BN-SGD")
    client = scene.client()
    public = client.get(f"/nominees/{item}").text
    assert "Đã hủy bỏ ngày 16/03/2026" in public
    assert client.get(f"/api/nominees/{item}").json()["granted"]["status"] == "revoked"
    shown = scene.service.staff.item_view(Actor("thu"), item)
    assert shown["grant"]["status"] == "revoked"
    assert shown["grant"]["revoke_reason"] == "Sai sót hồ sơ"
    # the item's page, signed in: the award, its decision, and the revocation with its reason
    scene.service.accounts.set_password("thu", "mat-khau-thu-nghiem")
    client = scene.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"login": "thu", "password": "mat-khau-thu-nghiem",
                                "csrf_token": token.group(1), "next": "/me"})
    page = client.get(f"/items/{item}").text
    assert 'data-testid="grant-revoked"' in page and "Sai sót hồ sơ" in page
    assert "9/QĐ-BN-SGD" in page


# ---- decisions and exports -------------------------------------------------------------------

def test_decision_copies_and_exports_name_confidential_awardees_only_to_their_levels(
        scene: Scene, tmp_path: Path) -> None:
    decided = decide(scene)
    register = scene.service.register
    kept = register.document(Actor("minh"), decided["id"])
    sent = register.document(Actor("public"), decided["id"])
    assert SECRET in kept and SHIELDED in kept and PLAIN[0] in kept
    assert SECRET not in sent and SHIELDED not in sent and PLAIN[0] in sent
    assert "2 trường hợp thực hiện nhiệm vụ đặc biệt" in sent
    assert decided["public_sha256"] and decided["public_sha256"] != decided["sha256"]
    # the web gives the copy sent out to anyone not signed in
    web = scene.client().get(f"/decisions/{decided['id']}/document").text
    assert SECRET not in web and PLAIN[0] in web
    # someone at another unit (the school's head) reads the register without their names
    outsider = list(register.registry(Actor("son"), Query(award="GKDX")))
    assert {g["nominee"] for g in outsider} == {*PLAIN, None}
    assert SECRET not in str(outsider) and SHIELDED not in str(outsider)
    assert list(register.registry(Actor("son"), Query(name="Tran Bi Mat"))) == []
    shown = register.decision(Actor("son"), decided["id"])
    assert SECRET not in str(shown) and len(shown["awardees"]) == 4
    # the department's own officer, and the province above it, see them
    for login in ("lan", "hung"):
        names = {g["nominee"] for g in register.registry(Actor(login), Query(award="GKDX"))}
        assert names == {*PLAIN, SECRET, SHIELDED}
    out = io.BytesIO()
    assert register.export(out, "csv", Actor("son"), Query(award="GKDX")) == 4
    text = out.getvalue().decode("utf-8-sig")
    assert SECRET not in text and SHIELDED not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert sum("không nêu tên" in (r[2] or "") for r in rows[2:]) == 2
    out = io.BytesIO()
    register.export(out, "csv", Actor("lan"), Query(award="GKDX"))
    assert SECRET in out.getvalue().decode("utf-8-sig")
