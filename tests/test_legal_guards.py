"""Two legal rules of the decisions (SPEC §10.3), on SQLite and PostgreSQL, through the
command line as an office uses it:

* one achievement, one award — the same award for the same nominee and year is neither
  nominated twice while one nomination is open nor granted twice (a revoked grant and a
  rejected or withdrawn nomination do not count);
* nobody decides their own case — a nominee who holds the deciding role is refused, and the
  decision goes to that role at the unit above (``decider_above: false``: refused outright).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, Cli, make_service
from workflow.errors import NotAllowed, PermissionDenied
from workflow.service import Actor
from workflow.service.registry import Query
from workflow.web.labels import Names
from workflow.web.messages import say_error

NOW = "2026-03-02T09:00:00+07:00"  # a Monday
SCHOOL = "BN-THPT-LTT"  # son is its head (unit_head, the ad-hoc award's decider); below BN-SGD
CSTDCS = "chien-si-thi-dua-co-so"
ADHOC = "khen-thuong-dot-xuat"


def grassroots(cli: Cli, dossier: Path, person: str, *, to: str = "pending_decision") -> str:
    """A CSTDCS 2026 nomination at BN-SGD for ``person``, passed by its council (``to``:
    ``draft`` leaves it unsent)."""
    item = str(cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--person", person, "--set",
                      "year=2026", "--set", "rating=HTXS", "--set", "initiative=SK-2026-01",
                      user="lan", now=NOW)["id"])
    if to == "draft":
        return item
    for doctype in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doctype, str(dossier), user="lan", now=NOW)
    cli.ok("fire", item, "submit", user="lan", now=NOW)
    cli.ok("fire", item, "accept", user="thu", now=NOW)
    for member in ("thu", "minh", "hoa", "nam", "binh"):
        cli.ok("vote", item, "yes", user=member, now=NOW)
    assert cli.ok("show", item, now=NOW)["state"] == "pending_decision"
    return item


def adhoc(cli: Cli, dossier: Path, name: str, person: str | None = None,
          flow: str = ADHOC) -> str:
    """An ad-hoc award at the school, waiting on the decision of its head."""
    args = ["nominate", flow, "--unit", SCHOOL, "--nominee", name, "--set",
            "deed=Cứu người đuối nước", "--set", "deed_date=2026-02-27"]
    if person:
        args += ["--person", person]
    item = str(cli.ok(*args, user="mai", now=NOW)["id"])
    for doctype in ("to_trinh", "bao_cao", "xac_nhan"):
        cli.ok("attach", item, doctype, str(dossier), user="mai", now=NOW)
    cli.ok("fire", item, "submit", user="mai", now=NOW)
    for trigger in ("accept", "propose_award"):
        cli.ok("fire", item, trigger, user="son", now=NOW)
    return item


def counts(cli: Cli) -> tuple[int, int, int]:
    """Items, grants and audit entries: what a refused command must leave as it was."""
    return (len(cli.ok("list", now=NOW)), len(cli.ok("registry", now=NOW)),
            len(cli.ok("audit", "log", now=NOW)))


@pytest.fixture
def services(cli: Cli) -> Iterator[Any]:
    made: list[Any] = []

    def build() -> Any:
        made.append(make_service(cli.db, NOW))
        return made[-1]

    yield build
    for service in made:
        service.deps.store.close()


# ---- one achievement, one award ------------------------------------------------------------


def test_a_second_open_nomination_is_refused_naming_the_first(cli: Cli, dossier: Path) -> None:
    first = grassroots(cli, dossier, "bich", to="draft")
    before = counts(cli)
    error = cli.fails(4, "nominate", CSTDCS, "--unit", "BN-SGD", "--person", "bich", "--set",
                      "year=2026", "--set", "rating=HTXS", user="lan", now=NOW)
    assert error["message"] == (
        f"bich is already nominated for CSTDCS for 2026: nomination #{first} (Draft) is "
        "open; one achievement, one award")
    assert error["type"] == "NotAllowed" and error["id"] == first
    assert counts(cli) == before
    # the same person for another year, or for another award, is another achievement
    other_year = cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--person", "bich", "--set",
                        "year=2027", "--set", "rating=HTXS", user="lan", now=NOW)
    assert other_year["state"] == "draft"
    # moving the second onto the first's year is the same refusal
    moved = cli.fails(4, "update", other_year["id"], "--set", "year=2026", user="lan", now=NOW)
    assert f"nomination #{first} (Draft)" in moved["message"]
    # a name alone (no login) is not checked: nothing ties two names to one person
    for _ in range(2):
        cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--nominee", "Trần Văn Mới", "--set",
               "year=2026", "--set", "rating=HTT", user="lan", now=NOW)


def test_after_a_rejection_or_withdrawal_the_nominee_may_be_proposed_again(
        cli: Cli, dossier: Path) -> None:
    rejected = grassroots(cli, dossier, "bich")
    cli.fails(4, "nominate", CSTDCS, "--unit", "BN-SGD", "--person", "bich", "--set",
              "year=2026", user="lan", now=NOW)
    cli.ok("fire", rejected, "reject", "--comment", "Chưa đủ thành tích", user="minh", now=NOW)
    withdrawn = grassroots(cli, dossier, "bich", to="draft")
    cli.ok("fire", withdrawn, "withdraw", "--comment", "Nộp lại sau", user="lan", now=NOW)
    again = grassroots(cli, dossier, "bich", to="draft")
    assert again not in (rejected, withdrawn)


def test_a_grant_blocks_the_award_for_that_year_until_it_is_revoked(
        cli: Cli, dossier: Path) -> None:
    item = grassroots(cli, dossier, "bich")
    cli.ok("fire", item, "award", user="minh", now=NOW)
    grant = cli.ok("show", item, now=NOW)["grant"]
    assert grant["status"] == "granted"
    error = cli.fails(4, "nominate", CSTDCS, "--unit", "BN-SGD", "--person", "bich", "--set",
                      "year=2026", user="lan", now=NOW)
    assert error["message"] == (
        f"bich already holds CSTDCS for 2026: grant {grant['id']} (decision "
        f"{grant['decision']}); one achievement, one award")
    assert error["grant"] == grant["id"] and error["decision"] == grant["decision"]
    # an award imported with the directory counts the same (an holds CSTĐCS 2025)
    imported = cli.fails(4, "nominate", CSTDCS, "--unit", "BN-SGD", "--person", "an", "--set",
                         "year=2025", user="lan", now=NOW)
    assert "an already holds CSTDCS for 2025: grant " in imported["message"]
    assert "(decision imported, no decision)" in imported["message"]
    cli.ok("revoke", grant["id"], "--reason", "Thành tích không đúng sự thật", user="minh",
           now=NOW)
    again = grassroots(cli, dossier, "bich", to="draft")
    assert cli.ok("show", again, now=NOW)["state"] == "draft"


def test_a_decision_refuses_an_award_already_granted_and_changes_nothing(
        cli: Cli, dossier: Path) -> None:
    fine = grassroots(cli, dossier, "bich")
    item = grassroots(cli, dossier, "an")
    # the award reaches the register another way meanwhile: a paper decision, imported
    extra = Path(cli.db.split("///")[-1]).parent if cli.db.startswith("sqlite") else None
    addon = (extra or dossier.parent) / "bo-sung.yaml"
    addon.write_text("awards:\n  - {person: an, award: CSTDCS, year: 2026}\n", "utf-8")
    cli.ok("directory", "load", str(addon), now=NOW)
    [held] = [g for g in cli.ok("registry", "--person", "an", "--award", "CSTDCS", "--year",
                                "2026", now=NOW)]
    before = counts(cli)
    error = cli.fails(4, "decision", "issue", "--items", f"{fine},{item}", user="minh", now=NOW)
    assert error["message"] == (
        f"nomination {item} cannot be awarded: an already holds CSTDCS for 2026: grant "
        f"{held['id']} (decision imported, no decision); one achievement, one award")
    assert error["id"] == item
    assert counts(cli) == before
    for each in (fine, item):
        assert cli.ok("show", each, now=NOW)["state"] == "pending_decision"
    assert cli.ok("decision", "list", now=NOW) == []
    # one item at a time: the same refusal
    assert cli.fails(4, "fire", item, "award", user="minh", now=NOW)["id"] == item
    # the other is decided alone
    assert issue_ok(cli, fine)["items"] == [fine]


def issue_ok(cli: Cli, *items: str, user: str = "minh") -> dict[str, Any]:
    result: dict[str, Any] = cli.ok("decision", "issue", "--items", ",".join(items),
                                    user=user, now=NOW)
    return result


def test_two_items_of_one_batch_may_not_grant_one_award_twice(
        cli: Cli, dossier: Path, services: Any) -> None:
    """Items made before the rule (here: one whose year was changed in the store) are caught
    by the decision itself."""
    first = grassroots(cli, dossier, "bich")
    second = str(cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--person", "bich", "--set",
                        "year=2027", "--set", "rating=HTXS", user="lan", now=NOW)["id"])
    service = services()

    def rewrite(tx: Any) -> None:  # as the data of an older installation may be
        row = tx.items.get(int(second))
        row.fields["year"] = 2026
        row.state = "pending_decision"
        tx.items.save(row, row.version)
    service.deps.run(rewrite)
    before = counts(cli)
    error = cli.fails(4, "decision", "issue", "--items", f"{first},{second}", user="minh",
                      now=NOW)
    assert error["message"].startswith(
        f"nomination {second} cannot be awarded: nomination {first} of the same decision "
        "grants bich CSTDCS for 2026 already")
    assert counts(cli) == before


def test_a_list_with_a_nominee_already_proposed_is_refused_whole(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    first = grassroots(cli, dossier, "bich", to="draft")
    path = tmp_path / "ds.csv"
    path.write_text("Họ và tên,Tài khoản,Năm,Xếp loại\nNguyễn Văn An,an,2026,HTXS\n"
                    "Lý Thị Bích,bich,2026,HTXS\n", "utf-8")
    before = counts(cli)
    error = cli.fails(1, "import", str(path), "--flow", CSTDCS, "--unit", "BN-SGD", user="lan",
                      now=NOW)
    assert error["problems"] == [
        f"{path.name}:3:B: bich is already nominated for CSTDCS for 2026: nomination "
        f"#{first} (Draft) is open; one achievement, one award"]
    assert counts(cli) == before
    # and the same person twice in one file
    path.write_text("Họ và tên,Tài khoản,Năm,Xếp loại\nNguyễn Văn An,an,2026,HTXS\n"
                    "Nguyễn Văn An,an,2026,HTXS\n", "utf-8")
    twice = cli.fails(1, "import", str(path), "--flow", CSTDCS, "--unit", "BN-SGD", user="lan",
                      now=NOW)
    assert twice["problems"] == [f"{path.name}:3:B: the same nominee as row 2"]
    assert counts(cli) == before


def extra_flows(folder: Path) -> Path:
    """Two variants of the shipped ad-hoc flow: ``giay-khen-le`` grants a yearly certificate
    (not ad hoc: one a year), ``tu-quyet-khong`` refuses a nominee-decider outright
    (``decider_above: false``)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "definitions" / "flows" / f"{ADHOC}.yaml").read_text("utf-8")
    assert "flow: khen-thuong-dot-xuat\n" in text and "ad_hoc: true\n" in text
    (folder / "giay-khen-le.yaml").write_text(
        text.replace("flow: khen-thuong-dot-xuat\n", "flow: giay-khen-le\n")
        .replace("ad_hoc: true\n", "ad_hoc: false\n"), "utf-8")
    (folder / "tu-quyet-khong.yaml").write_text(
        text.replace("flow: khen-thuong-dot-xuat\n", "flow: tu-quyet-khong\n")
        .replace("ad_hoc: true\n", "ad_hoc: true\ndecider_above: false\n"), "utf-8")
    return folder


