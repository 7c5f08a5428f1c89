"""Benchmarks: the engine against a hand-written baseline measured in the same run.

``award bench transitions`` fires N durable transitions through the whole engine (role check,
guards, compare-and-set update, hash-chained audit entry, one commit each) and the same writes
with plain ``sqlite3`` (read row, compare-and-set update, hash-chained insert, commit; WAL,
``synchronous=NORMAL``), and reports both rates and their ratio. Ratios, not absolute times,
are what to compare across machines.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workflow.bootstrap import Settings, build_service
from workflow.clock import FixedClock
from workflow.pdf import Printer
from workflow.service import Actor, Service
from workflow.service.printing import ISSUED
from workflow.store import Chain, Store, make_engine

__all__ = ["RawBaseline", "bench_ballots", "bench_sessions", "bench_sweep",
           "bench_transitions"]

BENCH_FLOW = """\
flow: bench-ping-pong
title: {vi: "Đo hiệu năng", en: "Benchmark"}
award: LDTT
nominee: individual
calendar: vn
on_upheld: done
fields:
  year: {type: integer, required: true}
states:
  a: {initial: true}
  b: {}
  done: {final: true, outcome: withdrawn}
transitions:
  - {trigger: ping, from: a, to: b, by: officer@unit, require: [fields_complete]}
  - {trigger: pong, from: b, to: a, by: officer@unit, require: [fields_complete]}
  - {trigger: stop, from: [a, b], to: done, by: officer@unit}
"""

BALLOT_FLOW = """\
flow: bench-ballot
title: {vi: "Đo hiệu năng bỏ phiếu", en: "Ballot benchmark"}
award: LDTT
nominee: individual
calendar: vn
states:
  draft: {initial: true}
  voting:
    type: vote
    vote: {council: unit, threshold: majority, of: members, quorum: 2/3,
           pass: passed, fail: rejected}
  passed: {final: true, outcome: awarded}
  rejected: {final: true, outcome: rejected}
transitions:
  - {trigger: open, from: draft, to: voting, by: secretariat@unit}
"""

BENCH_DIRECTORY = """\
units:
  - {id: B, name: "Bench unit", level: unit}
people:
  - {login: officer, name: "Bench officer", roles: [officer@B, secretariat@B]}
