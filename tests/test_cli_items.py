"""The item commands end to end through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from workflow.errors import PermissionDenied
from workflow.service import Actor, Service

FLOW = "chien-si-thi-dua-co-so"


NAMES = {"an": "Nguyễn Văn An", "bich": "Lý Thị Bích"}  # as definitions/directory.sample.yaml


def nominate(cli: Cli, person: str = "an", rating: str = "HTXS") -> str:
    item = cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--nominee", NAMES[person],
                  "--person", person, "--set", "year=2026", "--set", f"rating={rating}",
                  user="lan")
    return str(item["id"])


def audit_count(cli: Cli) -> int:
    return int(cli.ok("audit", "head")["seq"])


def test_init_and_directory_load_are_idempotent(cli: Cli) -> None:
    again = cli.ok("init")
    assert again["created"] is False
    loaded = cli.ok("directory", "load", str(Path("definitions/directory.sample.yaml")))
    assert loaded["changed"] == {"units": 0, "people": 0, "roles": 0, "awards": 0}
    assert loaded["units"] == 9


def test_an_add_on_directory_file_may_refer_to_what_is_loaded(cli: Cli, tmp_path: Path
                                                                 ) -> None:
    addon = tmp_path / "addon.yaml"
    addon.write_text("people:\n  - {login: moi, name: Người Mới, roles: [council_member@BN-SGD]}\n"
                     "awards:\n  - {person: an, award: LDTT, year: 2023}\n", encoding="utf-8")
    loaded = cli.ok("directory", "load", str(addon))
    assert loaded["changed"]["people"] == 1 and loaded["changed"]["roles"] == 1
    assert loaded["changed"]["awards"] == 1  # a prior award of a person already loaded
    before = audit_count(cli)
    addon.write_text("people:\n  - {login: khac, name: Khác, roles: [officer@NOWHERE]}\n",
                     encoding="utf-8")
    error = cli.fails(1, "directory", "load", str(addon))
    assert "role 'officer@NOWHERE': unit 'NOWHERE' is not a known unit" in error["message"]
    assert audit_count(cli) == before


def test_nominate_prints_the_new_item(cli: Cli) -> None:
    item = cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--nominee", "Nguyễn Văn An",
                  "--person", "an", "--set", "year=2026", user="lan")
    assert item["state"] == "draft"
    assert item["id"] == "1"
    shown = cli.ok("show", item["id"])
    assert shown["fields"] == {"year": 2026}
    versions = {f["id"]: f["version"] for f in cli.ok("flows", "list")}
    assert shown["flow_version"] == versions[FLOW]
    assert [h["action"] for h in shown["history"]] == ["created"]


def test_happy_path_to_voting_with_tet_deadline(cli: Cli, dossier: Path) -> None:
    item = nominate(cli)
    cli.ok("attach", item, "to_trinh", str(dossier), user="lan")
    cli.ok("attach", item, "bao_cao", str(dossier), user="lan")
    moved = cli.ok("fire", item, "submit", user="lan")
    assert moved["state"] == "submitted"
    # Thu 2026-02-12 + 5 working days across Tết (Feb 16-20) = end of Thu 2026-02-26.
    assert moved["due_at"] == "2026-02-26T23:59:59+07:00"
    accepted = cli.ok("fire", item, "accept", user="thu")
    assert accepted["state"] == "voting"
    shown = cli.ok("show", item)
    assert shown["allowed"] == ["close_vote", "recuse"]
    actions = [h["action"] for h in shown["history"]]
    assert actions == ["created", "attached", "attached", "fired", "fired", "vote_opened"]
    assert [d["type"] for d in shown["documents"]] == ["to_trinh", "bao_cao"]
    assert cli.ok("audit", "verify")["ok"] is True


def test_wrong_state_lists_what_is_allowed_and_writes_nothing(cli: Cli) -> None:
    item = nominate(cli)
    before = audit_count(cli)
    error = cli.fails(4, "fire", item, "approve", user="thu")
    assert error["type"] == "NotAllowed"
    assert error["message"] == "cannot 'approve' from 'draft'; allowed here: submit, withdraw"
    assert audit_count(cli) == before


def test_guard_refusal_names_the_guard(cli: Cli) -> None:
    item = nominate(cli)
    error = cli.fails(4, "fire", item, "submit", user="lan")
    assert error["type"] == "GuardRefused"
    assert error["guard"] == "documents"
    assert "to_trinh" in error["message"]


def test_role_at_the_right_unit_is_required(cli: Cli, dossier: Path) -> None:
    item = nominate(cli)
    cli.ok("attach", item, "to_trinh", str(dossier), user="lan")
    cli.ok("attach", item, "bao_cao", str(dossier), user="lan")
    # hung is secretariat of the province, not of the department the item belongs to
    cli.fails(3, "fire", item, "submit", user="hung")
    cli.ok("fire", item, "submit", user="lan")
    error = cli.fails(3, "fire", item, "accept", user="hung")
    assert error["message"] == "hung may not 'accept' nomination 1: needs secretariat at BN-SGD"
    # a school officer cannot nominate at the department either
    cli.fails(3, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "X", user="mai")


def test_required_comment(cli: Cli, dossier: Path) -> None:
    item = nominate(cli)
    for doc in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doc, str(dossier), user="lan")
    cli.ok("fire", item, "submit", user="lan")
    error = cli.fails(1, "fire", item, "return", user="thu")
    assert "needs a comment" in error["message"]
    moved = cli.ok("fire", item, "return", "--comment", "Thiếu giấy công nhận sáng kiến",
                   user="thu")
    assert moved["state"] == "returned"
    history = cli.ok("audit", "log", item)
    assert history[-1]["payload"]["comment"] == "Thiếu giấy công nhận sáng kiến"


def test_eligibility_guard_says_which_rule_failed(cli: Cli, dossier: Path) -> None:
    # bich holds LDTT 2026 but is rated HTT without an initiative: not eligible for CSTDCS.
    item = nominate(cli, person="bich", rating="HTT")
    for doc in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doc, str(dossier), user="lan")
    cli.ok("fire", item, "submit", user="lan")
    error = cli.fails(4, "fire", item, "accept", user="thu")
    assert error["guard"] == "eligible"
    assert "rating eq 'HTXS'" in error["message"] and "initiative present" in error["message"]
    # submitted, the dossier is frozen: it goes back for the missing initiative
    refused = cli.fails(4, "update", item, "--set", "initiative=SK-2026-01", user="lan")
    assert refused["message"].endswith("it can change again if it is returned")
    cli.ok("fire", item, "return", "--comment", "Bổ sung sáng kiến", user="thu")
    cli.ok("update", item, "--set", "initiative=SK-2026-01", user="lan")
    cli.ok("fire", item, "resubmit", user="lan")
    assert cli.ok("fire", item, "accept", user="thu")["state"] == "voting"


def test_the_person_named_must_be_the_nominee(cli: Cli) -> None:
    before = audit_count(cli)
    error = cli.fails(1, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "Trần Văn Khác",
                      "--person", "an", "--set", "year=2026", user="lan")
    assert error["message"] == ("the nominee 'Trần Văn Khác' is not the name the directory "
                                "has for 'an'; give the name as the directory has it")
    assert "Nguyễn Văn An" not in json.dumps(error, ensure_ascii=False)  # nobody's name leaks
    assert audit_count(cli) == before
    # someone who may not nominate there learns nothing about the directory's names
    error = cli.fails(3, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "Trần Văn Khác",
                      "--person", "an", "--set", "year=2026", user="thu")
    assert "Nguyễn Văn An" not in error["message"]
    # case, spacing and Unicode normal form aside, the names agree
    decomposed = "nguyễn  văn an".replace("ễ", "e\u0302\u0303")
    cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--nominee", decomposed, "--person", "an",
           "--set", "year=2026", user="lan")
    # without --nominee the directory's name is taken
    named = cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--person", "bich", "--set",
                   "year=2026", user="lan")
    assert named["nominee"] == "Lý Thị Bích"
    assert "must not be empty" in cli.fails(1, "nominate", FLOW, "--unit", "BN-SGD",
                                            user="lan")["message"]


def test_bad_input_gets_a_clean_error(cli: Cli, tmp_path: Path) -> None:
    before = audit_count(cli)
    error = cli.fails(1, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "A",
                      "--set", "year=twenty", user="lan")
    assert error["message"] == "field 'year' must be an integer, got 'twenty'"
    error = cli.fails(1, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "A",
                      "--set", "rating=EXCELLENT", user="lan")
    assert "must be one of HTXS, HTT, HT, KHT" in error["message"]
    error = cli.fails(1, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "A",
                      "--set", "ratng=HTXS", user="lan")
    assert "did you mean 'rating'" in error["message"]
    error = cli.fails(5, "nominate", "no-such-flow", "--unit", "BN-SGD", "--nominee", "A",
                      user="lan")
    assert error["type"] == "NotFound"
    cli.fails(5, "nominate", FLOW, "--unit", "XX", "--nominee", "A", user="lan")
    item = nominate(cli)
    after_nominate = audit_count(cli)
    assert after_nominate == before + 1
    error = cli.fails(1, "attach", item, "to_trinh", str(tmp_path / "missing.pdf"), user="lan")
    assert "no file" in error["message"]
    cli.fails(1, "attach", item, "photo", str(tmp_path), user="lan")
    cli.fails(5, "show", "999")
    cli.fails(5, "fire", "999", "submit", user="lan")
    cli.fails(5, "show", "abc")
    run = cli("fire", item, "submit")  # nobody acting
    assert run.exit_code == 2 and "--as" in run.json()["error"]["message"]
    assert audit_count(cli) == after_nominate


def test_human_output_errors_are_one_line(cli: Cli) -> None:
    run = cli("show", "42", json_out=False)
    assert run.exit_code == 5
    assert run.stderr.strip() == "error: no nomination 42"
    assert "Traceback" not in run.stdout + run.stderr


def test_json_flag_works_after_the_command_too(cli: Cli) -> None:
    item = nominate(cli)
    before = cli.ok("show", item)
    after = json.loads(cli("show", item, "--json", json_out=False).stdout)
    assert after == before
    run = cli("show", "42", "--json", json_out=False)
    assert run.exit_code == 5
    assert json.loads(run.stdout)["error"]["type"] == "NotFound"
    human = cli("show", item, json_out=False)
    assert human.exit_code == 0 and not human.stdout.lstrip().startswith("{")


def test_usage_mistakes_get_one_line_and_exit_2(cli: Cli) -> None:
    item = nominate(cli)
    before = audit_count(cli)
    cases = [(["show", item, "--bogus"], "No such option: --bogus (see 'award show --help')"),
             (["show"], "Missing argument 'ID'. (see 'award show --help')"),
             (["nosuch"], "No such command 'nosuch'. (see 'award --help')"),
             (["resolve", "1", "upheld"], "Missing option '--comment'."),
             (["nominate", FLOW, "--unit", "BN-SGD", "--nominee", "A", "--set", "year"],
              "--set 'year': write KEY=VALUE")]
    for argv, message in cases:
        human = cli(*argv, user="lan", json_out=False)
        assert human.exit_code == 2, (argv, human.stderr)
        assert human.stderr.count("\n") == 1 and human.stderr.startswith("error: ")
        assert message in human.stderr, human.stderr
        error = cli.fails(2, *argv, user="lan")
        assert error["type"] == "UsageError" and message in error["message"]
    assert audit_count(cli) == before


def test_list_filters_and_limit(cli: Cli, dossier: Path) -> None:
    ids = [nominate(cli, person) for person in ("an", "bich")]  # one award each a year
    ids.append(str(cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--nominee", "Trần Văn Mới",
                          "--set", "year=2026", "--set", "rating=HTT", user="lan")["id"]))
    for doc in ("to_trinh", "bao_cao"):
        cli.ok("attach", ids[0], doc, str(dossier), user="lan")
    cli.ok("fire", ids[0], "submit", user="lan")
    assert [i["id"] for i in cli.ok("list")] == ids
    assert [i["id"] for i in cli.ok("list", "--state", "submitted")] == [ids[0]]
    assert [i["id"] for i in cli.ok("list", "--limit", "2")] == ids[:2]
    assert cli.ok("list", "--flow", "bang-khen-tinh") == []
    assert len(cli.ok("list", "--unit", "BN-SGD")) == 3
    # 11 working days later the submitted item is overdue (due end of 2026-02-26)
    late = cli.ok("list", "--overdue", now="2026-02-27T08:00:00+07:00")
    assert [i["id"] for i in late] == [ids[0]] and late[0]["overdue"] is True
    assert cli.ok("list", "--overdue", now="2026-02-26T23:00:00+07:00") == []
    # a filter naming nothing that exists is a mistake, not an empty answer
    assert "did you mean 'bang-khen-tinh'" in cli.fails(5, "list", "--flow", "bang-khen-tin")[
        "message"]
    assert cli.fails(5, "list", "--unit", "NOPE")["message"] == "no unit 'NOPE' in the directory"
    assert cli.fails(5, "outbox", "--nomination", "999")["message"] == "no nomination 999"


def test_expect_version_detects_a_concurrent_change(cli: Cli, dossier: Path) -> None:
    item = nominate(cli)
    version = cli.ok("show", item)["version"]
    cli.ok("update", item, "--set", "initiative=SK-1", user="lan")
    error = cli.fails(6, "fire", item, "withdraw", "--comment", "x", "--expect-version",
                      str(version), user="lan")
    assert error["type"] == "Conflict"


def test_database_that_cannot_be_opened(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path}/no/such/dir/a.db",
                "postgresql+psycopg://nobody@127.0.0.1:1/none",
                "mysql://x@y/z", "not a url"):
        run = Cli(url)("init")
        assert run.exit_code == 1, (url, run.stdout, run.stderr)
        error = run.json()["error"]
        assert error["type"] == "StoreUnavailable"
        assert "\n" not in error["message"]


def test_uninitialised_database_says_to_run_init(bare_cli: Cli) -> None:
    error = bare_cli.fails(1, "list")
    assert "award init" in error["message"]
    # the long-running scheduler says so at once instead of failing every sweep
    assert "award init" in bare_cli.fails(1, "scheduler", "--interval", "0.1")["message"]


def test_who_decided_ignores_a_return_from_a_hold(service: Service) -> None:
    """A decision names whoever moved the item into its state, not the secretariat whose
    dismissal of an objection brought it back there."""
    item = service.items.nominate(Actor("lan"), FLOW, "BN-SGD", "Nguyễn Văn An", "an",
                            {"year": "2026"})["id"]
    now = service.deps.now()
    with service.deps.store.transaction() as tx:
        tx.audit.append(now, "minh", "fired", item, "draft", "submitted", {})
        tx.audit.append(now, "thu", "held", item, "submitted", "on_hold", {})
        tx.audit.append(now, "thu", "resumed", item, "on_hold", "submitted", {})
        assert tx.items.entered_by(int(item), "submitted") == "minh"
        assert tx.items.entered_by(int(item), "on_hold") == "thu"


def test_a_unit_proposes_its_own_people(cli: Cli, tmp_path: Path) -> None:
    addon = tmp_path / "addon.yaml"
    addon.write_text("people:\n  - {login: xa, name: Người Xã Khác, unit: BN-THPT-LTT}\n",
                     encoding="utf-8")
    cli.ok("directory", "load", str(addon))
    before = audit_count(cli)
    # the department may name someone of the school below it ...
    cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--person", "xa", "--set", "year=2026",
           user="lan")
    # ... the school may not name someone of the department above it, and is not told where
    # they work nor what they are called
    error = cli.fails(4, "nominate", FLOW, "--unit", "BN-THPT-LTT", "--person", "an",
                      "--set", "year=2026", user="mai")
    assert error["message"] == "'an' does not work at BN-THPT-LTT or a unit below it"
    assert "Nguyễn Văn An" not in json.dumps(error, ensure_ascii=False)
    assert "BN-SGD" not in json.dumps(error)
    assert audit_count(cli) == before + 1


def test_nominee_choices_are_the_units_people_matched_as_people_search(service: Service
                                                                       ) -> None:
    lan, mai = Actor("lan"), Actor("mai")
    found = service.staff.nominee_choices(lan, FLOW, "BN-SGD", "nguyen van a")
    assert [p["login"] for p in found["people"]] == ["an"]
    assert found["people"][0] == {"login": "an", "name": "Nguyễn Văn An", "unit": "BN-SGD",
                                  "unit_name": found["people"][0]["unit_name"]}
    # the school below is part of the department's people; the department is not the school's
    everyone = {p["login"] for p in service.staff.nominee_choices(lan, FLOW, "BN-SGD",
                                                                   limit=100)["people"]}
    assert {"an", "bich", "cuong", "thu", "mai", "yen"} <= everyone
    school = {p["login"] for p in service.staff.nominee_choices(mai, FLOW, "BN-THPT-LTT",
                                                                 limit=100)["people"]}
    assert "an" not in school and {"mai", "yen"} <= school
    # a short page says there is more; the one chosen stays listed
    page = service.staff.nominee_choices(lan, FLOW, "BN-SGD", limit=2, chosen="yen")
    assert page["more"] is True and "yen" in [p["login"] for p in page["people"]]
    # only someone who may nominate there learns the names
    with pytest.raises(PermissionDenied):
        service.staff.nominee_choices(mai, FLOW, "BN-SGD")
    with pytest.raises(PermissionDenied):
        service.staff.nominee_choices(Actor("thu"), FLOW, "BN-SGD")