STEPS = st.lists(st.sampled_from(["nominate", "reject", "award", "revoke"]), min_size=1,
                 max_size=8)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_no_sequence_grants_one_award_twice(cli: Cli, tmp_path: Path, dossier: Path,
                                            steps: list[str]) -> None:
    """Whatever the officer and the decider do, in any order, one nominee never holds two
    standing grants (nor has two open nominations) of one award for one year."""
    service = make_service(cli.db, NOW, flow_dirs=[extra_flows(tmp_path / "flows")])
    try:
        mai, son = Actor("mai"), Actor("son")
        for step in steps:
            try:
                _step(service, mai, son, dossier, step)
            except Exception as exc:  # a refusal is an answer; a traceback is not
                assert getattr(exc, "exit_code", None) == 4, exc
            standing = [g for g in service.register.grants(_yen())
                        if g["status"] == "granted"]
            assert len(standing) <= 1, standing
            open_items = [i for i in service.items.find(flow="giay-khen-le")
                          if not i["final"]]
            assert len(open_items) <= 1, open_items
    finally:
        service.deps.store.close()


def _yen() -> Query:
    return Query(person="yen", award="GKDX", year=2026)


def _step(service: Any, mai: Actor, son: Actor, dossier: Path, step: str) -> None:
    mine = list(service.items.find(flow="giay-khen-le"))
    waiting = [i["id"] for i in mine if i["state"] == "pending_decision"]
    if step == "nominate":
        made = service.items.nominate(mai, "giay-khen-le", SCHOOL, "Đặng Thị Yến", "yen",
                                      {"deed": "Cứu người", "deed_date": "2026-02-27"})
        for doctype in ("to_trinh", "bao_cao", "xac_nhan"):
            service.items.attach(mai, made["id"], doctype, dossier)
        service.items.fire(mai, made["id"], "submit")
        for trigger in ("accept", "propose_award"):
            service.items.fire(son, made["id"], trigger)
    elif step == "reject" and waiting:
        service.items.fire(son, waiting[-1], "reject", "Chưa đủ thành tích")
    elif step == "award" and waiting:
        service.items.fire(son, waiting[-1], "award")
    elif step == "revoke":
        standing = [g for g in service.register.grants(_yen()) if g["status"] == "granted"]
        if standing:
            service.register.revoke(son, standing[-1]["id"], "Thành tích không đúng")