"""


def _council(members: int) -> str:
    return "".join(f"  - {{login: m{i:03d}, name: \"Member {i}\", roles: [council_member@B]}}\n"
                   for i in range(members))

BENCH_NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Rate:
    """How many operations took how long."""

    n: int
    seconds: float
    cpu: float = 0.0  # this process's CPU time: what a busy machine's other work leaves out

    @property
    def per_second(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")


def _timed(n: int, step: Callable[[int], None]) -> Rate:
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        step(i)
    return Rate(n, time.perf_counter() - started, time.process_time() - cpu)


class RawBaseline:
    """The same durable writes with nothing but ``sqlite3``: one connection, kept open.

    ``indexed`` adds the two secondary indexes the engine's tables maintain on every
    transition (items by state, audit entries by item), for an apples-to-apples reading.
    """

    def __init__(self, path: Path, items: int, *, indexed: bool = False) -> None:
        self.items = items
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, state TEXT NOT NULL, "
                          "version INTEGER NOT NULL)")
        self.conn.execute("CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, "
                          "action TEXT, item TEXT, from_state TEXT, to_state TEXT, payload TEXT, "
                          "prev_hash TEXT, hash TEXT)")
        if indexed:
            self.conn.execute("CREATE INDEX ix_item_state ON item (state)")
            self.conn.execute("CREATE INDEX ix_audit_item ON audit (item)")
        self.conn.executemany("INSERT INTO item (id, state, version) VALUES (?, 'a', 1)",
                              [(i + 1,) for i in range(items)])
        self.at = BENCH_NOW.isoformat()

    def step(self, i: int) -> None:
        conn, item = self.conn, i % self.items + 1
        conn.execute("BEGIN")
        state, version = conn.execute(
            "SELECT state, version FROM item WHERE id = ?", (item,)).fetchone()
        new = "b" if state == "a" else "a"
        cur = conn.execute("UPDATE item SET state = ?, version = version + 1 "
                           "WHERE id = ? AND version = ?", (new, item, version))
        assert cur.rowcount == 1
        row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, "0" * 64)
        payload = json.dumps({"trigger": "ping" if new == "b" else "pong"})
        head = json.dumps([seq, self.at, "officer", "fired", str(item), state, new])
        digest = hashlib.sha256((prev + head + payload).encode()).hexdigest()
        conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (seq, self.at, "officer", "fired", str(item), state, new, payload, prev,
                      digest))
        conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class PgBaseline:
    """:class:`RawBaseline` on PostgreSQL with nothing but psycopg: the same writes in a
    schema of its own (dropped at close), one connection, one commit per step."""

    def __init__(self, url: str, items: int, *, indexed: bool = False) -> None:
        import os

        import psycopg

        from workflow.store import normalise_url

        self.items = items
        plain = normalise_url(url).replace("postgresql+psycopg://", "postgresql://", 1)
        self.conn = psycopg.connect(plain, autocommit=False)
        self.schema = f"award_bench_{os.getpid()}_{'i' if indexed else 'p'}"
        with self.conn.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {self.schema}")
            cur.execute(f"SET search_path TO {self.schema}")
            cur.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, state TEXT NOT NULL, "
                        "version INTEGER NOT NULL)")
            cur.execute("CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, "
                        "action TEXT, item TEXT, from_state TEXT, to_state TEXT, payload TEXT, "
                        "prev_hash TEXT, hash TEXT)")
            if indexed:
                cur.execute("CREATE INDEX ix_item_state ON item (state)")
                cur.execute("CREATE INDEX ix_audit_item ON audit (item)")
            cur.executemany("INSERT INTO item (id, state, version) VALUES (%s, 'a', 1)",
                            [(i + 1,) for i in range(items)])
        self.conn.commit()
        self.cur = self.conn.cursor()
        self.at = BENCH_NOW.isoformat()

    def step(self, i: int) -> None:
        cur, item = self.cur, i % self.items + 1
        cur.execute("SELECT state, version FROM item WHERE id = %s", (item,))
        state, version = cur.fetchone()  # type: ignore[misc]
        new = "b" if state == "a" else "a"
        cur.execute("UPDATE item SET state = %s, version = version + 1 "
                    "WHERE id = %s AND version = %s", (new, item, version))
        assert cur.rowcount == 1
        cur.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        row = cur.fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, "0" * 64)
        payload = json.dumps({"trigger": "ping" if new == "b" else "pong"})
        head = json.dumps([seq, self.at, "officer", "fired", str(item), state, new])
        digest = hashlib.sha256((prev + head + payload).encode()).hexdigest()
        cur.execute("INSERT INTO audit VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (seq, self.at, "officer", "fired", str(item), state, new, payload, prev,
                     digest))
        self.conn.commit()

    def close(self) -> None:
        self.conn.rollback()
        with self.conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.conn.commit()
        self.conn.close()


class StatementsBaseline:
    """The engine's own statements for one transition, written out by hand and run on a
    connection the engine configured (its pragmas: foreign keys, ``secure_delete``, the
    log's checkpoint size), in a database the engine built with the same items: read the
    item, check the role, compare-and-set, close one stay and open the next, extend the
    chain, commit — nothing else. Its rate is the ceiling of any engine that stores what
    this one stores (the stays reports read, the indexes ``list`` and ``show`` need);
    :class:`RawBaseline` lacks those writes. SQLite only."""

    def __init__(self, folder: Path, items: int) -> None:
        with _bench_service(folder, None) as service:
            actor = Actor("officer")
            self.ids = [service.items.nominate(actor, "bench-ping-pong", "B", f"Bench {i}",
                                               values={"year": 2026})["id"]
                        for i in range(items)]
        # a store of its own on the same file, made as the service makes its own: the same
        # connection settings and the same link function (keyed as the service's settings)
        self.store = Store(make_engine(f"sqlite:///{folder / 'engine.db'}"),
                           Chain(os.environ.get("AWARD_AUDIT_KEY") or None))
        self._borrowed = self.store._borrow()
        lent: Any = self._borrowed.__enter__()
        self.conn = lent.driver_connection
        self.cur = self.conn.cursor()
        self.at = BENCH_NOW.replace(tzinfo=None).isoformat(" ", "microseconds")
        self.audit_at = BENCH_NOW.isoformat(timespec="microseconds")
        self.link = self.store.chain.link
        self.dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                      sort_keys=True).encode
        self.version = self.cur.execute(
            "SELECT flow_version FROM nomination WHERE id = ?", (self.ids[0],)).fetchone()[0]

    def step(self, i: int) -> None:
        cur, item, at = self.cur, self.ids[i % len(self.ids)], self.at
        cur.execute("BEGIN")
        cur.execute("SELECT id, flow_id, flow_version, state, version, unit_id, nominee, "
                    "person_login, fields, created_at, created_by, entered_at, entry_no, "
                    "due_at, final, outcome, hold_data, confidential, nominee_unit "
                    "FROM nomination WHERE id = ?", (item,))
        row = cur.fetchone()
        state, version, entry = row[3], row[4], row[12]
        new = "b" if state == "a" else "a"
        cur.execute("SELECT 1 FROM role_grant WHERE login = ? AND role = ? AND unit_id = ?",
                    ("officer", "officer", "B")).fetchone()
        # what the engine sets here (the bench's clock stands still: entered_at is unchanged)
        cur.execute("UPDATE nomination SET version = ?, state = ?, entry_no = ? "
                    "WHERE id = ? AND version = ?", (version + 1, new, entry + 1, item, version))
        assert cur.rowcount == 1
        cur.execute("UPDATE stage_visit SET left_at = ?, days = julianday(?) - "
                    "julianday(entered_at) WHERE flow_id = ? AND state = ? AND unit_id = ? "
                    "AND nomination_id = ? AND entry_no = ? AND left_at IS NULL",
                    (at, at, "bench-ping-pong", state, "B", item, entry))
        cur.execute("INSERT INTO stage_visit (flow_id, state, nomination_id, entry_no, "
                    "unit_id, created_at, entered_at, left_at, days, due_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
                    ("bench-ping-pong", new, item, entry + 1, "B", at, at))
        seq, prev = cur.execute(
            "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
        payload = self.dumps({"flow_version": self.version,
                              "trigger": "ping" if new == "b" else "pong"})
        # the engine's own link function, so the chain written here verifies like its own
        digest = self.link(prev, seq + 1, self.audit_at, "officer", "fired", str(item), state,
                           new, payload)
        cur.execute("INSERT INTO audit_entry (seq, at, actor, action, nomination, from_state, "
                    "to_state, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (seq + 1, self.audit_at, "officer", "fired", str(item), state, new,
                     payload, prev, digest))
        self.conn.commit()

    def verified(self) -> bool:
        """Whether the chain written by hand verifies as the engine's does."""
        return self.store.run(lambda tx: tx.audit.verify()).ok

    def close(self) -> None:
        self._borrowed.__exit__(None, None, None)
        self.store.engine.dispose()


@contextmanager
def _own_schema(db_url: str | None) -> Iterator[str | None]:
    """On PostgreSQL, a schema of the run's own (selected through ``search_path``, dropped
    afterwards), so a benchmark never writes into the database's existing tables."""
    if db_url is None or not db_url.startswith("postgres") or "options=" in db_url:
        yield db_url  # SQLite, or a URL that names its schema already
        return
    import os
    from urllib.parse import quote

    import psycopg

    from workflow.store import normalise_url

    plain = normalise_url(db_url).replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"award_bench_engine_{os.getpid()}"
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        sep = "&" if "?" in db_url else "?"
        yield f"{normalise_url(db_url)}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def _bench_service(folder: Path, db_url: str | None, members: int = 0, *, pdf: bool = True
                   ) -> Service:
    flows = folder / "flows"
    flows.mkdir(parents=True, exist_ok=True)
    flows.joinpath("bench-ping-pong.yaml").write_text(BENCH_FLOW, encoding="utf-8")
    (flows / "bench-ballot.yaml").write_text(BALLOT_FLOW, encoding="utf-8")
    directory = folder / "directory.yaml"
    directory.write_text(BENCH_DIRECTORY + _council(members), encoding="utf-8")
    settings = Settings.from_env(db=db_url or f"sqlite:///{folder / 'engine.db'}")
    settings.flow_dirs = [flows]
    settings.clock = FixedClock(BENCH_NOW)
    service = build_service(settings, printer=None if pdf else Printer(enabled=False))
    service.setup.init()
    service.setup.load_directory(directory)
    return service


