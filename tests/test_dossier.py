"""The dossier and the details of a nomination: open while the proposers hold it (a draft, a
return for supplement), frozen from submission on; a new version of a document replaces the
old one (kept, and named in the audit), a document can be withdrawn, an empty file is refused.
On SQLite and PostgreSQL, through the CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import Cli

FLOW = "chien-si-thi-dua-co-so"
FROZEN = "it can change again if it is returned"


def draft(cli: Cli) -> str:
    item = cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--nominee", "Nguyễn Văn An",
                  "--person", "an", "--set", "year=2026", "--set", "rating=HTXS", user="lan")
    return str(item["id"])


def audit_of(cli: Cli, item: str, action: str) -> list[dict[str, object]]:
    return [e for e in cli.ok("audit", "log", item) if e["action"] == action]


def stored_versions(cli: Cli, item: str) -> int:
    """Every document row of the item, replaced and withdrawn ones too."""
    from tests.conftest import make_service

    service = make_service(cli.db)
    try:
        row = service.deps.run(lambda tx: tx.raw.one(
            "SELECT count(*) FROM document WHERE nomination_id = ?", (int(item),)))
    finally:
        service.close()
    assert row is not None
    return int(row[0])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, content in (("v1.pdf", b"To trinh, ban 1"), ("v2.pdf", b"To trinh, ban 2"),
                          ("bc.pdf", b"Bao cao thanh tich"), ("empty.pdf", b"")):
        out[name] = tmp_path / name
        out[name].write_bytes(content)
    return out


def test_a_new_version_replaces_the_old_one_which_is_kept(cli: Cli, files: dict[str, Path]
                                                          ) -> None:
    item = draft(cli)
    first = cli.ok("attach", item, "to_trinh", str(files["v1.pdf"]), user="lan")
    assert first["replaced"] == []
    second = cli.ok("attach", item, "to_trinh", str(files["v2.pdf"]), user="lan")
    assert second["replaced"] == [first["id"]]
    shown = cli.ok("show", item)
    assert [(d["type"], d["file"]) for d in shown["documents"]] == [("to_trinh", "v2.pdf")]
    [_, replacing] = audit_of(cli, item, "attached")
    assert replacing["payload"]["replaces"] == [{  # type: ignore[index]
        "document": first["id"], "file": "v1.pdf",
        "sha256": hashlib.sha256(b"To trinh, ban 1").hexdigest()}]
    assert stored_versions(cli, item) == 2  # nothing submitted is ever deleted
    assert cli.ok("audit", "verify")["ok"] is True


def test_a_document_is_withdrawn_and_a_required_one_is_then_missing(
        cli: Cli, files: dict[str, Path]) -> None:
    item = draft(cli)
    cli.ok("attach", item, "to_trinh", str(files["v1.pdf"]), user="lan")
    cli.ok("attach", item, "bao_cao", str(files["bc.pdf"]), user="lan")
    withdrawn = cli.ok("detach", item, "bao_cao", user="lan")
    assert withdrawn["type"] == "bao_cao" and len(withdrawn["withdrawn"]) == 1
    assert [d["type"] for d in cli.ok("show", item)["documents"]] == ["to_trinh"]
    [entry] = audit_of(cli, item, "detached")
    assert entry["payload"]["type"] == "bao_cao"  # type: ignore[index]
    # nothing left of that type: said so, nothing written
    before = cli.ok("audit", "head")["seq"]
    error = cli.fails(4, "detach", item, "bao_cao", user="lan")
    assert error["message"].endswith("holds no bao_cao")
    assert "no document type 'giay_khen'" in cli.fails(1, "detach", item, "giay_khen",
                                                       user="lan")["message"]
    assert cli.ok("audit", "head")["seq"] == before
    # the guard on submission sees the dossier as it stands
    refused = cli.fails(4, "fire", item, "submit", user="lan")
    assert "bao_cao" in str(refused)
    assert stored_versions(cli, item) == 2


def test_an_empty_file_is_refused(cli: Cli, files: dict[str, Path]) -> None:
    item = draft(cli)
    before = cli.ok("audit", "head")["seq"]
    error = cli.fails(1, "attach", item, "to_trinh", str(files["empty.pdf"]), user="lan")
    assert "empty.pdf is empty" in error["message"]
    assert cli.ok("audit", "head")["seq"] == before
    assert cli.ok("show", item)["documents"] == []


def test_the_dossier_is_frozen_from_submission_until_it_is_returned(
        cli: Cli, files: dict[str, Path]) -> None:
    item = draft(cli)
    cli.ok("attach", item, "to_trinh", str(files["v1.pdf"]), user="lan")
    cli.ok("attach", item, "bao_cao", str(files["bc.pdf"]), user="lan")
    cli.ok("update", item, "--set", "initiative=SK-1", user="lan")
    cli.ok("fire", item, "submit", user="lan")
    before = cli.ok("audit", "head")["seq"]
    # the proposer (who may still withdraw the whole nomination) and the secretariat alike
    for user in ("lan", "thu"):
        assert cli.fails(4, "attach", item, "to_trinh", str(files["v2.pdf"]),
                         user=user)["message"].endswith(FROZEN)
        assert cli.fails(4, "detach", item, "bao_cao", user=user)["message"].endswith(FROZEN)
        assert cli.fails(4, "update", item, "--set", "initiative=SK-2",
                         user=user)["message"].endswith(FROZEN)
    assert cli.ok("audit", "head")["seq"] == before
    # returned for supplement: the proposers change it again, and resubmit
    cli.ok("fire", item, "return", "--comment", "Bổ sung tờ trình", user="thu")
    assert cli.fails(3, "attach", item, "to_trinh", str(files["v2.pdf"]), user="thu")
    cli.ok("attach", item, "to_trinh", str(files["v2.pdf"]), user="lan")
    cli.ok("update", item, "--set", "initiative=SK-2", user="lan")
    cli.ok("fire", item, "resubmit", user="lan")
    cli.ok("fire", item, "accept", user="thu")  # the council votes on version 2
    assert cli.fails(4, "attach", item, "to_trinh", str(files["v1.pdf"]),
                     user="lan")["message"].endswith(FROZEN)
    shown = cli.ok("show", item)
    assert shown["state"] == "voting" and shown["fields"]["initiative"] == "SK-2"
    assert {d["file"] for d in shown["documents"]} == {"v2.pdf", "bc.pdf"}