# ---- nobody decides their own case ---------------------------------------------------------


def test_the_head_nominated_is_decided_by_the_unit_above(cli: Cli, dossier: Path,
                                                           services: Any) -> None:
    item = adhoc(cli, dossier, "Nguyễn Văn Sơn", person="son")
    before = counts(cli)
    error = cli.fails(3, "fire", item, "award", user="son", now=NOW)
    assert error["message"] == (
        f"son may not 'award' nomination {item}: nobody decides their own case; the decision "
        f"goes to the level above {SCHOOL}: unit_head at BN-SGD")
    refused = cli.fails(3, "decision", "issue", "--items", item, user="son", now=NOW)
    assert "nobody decides their own case" in refused["message"] and refused["id"] == item
    assert counts(cli) == before
    # the queues: the parent unit's head sees it waiting on him, the nominee does not
    service = services()
    assert item in [q["id"] for q in service.items.queue(Actor("minh"))]
    assert item not in [q["id"] for q in service.items.queue(Actor("son"))]
    # another item of the school is still the school head's to decide, not the department's
    other = adhoc(cli, dossier, "Đặng Thị Yến", person="yen")
    assert other not in [q["id"] for q in service.items.queue(Actor("minh"))]
    assert "needs unit_head at BN-THPT-LTT" in cli.fails(
        3, "decision", "issue", "--items", other, user="minh", now=NOW)["message"]
    # one decision has one issuer: the school's item and the routed one are not mixed
    mixed = cli.fails(4, "decision", "issue", "--items", f"{item},{other}", user="minh",
                      now=NOW)
    assert mixed["message"].startswith(f"nomination {other} is decided at {SCHOOL}, not at "
                                       "BN-SGD")
    decided = issue_ok(cli, item, user="minh")
    assert decided["number"] == "1/QĐ-BN-SGD" and decided["items"] == [item]
    shown = cli.ok("show", item, now=NOW)
    assert shown["state"] == "awarded" and shown["grant"]["decision"] == "1/QĐ-BN-SGD"
    [fired] = [e for e in cli.ok("audit", "log", item, now=NOW)
               if e["action"] == "fired" and e["payload"].get("trigger") == "award"]
    assert fired["actor"] == "minh"
    assert fired["payload"]["routed_up"] == {"nominee": "son", "from": SCHOOL, "to": "BN-SGD",
                                             "role": "unit_head"}
    html = cli.ok("decision", "document", decided["id"], json_out=False)
    assert "Lê Văn Minh" in html and "Số: 1/QĐ-BN-SGD" in html  # who signed, and the number
    # the school's own decisions keep their own numbers
    assert issue_ok(cli, other, user="son")["number"] == "1/QĐ-BN-THPT-LTT"
    # the level above revokes what it decided
    assert cli.fails(3, "revoke", shown["grant"]["id"], "--reason", "x", user="son",
                     now=NOW)
    cli.ok("revoke", shown["grant"]["id"], "--reason", "Sai sót hồ sơ", user="minh", now=NOW)