def bench_transitions(n: int = 5000, db_url: str | None = None, items: int = 100,
                      rounds: int = 10, progress: Callable[[str], None] | None = None
                      ) -> dict[str, Any]:
    """Engine vs the same writes by hand — sqlite3, or psycopg when ``db_url`` is PostgreSQL
    — interleaved in ``rounds`` blocks so machine noise hits both."""
    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp, \
            _own_schema(db_url) as engine_url:
        folder = Path(tmp)
        service = _bench_service(folder, engine_url)
        pg = db_url is not None and db_url.startswith(("postgres", "postgresql"))
        baseline: RawBaseline | PgBaseline = (
            PgBaseline(db_url, items) if pg and db_url else RawBaseline(folder / "baseline.db",
                                                                         items))
        indexed: RawBaseline | PgBaseline = (
            PgBaseline(db_url, items, indexed=True) if pg and db_url
            else RawBaseline(folder / "indexed.db", items, indexed=True))
        floor = None if pg else StatementsBaseline(folder / "floor", items)
        try:
            actor = Actor("officer")
            ids = [service.items.nominate(actor, "bench-ping-pong", "B", f"Bench {i}",
                                    values={"year": 2026})["id"] for i in range(items)]
            states = dict.fromkeys(ids, "a")
            done = {"engine": 0, "baseline": 0, "indexed": 0, "floor": 0}

            def engine_step(_: int) -> None:
                item = ids[done["engine"] % items]
                trigger = "ping" if states[item] == "a" else "pong"
                states[item] = service.items.fire(actor, item, trigger)["state"]
                done["engine"] += 1

            def baseline_step(_: int) -> None:
                baseline.step(done["baseline"])
                done["baseline"] += 1

            def indexed_step(_: int) -> None:
                indexed.step(done["indexed"])
                done["indexed"] += 1

            def floor_step(_: int) -> None:
                if floor is not None:
                    floor.step(done["floor"])
                done["floor"] += 1

            warm = min(200, n)
            _timed(warm, engine_step)
            _timed(warm, baseline_step)
            _timed(warm, indexed_step)
            _timed(warm, floor_step)
            engine_s = baseline_s = indexed_s = floor_s = engine_cpu = baseline_cpu = 0.0
            block = max(1, n // rounds)
            left = n
            while left > 0:
                size = min(block, left)
                took = _timed(size, engine_step)
                engine_s, engine_cpu = engine_s + took.seconds, engine_cpu + took.cpu
                took = _timed(size, baseline_step)
                baseline_s, baseline_cpu = baseline_s + took.seconds, baseline_cpu + took.cpu
                indexed_s += _timed(size, indexed_step).seconds
                if floor is not None:
                    floor_s += _timed(size, floor_step).seconds
                left -= size
                if progress:
                    progress(f"  {n - left}/{n} transitions each")
            verified = service.audit.verify()
            floor_verified = floor.verified() if floor is not None else None
        finally:
            baseline.close()
            indexed.close()
            if floor is not None:
                floor.close()
            service.close()
    engine_tps = n / engine_s
    baseline_tps = n / baseline_s
    indexed_tps = n / indexed_s
    return {
        "n": n,
        "items": items,
        "rounds": rounds,
        "db": "sqlite" if db_url is None else db_url.split(":", 1)[0],
        "engine_tps": round(engine_tps, 1),
        "baseline": "psycopg" if db_url and db_url.startswith("postgres") else "sqlite3",
        "baseline_tps": round(baseline_tps, 1),
        "ratio": round(engine_tps / baseline_tps, 3),
        "baseline_indexed_tps": round(indexed_tps, 1),
        "ratio_indexed": round(engine_tps / indexed_tps, 3),
        # the engine's own statements by hand (SQLite): the ceiling of the ratio for any
        # engine storing what this one stores, and how close this one comes to it
        "floor_tps": round(n / floor_s, 1) if floor_s else None,
        "floor_ratio": round(baseline_s / floor_s, 3) if floor_s else None,
        "ratio_to_floor": round(floor_s / engine_s, 3) if floor_s else None,
        "floor_audit_verified": floor_verified,
        "engine_us_per_transition": round(1e6 / engine_tps, 1),
        "baseline_us_per_transition": round(1e6 / baseline_tps, 1),
        # CPU time of this process per transition (commits' waits excluded): steadier than
        # wall time when other work shares the machine
        "engine_cpu_us": round(engine_cpu / n * 1e6, 1),
        "baseline_cpu_us": round(baseline_cpu / n * 1e6, 1),
        "cpu_ratio": round(baseline_cpu / engine_cpu, 3) if engine_cpu else None,
        "audit_verified": verified.ok,
    }


class BallotBaseline:
    """The writes of a secret ballot with nothing but ``sqlite3``, one commit each: the
    member's participation flag, one row in the box (a random id, the choice), one
    hash-chained audit entry naming the voter and not the choice. None of the engine's
    secrecy measures (sealing, rewriting the box, emptying the log at each close), nor its
    checks (roll, quorum, the close and its tally)."""

    def __init__(self, path: Path, members: int, rounds: int) -> None:
        self.members = members
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE participation (round_id INTEGER, member TEXT, "
                          "voted INTEGER, PRIMARY KEY (round_id, member)) WITHOUT ROWID")
        self.conn.execute("CREATE TABLE ballot (round_id INTEGER, id TEXT, choice TEXT, "
                          "PRIMARY KEY (round_id, id)) WITHOUT ROWID")
        self.conn.execute("CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, "
                          "action TEXT, item TEXT, payload TEXT, prev_hash TEXT, hash TEXT)")
        self.conn.executemany("INSERT INTO participation VALUES (?, ?, 0)",
                              [(r, f"m{m:03d}") for r in range(rounds) for m in range(members)])
        self.at = BENCH_NOW.isoformat()

    def step(self, i: int, choice: str) -> None:
        import secrets

        conn, round_id, member = self.conn, i // self.members, f"m{i % self.members:03d}"
        conn.execute("BEGIN")
        cur = conn.execute("UPDATE participation SET voted = 1 WHERE round_id = ? AND "
                           "member = ? AND voted = 0", (round_id, member))
        assert cur.rowcount == 1
        conn.execute("INSERT INTO ballot VALUES (?, ?, ?)",
                     (round_id, secrets.token_hex(16), choice))
        row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, "0" * 64)
        payload = json.dumps({"round": round_id})
        head = json.dumps([seq, self.at, member, "voted", str(round_id)])
        digest = hashlib.sha256((prev + head + payload).encode()).hexdigest()
        conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (seq, self.at, member, "voted", str(round_id), payload, prev, digest))
        conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def bench_ballots(n: int = 2000, db_url: str | None = None, members: int = 25,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Durable secret ballots per second through the engine (rounds close as they fill),
    against :class:`BallotBaseline` (sqlite3) in the same run."""
    rounds = max(1, -(-n // members))
    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp, \
            _own_schema(db_url) as engine_url:
        # the PDFs of the minutes and decisions each close issues are laid out after the
        # commit, outside the ballot: off here, and timed on their own below
        service = _bench_service(Path(tmp), engine_url, members, pdf=False)
        issued: list[str] = []
        service.observe(
            lambda event, data: issued.append(data["html"]) if event == ISSUED else None)
        spent = {"box": 0.0, "scrub": 0.0}
        baseline = BallotBaseline(Path(tmp) / "baseline.db", members, rounds)
        try:
            secretariat = Actor("officer")
            ids = []
            for i in range(rounds):
                item = service.items.nominate(secretariat, "bench-ballot", "B", f"Bench {i}")["id"]
                service.items.fire(secretariat, item, "open")
                ids.append(item)
            voters = [Actor(f"m{i:03d}") for i in range(members)]
            choices = ("yes", "yes", "no", "abstain")
            # one whole round first, untimed: the first close compiles the templates of the
            # documents it issues, once per process
            warm = service.items.nominate(secretariat, "bench-ballot", "B", "Warm-up")["id"]
            service.items.fire(secretariat, warm, "open")
            for count in range(members):
                service.items.vote(voters[count], warm, choices[count % len(choices)])
            closed = 0
            seconds = base_s = cpu = base_cpu = 0.0
            _time_secrecy(service, spent)
            issued.clear()
            block = members * max(1, (n // members) // 10)  # ten blocks, whole rounds each
            done = 0
            while done < n:  # interleaved with the baseline, so machine noise hits both
                upto = min(n, done + block)
                started, clock = time.perf_counter(), time.process_time()
                for count in range(done, upto):
                    result = service.items.vote(voters[count % members], ids[count // members],
                                                choices[count % len(choices)])
                    closed += bool(result.get("closed"))
                seconds += time.perf_counter() - started
                cpu += time.process_time() - clock
                started, clock = time.perf_counter(), time.process_time()
                for count in range(done, upto):
                    baseline.step(count, choices[count % len(choices)])
                base_s += time.perf_counter() - started
                base_cpu += time.process_time() - clock
                done = upto
                if progress:
                    progress(f"  {done}/{n} ballots each")
            verified = service.audit.verify()
            pdf_s = _time_pdf(issued[-1]) if issued else None
        finally:
            _time_secrecy(None, spent)
            baseline.close()
            service.close()
    return {
        "n": n,
        "members": members,
        "rounds_closed": closed,
        # what the secrecy measures cost inside the engine's time (wall, per ballot): the
        # box rewritten and every choice sealed again at each cast, SQLite's log emptied at
        # each close (PRAGMA wal_checkpoint(TRUNCATE), amortised over the round)
        "box_rewrite_us_per_ballot": round(spent["box"] / n * 1e6, 1),
        "log_scrub_us_per_ballot": round(spent["scrub"] / n * 1e6, 1),
        "log_scrub_ms_per_close": round(spent["scrub"] / closed * 1e3, 2) if closed else None,
        # not in the rate above: the PDFs of what each close issues (minutes, decisions),
        # laid out after the commit; one document timed, times the documents per close
        "documents_per_close": round(len(issued) / closed, 2) if closed else None,
        "pdf_ms_per_document": round(pdf_s * 1e3, 1) if pdf_s is not None else None,
        "db": "sqlite" if db_url is None else db_url.split(":", 1)[0],
        "ballots_per_s": round(n / seconds, 1),
        "us_per_ballot": round(seconds / n * 1e6, 1),
        "baseline_per_s": round(n / base_s, 1),
        "ratio": round(base_s / seconds, 3),
        "cpu_us_per_ballot": round(cpu / n * 1e6, 1),
        "baseline_cpu_us": round(base_cpu / n * 1e6, 1),
        "cpu_ratio": round(base_cpu / cpu, 3) if cpu else None,
        "audit_verified": verified.ok,
    }


def _time_secrecy(service: Service | None, spent: dict[str, float]) -> None:
    """Add the time of each ballot's box rewrite and of each log scrub to ``spent`` while
    ``service`` runs (the repository's and the store's methods, wrapped for the benchmark's
    one service); ``None`` puts the originals back."""
    from workflow.store.ballots import BallotRepo
    from workflow.store.unit import Store

    originals = getattr(_time_secrecy, "originals", None)
    if service is None:
        if originals is not None:
            BallotRepo.drop, Store.scrub_log = originals  # type: ignore[method-assign]
            del _time_secrecy.originals  # type: ignore[attr-defined]
        return
    drop, scrub = originals or (BallotRepo.drop, Store.scrub_log)
    _time_secrecy.originals = (drop, scrub)  # type: ignore[attr-defined]

    def timed_drop(repo: BallotRepo, round_id: int, choice: str, key: bytes) -> None:
        started = time.perf_counter()
        drop(repo, round_id, choice, key)
        spent["box"] += time.perf_counter() - started

    def timed_scrub(store: Store, conn: Any = None) -> bool:
        started = time.perf_counter()
        try:
            return scrub(store, conn)
        finally:
            spent["scrub"] += time.perf_counter() - started

    BallotRepo.drop = timed_drop  # type: ignore[method-assign, assignment]
    Store.scrub_log = timed_scrub  # type: ignore[method-assign, assignment]


def _time_pdf(html: str) -> float | None:
    """Seconds to lay out one issued document as a PDF, or None when PDFs cannot be made."""
    printer = Printer()
    if printer.unavailable() is not None:
        return None
    printer.pdf(html)  # the first loads WeasyPrint and its fonts
    started = time.perf_counter()
    printer.pdf(html)
    return time.perf_counter() - started


def bench_sessions(members: int = 25, items: int = 100, rows: int = 2000,
                   db_url: str | None = None, progress: Callable[[str], None] | None = None
                   ) -> dict[str, Any]:
    """A council of ``members`` votes on ``items`` items twice in the same run: once as one
    session (one paper per member, one close), once as single-item ballots (every member
    votes on every item; each round closes with its last ballot). Then a list of ``rows``
    nominees is imported from an .xlsx: validated and committed."""
    import io

    from workflow import intake, sheets

    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
        folder = Path(tmp)
        service = _bench_service(folder, db_url, members)
        try:
            secretariat = Actor("officer")
            voters = [Actor(f"m{i:03d}") for i in range(members)]
            choices = ("yes", "yes", "no", "abstain")

            def open_items(prefix: str) -> list[str]:
                ids = []
                for i in range(items):
                    item = service.items.nominate(secretariat, "bench-ballot", "B",
                                                  f"{prefix} {i}")["id"]
                    service.items.fire(secretariat, item, "open")
                    ids.append(item)
                return ids

            on_paper, alone = open_items("Session"), open_items("Single")
            session = service.sessions.open(secretariat, "B", on_paper, "Bench")["id"]
            started = time.perf_counter()
            for n, voter in enumerate(voters):
                service.sessions.ballot(voter, session, {
                    item: choices[(n + k) % len(choices)] for k, item in enumerate(on_paper)})
            papers_s = time.perf_counter() - started
            started = time.perf_counter()
            closed = service.sessions.close(secretariat, session)
            close_s = time.perf_counter() - started
            if progress:
                progress(f"  session: {members} papers of {items} items in {papers_s:.2f}s, "
                         f"closed in {close_s:.2f}s")
            started = time.perf_counter()
            rounds_closed = 0
            for n, voter in enumerate(voters):
                for k, item in enumerate(alone):
                    result = service.items.vote(voter, item, choices[(n + k) % len(choices)])
                    rounds_closed += bool(result.get("closed"))
            single_s = time.perf_counter() - started
            if progress:
                progress(f"  single-item ballots: {members * items} in {single_s:.2f}s")

            spec = service.definitions.flow("bench-ping-pong")
            sheet = io.BytesIO()
            sheets.write_list(sheet, intake.columns(spec),
                              [[f"Người đề nghị {i}", None, 2026] for i in range(rows)])
            content = sheet.getvalue()
            started = time.perf_counter()
            created = service.items.import_list(secretariat, "bench-ping-pong", "B",
                                                "danh-sach.xlsx", content)["created"]
            import_s = time.perf_counter() - started
            if progress:
                progress(f"  import: {len(created)} rows in {import_s:.2f}s")
            verified = service.audit.verify()
        finally:
            service.close()
    ballots = members * items
    session_s = papers_s + close_s
    return {
        "members": members, "items": items, "rows": rows,
        "db": "sqlite" if db_url is None else db_url.split(":", 1)[0],
        "session": {"papers": members, "ballots": ballots,
                    "decided": sum(1 for o in closed["items"] if o["decided"]),
                    "papers_s": round(papers_s, 3), "close_s": round(close_s, 3),
                    "total_s": round(session_s, 3),
                    "papers_per_s": round(members / papers_s, 2),
                    "ballots_per_s": round(ballots / session_s, 1)},
        "single": {"ballots": ballots, "rounds_closed": rounds_closed,
                   "total_s": round(single_s, 3),
                   "ballots_per_s": round(ballots / single_s, 1)},
        # how many times faster the same ballots are cast and closed as one session
        "ratio": round(single_s / session_s, 2),
        "import": {"created": len(created), "bytes": len(content),
                   "seconds": round(import_s, 3), "rows_per_s": round(rows / import_s, 1)},
        "audit_verified": verified.ok,
    }


SWEEP_FLOW = """\
flow: bench-sweep
title: {vi: "Đo hiệu năng quét hạn", en: "Sweep benchmark"}
award: LDTT
nominee: individual
calendar: vn
on_upheld: done
states:
  waiting:
    initial: true
    sla: {working_days: 5}
    escalate:
      - {after: 100%, notify: officer@unit}
  done: {final: true, outcome: withdrawn}
transitions:
  - {trigger: finish, from: waiting, to: done, by: officer@unit}
"""


def _fill(service: Service, url: str, items: int, due: int, now: datetime,
          progress: Callable[[str], None] | None) -> None:
    """Bulk-load ``items`` waiting items, each with one escalation timer; ``due`` of them due.

    Rows go in with plain executemany: building a million items through the engine would
    measure the loader, not the sweep.
    """
    from datetime import timedelta

    spec = service.definitions.flow("bench-sweep")
    store = Store(make_engine(url), Chain(None))  # the harness's own, for the bulk load
    chunk = 50_000
    entered = now - timedelta(days=10)
    sla_due = now - timedelta(hours=1)
    later = now + timedelta(days=30)
    fields = '{"year":2026}'
    try:
        with store.transaction() as tx:
            tx.flows.keep(spec.version, spec.id, spec.path, spec.source, now)
            start = tx.items.count() + 1
        done = 0
        while done < items:
            size = min(chunk, items - done)
            first = start + done

            def rows(first: int = first, size: int = size) -> list[tuple[Any, ...]]:
                return [(first + i, spec.id, spec.version, "waiting", 1, "B", f"Bench {first + i}",
                         fields, entered, "officer", entered, 1,
                         sla_due if first + i - start < due else later, False)
                        for i in range(size)]

            with store.transaction() as tx:
                raw = tx.raw
                batch = rows()
                raw.many("INSERT INTO nomination (id, flow_id, flow_version, state, version, "
                         "unit_id, nominee, fields, created_at, created_by, entered_at, "
                         "entry_no, due_at, final) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(*r[:8], raw.time_out(r[8]), r[9], raw.time_out(r[10]), r[11],
                           raw.time_out(r[12]), r[13]) for r in batch])
                raw.many("INSERT INTO timer (nomination_id, entry_no, kind, step, due_at, status, "
                         "payload) VALUES (?, 1, 'step', 0, ?, 'pending', '{}')",
                         [(r[0], raw.time_out(r[12])) for r in batch])
            done += size
            if progress:
                progress(f"  loaded {done:,}/{items:,} items")
        if store.dialect == "postgresql":
            with store.transaction() as tx:
                tx.raw.one("SELECT setval(pg_get_serial_sequence('nomination', 'id'), "
                           "(SELECT max(id) FROM nomination))")
                tx.raw.run("ANALYZE timer")
                tx.raw.run("ANALYZE nomination")
    finally:
        store.close()


def bench_sweep(sizes: tuple[int, ...] = (100_000, 1_000_000), due: int = 1000,
                db_url: str | None = None, progress: Callable[[str], None] | None = None
                ) -> dict[str, Any]:
    """Sweep time for ``due`` due escalation steps among N items, for each N."""
    from datetime import timedelta

    results: dict[str, Any] = {}
    for items in sizes:
        with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
            folder = Path(tmp)
            (folder / "flows").mkdir()
            (folder / "flows" / "bench-sweep.yaml").write_text(SWEEP_FLOW, encoding="utf-8")
            url = db_url or f"sqlite:///{folder / 'sweep.db'}"
            service = _bench_service(folder, url)
            try:
                if db_url and items != sizes[0]:
                    raise ValueError("--db with several sizes would mix them; give one size")
                clock = service.clock
                assert isinstance(clock, FixedClock)
                now = clock.now() + timedelta(days=40)
                if progress:
                    progress(f"{items:,} items, {due:,} due…")
                started = time.perf_counter()
                _fill(service, url, items, due, now, progress)
                built = time.perf_counter() - started
                clock.set(now)
                started = time.perf_counter()
                counts = service.timers.escalate()
                seconds = time.perf_counter() - started
                again = service.timers.escalate()
            finally:
                service.close()
        results[str(items)] = {
            "items": items, "due": due, "sweep_s": round(seconds, 3),
            "ms_per_step": round(seconds / max(due, 1) * 1000, 3),
            "claimed": counts.get("claimed", 0), "escalated": counts.get("escalated", 0),
            "messages": counts.get("messages", 0), "second_sweep_claimed": again.get("claimed", 0),
            "load_s": round(built, 1),
        }
    keys = [str(s) for s in sizes]
    out: dict[str, Any] = {"db": "sqlite" if db_url is None else db_url.split(":", 1)[0],
                           "runs": results}
    if len(keys) >= 2:
        out["ratio_largest_to_smallest"] = round(
            results[keys[-1]]["sweep_s"] / results[keys[0]]["sweep_s"], 3)
    return out


def _fill_chain(path: Path, entries: int, chain: Chain,
                progress: Callable[[str], None] | None) -> None:
    """Append ``entries`` audit entries (as transitions write them) to a SQLite database with
    plain sqlite3: building them through the engine would measure the writer, not the check."""
    from workflow.store.audit import canonical_payload, format_at

    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        seq, prev = conn.execute("SELECT coalesce(max(seq), 0), coalesce((SELECT hash FROM "
                                 "audit_entry ORDER BY seq DESC LIMIT 1), ?) FROM audit_entry",
                                 ("0" * 64,)).fetchone()
        at = format_at(BENCH_NOW)
        chunk = 100_000
        while seq < entries:
            rows = []
            for _ in range(min(chunk, entries - seq)):
                seq += 1
                item = str(seq % 1000 + 1)
                source, dest = ("a", "b") if seq % 2 else ("b", "a")
                payload = canonical_payload({"flow_version": "0" * 12,
                                             "trigger": "ping" if seq % 2 else "pong"})
                digest = chain.link(prev, seq, at, "officer", "fired", item, source, dest,
                                    payload)
                rows.append((seq, at, "officer", "fired", item, source, dest, payload, prev,
                             digest))
                prev = digest
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO audit_entry (seq, at, actor, action, nomination, "
                             "from_state, to_state, payload, prev_hash, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
            if progress:
                progress(f"  {seq:,}/{entries:,} entries written")
    finally:
        conn.close()


def bench_audit(entries: int = 1_000_000, progress: Callable[[str], None] | None = None,
                cli: bool = True) -> dict[str, Any]:
    """``award audit verify`` on a chain of ``entries``: in this process on every core, the
    same chain in one pass (the baseline, same run), and the command itself in a new process."""
    import os
    import subprocess
    import sys

    from workflow.store import verify_rows

    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
        folder = Path(tmp)
        service = _bench_service(folder, None)
        database = folder / "engine.db"
        chain = Chain(os.environ.get("AWARD_AUDIT_KEY") or None)  # as the service's settings
        try:
            _fill_chain(database, entries, chain, progress)
            import resource

            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            started, clock = time.perf_counter(), time.process_time()
            report = service.audit.verify()
            parallel_s = time.perf_counter() - started
            own_cpu = time.process_time() - clock
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            workers_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime
                                                                + children.ru_stime)
            started, clock = time.perf_counter(), time.process_time()
            reader = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            try:
                one_pass = verify_rows(reader.execute(
                    "SELECT seq, at, actor, action, nomination, from_state, to_state, payload, "
                    "prev_hash, hash FROM audit_entry ORDER BY seq"), chain)
            finally:
                reader.close()
            sequential_s = time.perf_counter() - started
            one_pass_cpu = time.process_time() - clock
            command_s = None
            if cli:
                env = {**os.environ, "AWARD_NOW": BENCH_NOW.isoformat()}
                started = time.perf_counter()
                run = subprocess.run([sys.executable, "-m", "workflow", "--db",
                                      f"sqlite:///{database}", "--json", "audit",
                                      "verify"], env=env, capture_output=True, check=False)
                command_s = time.perf_counter() - started
                if run.returncode != 0:
                    raise RuntimeError(f"award audit verify failed: {run.stdout!r}")
        finally:
            service.close()
    return {
        "entries": entries, "cores": os.cpu_count(),
        "verify_s": round(parallel_s, 3), "one_pass_s": round(sequential_s, 3),
        "ratio_one_pass_to_parallel": round(sequential_s / parallel_s, 2),
        "command_s": None if command_s is None else round(command_s, 3),
        "entries_per_s": round(entries / parallel_s), "ok": report.ok and one_pass.ok,
        # CPU seconds: this process's stretch, the worker processes' (together), one pass.
        # On idle cores the parallel verify takes about the larger stretch's CPU time.
        "cpu_s": {"this_process": round(own_cpu, 3), "workers": round(workers_cpu, 3),
                  "one_pass": round(one_pass_cpu, 3)},
    }


def _package_env() -> dict[str, str]:
    """The environment for a child process that must import this very ``workflow``."""
    import os

    import workflow

    root = str(Path(workflow.__file__).resolve().parents[1])
    extra = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, extra] if extra else [root])}


def bench_cli(runs: int = 7, progress: Callable[[str], None] | None = None
              ) -> dict[str, Any]:
    """Wall time of commands in a new process, interleaved with the same run's baselines
    (``python -c pass``; ``import sqlalchemy``, a library an engine on a database loads).

    Where ``PYTHONDONTWRITEBYTECODE`` is set (a source checkout run as is), every module of
    ``workflow`` is compiled from source at each start; the lines marked ``(bytecode
    cached)`` run the same commands with compiled modules kept in a folder of the run, as an
    installed package has them. Definition files read by the first command are kept in a
    folder of the run too (:mod:`workflow.readcache`), as they are in a user's cache after
    any command."""
    import os
    import statistics
    import subprocess
    import sys

    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
        folder = Path(tmp)
        service = _bench_service(folder, None)
        try:
            item = service.items.nominate(Actor("officer"), "bench-ping-pong", "B", "Bench 1",
                                          values={"year": 2026})["id"]
        finally:
            service.close()
        env = {**_package_env(), "AWARD_FLOWS": str(folder / "flows"),
               "AWARD_NOW": BENCH_NOW.isoformat(), "AWARD_DB": f"sqlite:///{folder / 'engine.db'}"}
        env["AWARD_CACHE_DIR"] = str(folder / "definitions-cache")
        cached = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        award = [sys.executable, "-m", "workflow"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import sqlalchemy'": [sys.executable, "-c", "import sqlalchemy"],
            "award --help": [*award, "--help"],
            "award show ID": [*award, "show", str(item)],
            "award --json show ID": [*award, "--json", "show", str(item)],
            "award list": [*award, "list"],
            "award --help (bytecode cached)": [*award, "--help"],
            "award show ID (bytecode cached)": [*award, "show", str(item)],
        }
        subprocess.run(commands["award show ID"], env=env, capture_output=True, check=False)
        for warm in ("award --help (bytecode cached)", "award show ID (bytecode cached)"):
            subprocess.run(commands[warm], env=cached, capture_output=True, check=False)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(runs):
            for name, argv in commands.items():
                started = time.perf_counter()
                done = subprocess.run(argv, env=cached if "cached" in name else env,
                                      capture_output=True, check=False)
                times[name].append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise RuntimeError(f"{name} failed: {done.stderr.decode()[-300:]}"
                                       f"{done.stdout.decode()[-300:]}")
            if progress:
                progress(f"  run {run + 1}/{runs}")
    base = statistics.median(times["python -c pass"])
    return {
        "runs": runs,
        "bytecode_written": "PYTHONDONTWRITEBYTECODE" not in os.environ,
        "commands": {name: {"min_s": round(min(ts), 3), "median_s": round(statistics.median(ts), 3),
                            "median_over_python_s": round(statistics.median(ts) - base, 3)}
                     for name, ts in times.items()},
    }


BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
BODY = "<!doctype html><html lang=vi><body>" + "<p>Thông báo</p>" * 200 + "</body></html>"
async def home(request):
    return HTMLResponse(BODY)
app = Starlette(routes=[Route("/", home), Route("/healthz", home)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False)
"""


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(port: int, process: Any, seconds: float = 120.0) -> None:
    import http.client

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {seconds:.0f}s")


def _sign_in(port: int, login: str, password: str) -> str:
    """A session cookie for ``login`` (the form's CSRF token first, then the page the sign-in
    sends to, as a browser does: that page shows the welcome message and the session it
    answers with no longer holds it)."""
    import http.client
    import re
    import urllib.parse

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    response = conn.getresponse()
    body = response.read().decode()
    cookies = [c.split(";", 1)[0] for c in response.headers.get_all("set-cookie") or []]
    found = re.search(r'name="csrf_token" value="([^"]+)"', body)
    form = urllib.parse.urlencode({"login": login, "password": password, "next": "/me",
                                   "csrf_token": found.group(1) if found else ""})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(cookies)})
    response = conn.getresponse()
    response.read()
    if response.status != 303:
        conn.close()
        raise RuntimeError(f"signing in as {login} answered {response.status}")
    jar = dict(c.split(";", 1)[0].split("=", 1) for c in cookies)

    def keep(answer: Any) -> None:
        jar.update(c.split(";", 1)[0].split("=", 1)
                   for c in answer.headers.get_all("set-cookie") or [])

    keep(response)
    conn.request("GET", response.headers.get("location") or "/me",
                 headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"the page after signing in as {login} answered {response.status}")
    keep(response)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _load(port: int, path: str, clients: int, requests: int, cookie: str | None = None,
          deadline_s: float = 300.0) -> dict[str, Any]:
    """``requests`` GETs of ``path`` from ``clients`` threads, each on a kept-alive
    connection; bounded in count and in time."""
    import http.client
    import statistics
    import threading

    latencies: list[float] = []
    failures: list[str] = []
    left = [requests]
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s
    headers = {"Cookie": cookie} if cookie else {}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < stop_at:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except OSError as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    status, failure = 0, type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if status != 200:
                        failures.append(str(status) if status else failure)
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {"path": path, "requests": len(latencies), "errors": len(failures),
            "error_kinds": sorted(set(failures))[:5], "per_s": round(len(latencies) / wall, 1),
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None}


