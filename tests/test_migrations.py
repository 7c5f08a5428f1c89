"""Schema migrations: a database made by the previous release upgrades in place, data and
audit chain kept; the revisions and the tables stay in step; ``award db current`` tells."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from tests.conftest import DIRECTORY, Cli, make_service
from workflow.service import Actor
from workflow.store import migrate, tables
from workflow.store.db import make_engine


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _previous_release(db_url: str, engine: Engine, dossier: Path) -> dict[str, Any]:
    """A database as the first release left it: its schema (the baseline revision) with no
    revision table, a directory, items moved through their flows, a ballot box holding
    plaintext choices, and the session key it kept in ``meta``. Today's code makes the
    items, then the schema is taken back down to the baseline (what later revisions added
    goes, what the first release had stays)."""
    migrate.upgrade(engine)
    service = make_service(db_url)
    lan, thu = Actor("lan"), Actor("thu")
    try:
        service.setup.load_directory(DIRECTORY)
        first = service.items.nominate(lan, "chien-si-thi-dua-co-so", "BN-SGD",
                                       "Nguyễn Văn An", "an", {"year": 2026, "rating": "HTXS"})
        for doctype in ("to_trinh", "bao_cao"):
            service.items.attach(lan, first["id"], doctype, dossier)
        service.items.fire(lan, first["id"], "submit")
        service.items.fire(thu, first["id"], "accept")  # a round opens
        other = service.items.nominate(lan, "khen-thuong-dot-xuat", "BN-SGD", "Lê Thị Hồng",
                                       None, {"deed": "Cứu người trong lũ"})
        round_id = service.deps.run(lambda tx: tx.ballots.latest(int(first["id"]))).id
    finally:
        service.close()
    with engine.connect() as conn:
        config = migrate._config(conn)
        command.downgrade(config, migrate.BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
        conn.commit()
    with engine.begin() as conn:
        # what the first release stored for two cast ballots: plain choices, voters flagged
        for member, choice in (("minh", "yes"), ("hoa", "yes")):
            conn.execute(text("INSERT INTO ballot (round_id, id, choice) VALUES (:r, :i, :c)"),
                         {"r": round_id, "i": secrets.token_hex(16), "c": choice})
            conn.execute(text("UPDATE participation SET voted = :t WHERE round_id = :r AND "
                              "member_login = :m"), {"t": True, "r": round_id, "m": member})
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('web_secret', 'kept-here'), "
                          "('session_epoch:lan', 'abc')"))
    return {"voting": first["id"], "other": other["id"]}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names()) & set(tables.metadata.tables)
        return {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in sorted(names)}


def test_a_previous_release_database_upgrades_in_place_with_its_data(
        db_url: str, engine: Engine, dossier: Path) -> None:
    ids = _previous_release(db_url, engine, dossier)
    cli = Cli(db_url)
    before = _counts(engine)
    with engine.connect() as conn:  # the first release's award history
        prior = conn.execute(text("SELECT count(*) FROM prior_award")).scalar_one()
    assert prior > 0
    head_before = cli.ok("audit", "head")
    behind = cli("db", "current")  # recognised by its tables though it was never stamped
    assert behind.exit_code == 1 and behind.json()["revision"] == migrate.BASELINE

    upgraded = cli.ok("init")
    assert (upgraded["from"], upgraded["revision"]) == (migrate.BASELINE, migrate.head())
    assert cli.ok("db", "current") == {"revision": migrate.head(), "head": migrate.head(),
                                       "at_head": True, "database": upgraded["database"]}
    after = _counts(engine)
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT sum(entry_no) FROM nomination")).scalar_one()
        # every state entry of every item became a visit, the last one in the item's state
        current = conn.execute(text(
            "SELECT n.state, v.state, v.left_at FROM nomination n JOIN stage_visit v ON "
            "v.nomination_id = n.id AND v.entry_no = n.entry_no")).all()
    assert entries and len(current) == before["nomination"]
    assert all(item == stay and left is None for item, stay, left in current)
    assert {k: v for k, v in after.items() if k != "meta"} == {
        **{k: v for k, v in before.items() if k != "meta"}, "web_session": 0,
        "council_session": 0, "council_session_item": 0, "decision": 0,
        "decision_counter": 0, "award_grant": prior, "campaign_registration": 0,
        "cluster_round": 0, "cluster_participation": 0, "cluster_ballot": 0,
        "stage_visit": entries}
    # the history became the register: imported awards, with the people's names
    with engine.connect() as conn:
        sources = dict(conn.execute(text(
            "SELECT source, count(*) FROM award_grant WHERE status = 'granted' "
            "AND nominee <> person_login GROUP BY source")).all())
    assert sources == {"imported": prior}
    with engine.connect() as conn:
        meta = dict(conn.execute(text("SELECT key, value FROM meta")).all())
    assert "web_secret" not in meta and "session_epoch:lan" not in meta
    assert meta["schema"] == "1"
    # the chain is untouched and still verifies, from the same head
    assert cli.ok("audit", "head") == head_before
    assert cli.ok("audit", "verify")["ok"] is True
    # items in flight carry on: the old plaintext ballots count with the sealed ones
    for member in ("nam", "binh", "thu"):
        cli.ok("vote", ids["voting"], "yes", user=member)
    shown = cli.ok("show", ids["voting"])
    assert shown["ballot"]["status"] == "closed" and shown["ballot"]["yes"] == 5
    assert cli.ok("show", ids["other"])["state"] == "draft"
    assert cli.ok("audit", "verify")["ok"] is True
    again = cli.ok("init")
    assert again["from"] == again["revision"] == migrate.head()


def test_the_revisions_build_exactly_the_tables_of_this_release(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    # SQLite keeps the box's VARCHAR(8) (it enforces no length; see revision 0002)
    assert [d for d in diff if not _ballot_length_on_sqlite(d, engine)] == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ballot'")
                               ).scalar_one()
        assert "WITHOUT ROWID" in ddl  # no rowid to follow the casting order


def _ballot_length_on_sqlite(diff: Any, engine: Engine) -> bool:
    return (engine.dialect.name == "sqlite" and isinstance(diff, list)
            and diff[0][0] == "modify_type" and diff[0][2:4] == ("ballot", "choice"))


def test_a_new_database_is_created_at_the_newest_revision(db_url: str) -> None:
    cli = Cli(db_url)
    made = cli.ok("init")
    assert made["created"] is True and made["from"] is None
    assert made["revision"] == migrate.head()
    assert cli.ok("db", "upgrade")["from"] == migrate.head()
    cli.ok("directory", "load", str(DIRECTORY))
    engine = create_engine(db_url)
    try:
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()


def test_db_current_on_an_empty_database_says_so(db_url: str) -> None:
    run = Cli(db_url)("db", "current", json_out=False)
    assert run.exit_code == 1
    assert "none (empty database)" in run.stdout and "award db upgrade" in run.stdout