def test_a_single_fire_by_the_unit_above_is_audited_as_routed_up(cli: Cli,
                                                                   dossier: Path) -> None:
    item = adhoc(cli, dossier, "Nguyễn Văn Sơn", person="son")
    cli.fails(3, "fire", item, "reject", "--comment", "Tự từ chối", user="son", now=NOW)
    cli.ok("fire", item, "reject", "--comment", "Chưa đủ căn cứ", user="minh", now=NOW)
    [fired] = [e for e in cli.ok("audit", "log", item, now=NOW)
               if e["action"] == "fired" and e["payload"].get("trigger") == "reject"]
    assert fired["actor"] == "minh" and fired["payload"]["routed_up"]["to"] == "BN-SGD"


def test_with_decider_above_false_the_nominee_is_refused_and_nothing_routes_up(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    env = {"AWARD_FLOWS": str(extra_flows(tmp_path / "flows"))}
    local = Cli(cli.db, NOW, env)
    assert local.ok("flows", "show", "tu-quyet-khong")["decider_above"] is False
    assert local.ok("flows", "show", ADHOC)["decider_above"] is True
    item = adhoc(local, dossier, "Nguyễn Văn Sơn", person="son", flow="tu-quyet-khong")
    error = local.fails(3, "fire", item, "award", user="son", now=NOW)
    assert error["message"] == (
        f"son may not 'award' nomination {item}: nobody decides their own case, and flow "
        "'tu-quyet-khong' does not send it to the level above (decider_above: false)")
    assert local.fails(3, "decision", "issue", "--items", item, user="son", now=NOW)
    # the level above holds no role in this flow's decision
    assert "needs unit_head at BN-THPT-LTT" in local.fails(
        3, "fire", item, "award", user="minh", now=NOW)["message"]
    assert local.ok("show", item, now=NOW)["state"] == "pending_decision"


# ---- on the web: in Vietnamese -------------------------------------------------------------


def _names(lang: str) -> Names:
    return Names(lang, {"id": CSTDCS, "title": {"vi": "Chiến sĩ thi đua cơ sở"},
                        "states": {"draft": {"vi": "Dự thảo", "en": "Draft"}}},
                 {"BN-SGD": "Sở Giáo dục và Đào tạo", SCHOOL: "Trường THPT Lý Thái Tổ"},
                 {"CSTDCS": {"vi": "Chiến sĩ thi đua cơ sở", "en": "Grassroots emulation "
                                                                   "fighter"}})


def test_the_refusals_read_in_vietnamese(cli: Cli, dossier: Path, services: Any) -> None:
    service = services()
    first = grassroots(cli, dossier, "bich", to="draft")
    with pytest.raises(NotAllowed) as open_one:
        service.items.nominate(Actor("lan"), CSTDCS, "BN-SGD", "", "bich",
                               {"year": 2026, "rating": "HTXS"})
    assert say_error(open_one.value, _names("vi"), lambda: "?") == (
        "Một thành tích chỉ khen thưởng một lần: người được đề nghị đã có hồ sơ số "
        f"{first} đề nghị “Chiến sĩ thi đua cơ sở” năm 2026, đang ở bước “Dự thảo”.")
    assert say_error(open_one.value, _names("en"), lambda: "?") == (
        "One achievement, one award: the nominee is already proposed for “Grassroots "
        f"emulation fighter” for 2026 in nomination #{first}, at “Draft”.")
    with pytest.raises(NotAllowed) as granted:  # an holds CSTĐCS 2025, imported
        service.items.nominate(Actor("lan"), CSTDCS, "BN-SGD", "", "an",
                               {"year": 2025, "rating": "HTXS"})
    said = say_error(granted.value, _names("vi"), lambda: "?")
    assert said.startswith("Một thành tích chỉ khen thưởng một lần: người được đề nghị đã "
                           "được tặng “Chiến sĩ thi đua cơ sở” năm 2025 (khen thưởng mã ")
    assert said.endswith(", ghi nhận từ hồ sơ cũ).")
    item = grassroots(cli, dossier, "an")
    cli.ok("fire", item, "award", user="minh", now=NOW)
    number = cli.ok("show", item, now=NOW)["grant"]["decision"]
    with pytest.raises(NotAllowed) as decided:
        service.items.nominate(Actor("lan"), CSTDCS, "BN-SGD", "", "an",
                               {"year": 2026, "rating": "HTXS"})
    assert say_error(decided.value, _names("vi"), lambda: "?").endswith(
        f", quyết định {number}).")
    item = adhoc(cli, dossier, "Nguyễn Văn Sơn", person="son")
    with pytest.raises(PermissionDenied) as own:
        service.items.fire(Actor("son"), item, "award")
    assert say_error(own.value, _names("vi"), lambda: "?") == (
        f"Không ai tự quyết định khen thưởng cho mình: hồ sơ số {item} do cấp trên "
        "(Sở Giáo dục và Đào tạo) quyết định.")


def test_a_collective_is_checked_by_its_unit(cli: Cli) -> None:
    """A collective title's nominee is a unit (``--nominee-unit``): the same unit may not be
    proposed twice for one title and year; another unit, or another year, may."""
    flow, good = "tap-the-lao-dong-xuat-sac", ["--set", "rating=HTXS", "--set",
                                               "members_completing_pct=100"]
    first = cli.ok("nominate", flow, "--unit", "BN-SGD", "--nominee-unit", SCHOOL, "--set",
                   "year=2026", *good, user="lan", now=NOW)["id"]
    error = cli.fails(4, "nominate", flow, "--unit", "BN-SGD", "--nominee-unit", SCHOOL,
                      "--set", "year=2026", *good, user="lan", now=NOW)
    assert error["message"].startswith(f"{SCHOOL} is already nominated for ")
    assert f"nomination #{first} (" in error["message"] and error["id"] == first
    cli.ok("nominate", flow, "--unit", "BN-SGD", "--nominee-unit", "BN-SGD", "--set",
           "year=2026", *good, user="lan", now=NOW)
    cli.ok("nominate", flow, "--unit", "BN-SGD", "--nominee-unit", SCHOOL, "--set",
           "year=2027", *good, user="lan", now=NOW)


def test_the_reminder_to_decide_goes_to_the_level_above_not_to_the_nominee(
        cli: Cli, dossier: Path) -> None:
    own = adhoc(cli, dossier, "Nguyễn Văn Sơn", person="son")
    other = adhoc(cli, dossier, "Đặng Thị Yến", person="yen")
    # the decision's 2 WD from Monday: its 50% reminder falls due at the end of Tuesday
    swept = cli.ok("escalate", now="2026-03-04T09:00:00+07:00")
    assert swept["reminded"] == 2
    told = {(str(m["nomination"]), m["recipient"])
            for m in cli.ok("outbox", "--kind", "reminder")}
    assert (own, "minh") in told and (own, "son") not in told
    assert (other, "son") in told and (other, "minh") not in told
    [step] = [e for e in cli.ok("audit", "log", own) if e["action"] == "reminded"]
    assert step["payload"]["recipients"] == ["minh"]