def bench_web(demo: Callable[[Path, int], Any], clients: int = 20, requests: int = 2000,
              scale: int = 10, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The notice board and an item page (public and signed-in) under ``clients`` concurrent
    clients against ``award serve`` on 127.0.0.1, on the demo's data times ``scale`` (built
    by ``demo(folder, scale)``: the entry point hands it over); the same load against a bare
    Starlette route served the same way is the baseline."""
    import subprocess
    import sys

    say = progress or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        built = demo(folder / "demo", scale)
        built_s = time.perf_counter() - started
        say(f"  demo data x{scale} built in {built_s:.1f}s")
        item = built.live["notice"]
        env = {**_package_env(), "AWARD_NOW": built.end}
        servers: list[Any] = []
        try:
            bare_port, port = _free_port(), _free_port()
            servers.append(subprocess.Popen([sys.executable, "-c", BARE_APP, str(bare_port)],
                                            env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "workflow", "--db", built.database, "serve", "--port",
                 str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            _wait_up(bare_port, servers[0])
            _wait_up(port, servers[1])
            cookie = _sign_in(port, "kiemtoan", "thidua-2025")
            targets = {
                "baseline: bare Starlette route": (bare_port, "/", None),
                "notice board": (port, "/", None),
                "nominee page (public)": (port, f"/nominees/{item}", None),
                "item page (signed in)": (port, f"/items/{item}", cookie),
            }
            results: dict[str, Any] = {}
            for name, (where, path, with_cookie) in targets.items():
                _load(where, path, min(clients, 4), min(100, requests), with_cookie)  # warm
                results[name] = _load(where, path, clients, requests, with_cookie)
                say(f"  {name}: p99 {results[name]['p99_ms']} ms, "
                    f"{results[name]['errors']} errors")
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    base = results["baseline: bare Starlette route"]["p99_ms"] or 1.0
    return {"clients": clients, "requests": requests, "scale": scale,
            "demo_items": built.lists.get("rows", 0), "demo_s": round(built_s, 1),
            "paths": results,
            "p99_ratio_to_baseline": {k: round((v["p99_ms"] or 0) / base, 2)
                                      for k, v in results.items()}}
