"""The stays reports read (``stage_visit``): every move closes the stay it left and opens the
next, each found by the table's primary key — on SQLite and, with AWARD_TEST_PG, PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text

from workflow.bench import BENCH_NOW, _bench_service
from workflow.service import Actor, Service

OFFICER = Actor("officer")


def _stays(db_url: str, item: int) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT entry_no, state, left_at IS NULL, days FROM stage_visit "
                "WHERE nomination_id = :i ORDER BY entry_no"), {"i": item})]
    finally:
        engine.dispose()


def _service(tmp_path: Path, db_url: str) -> Service:
    return _bench_service(tmp_path / "defs", db_url)


def test_each_move_closes_the_stay_it_left_and_opens_one(tmp_path: Path, db_url: str) -> None:
    service = _service(tmp_path, db_url)
    try:
        item = int(service.items.nominate(OFFICER, "bench-ping-pong", "B", "Bench",
                                          values={"year": 2026})["id"])
        for trigger in ("ping", "pong", "ping", "stop"):
            service.items.fire(OFFICER, item, trigger)
    finally:
        service.close()
    stays = _stays(db_url, item)
    assert [(e, s, o) for e, s, o, _ in stays] == [
        (1, "a", False), (2, "b", False), (3, "a", False), (4, "b", False), (5, "done", True)]
    # the fixed clock: every stay but the last lasted no time at all, and says so
    assert [d for *_, d in stays] == [0.0, 0.0, 0.0, 0.0, None]


def test_a_stay_kept_under_another_state_is_still_closed(tmp_path: Path,
                                                         db_url: str) -> None:
    """A database upgraded from before 0016 may keep a stay under the state its entry began
    in (a flow migration mapped the item elsewhere without a new entry): the next move finds
    it among the states the item's audit entries name."""
    service = _service(tmp_path, db_url)
    try:
        item = int(service.items.nominate(OFFICER, "bench-ping-pong", "B", "Bench",
                                          values={"year": 2026})["id"])
        service.items.fire(OFFICER, item, "ping")
        service.items.fire(OFFICER, item, "pong")  # entry 3, in a
        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE stage_visit SET state = 'b' WHERE nomination_id = :i "
                              "AND entry_no = 3"), {"i": item})
        engine.dispose()
        service.items.fire(OFFICER, item, "ping")
    finally:
        service.close()
    assert [(e, s, o) for e, s, o, _ in _stays(db_url, item)] == [
        (1, "a", False), (2, "b", False), (3, "b", False), (4, "b", True)]


def test_a_state_mapped_without_a_new_entry_takes_its_stay_along(tmp_path: Path,
                                                                 db_url: str) -> None:
    """What a flow migration does to an item: the state of its entry changes, the entry does
    not. The open stay moves to the new state with the new due time, and the next move
    closes it there."""
    service = _service(tmp_path, db_url)
    due = datetime(2026, 4, 1, 3, 0, tzinfo=BENCH_NOW.tzinfo)
    try:
        item = int(service.items.nominate(OFFICER, "bench-ping-pong", "B", "Bench",
                                          values={"year": 2026})["id"])

        def remap(tx: Any) -> None:
            row = tx.items.get(item)
            row.state, row.due_at = "b", due
            tx.items.save(row, row.version)

        service.deps.run(remap)
        engine = create_engine(db_url)
        with engine.connect() as conn:
            [(state, due_at)] = conn.execute(text(
                "SELECT state, due_at FROM stage_visit WHERE nomination_id = :i"),
                {"i": item}).all()
        engine.dispose()
        assert state == "b"
        assert due_at is not None
        service.items.fire(OFFICER, item, "pong")
    finally:
        service.close()
    assert [(e, s, o) for e, s, o, _ in _stays(db_url, item)] == [
        (1, "b", False), (2, "a", True)]


def test_a_move_reads_and_writes_stays_by_primary_key_only(tmp_path: Path) -> None:
    """SQLite's plans for every statement a move runs on ``stage_visit``: a search by the
    primary key, never a scan (the reports' indexes are for reports, not for moves)."""
    db_url = f"sqlite:///{tmp_path / 'plans.db'}"
    service = _service(tmp_path, db_url)
    seen: list[str] = []
    try:
        item = int(service.items.nominate(OFFICER, "bench-ping-pong", "B", "Bench",
                                          values={"year": 2026})["id"])
        engine = service.deps.store.engine

        def trace(dbapi: Any, _record: Any) -> None:
            dbapi.set_trace_callback(seen.append)

        engine.dispose()  # new connections from here on are traced
        event.listen(engine, "connect", trace)
        try:
            service.items.fire(OFFICER, item, "ping")
            service.items.fire(OFFICER, item, "pong")
        finally:
            event.remove(engine, "connect", trace)
    finally:
        service.close()
    stays = [s for s in seen if "stage_visit" in s]
    assert {s.split()[0] for s in stays} == {"UPDATE", "INSERT"}
    conn = sqlite3.connect(str(tmp_path / "plans.db"))
    try:
        for statement in stays:
            steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement)]
            on_stays = [s for s in steps if "stage_visit" in s]
            assert all("USING PRIMARY KEY" in s for s in on_stays), (statement, steps)
    finally:
        conn.close()
