"""``award bench report``: every kind of report over a million nominations.

A seeded province (a few hundred units, twenty thousand people with their priority groups and
award histories) and N nominations across three shipped flows, each with its stays in every
state it went through (about five per item), some on hold, some overdue, some objected to,
each awarded one with its grant in the register by a decision of that day (1 % revoked),
are bulk-loaded with plain ``executemany`` — building them through the engine would measure
the loader, not the reports. Then each kind is built for the whole province and for one
department's subtree, and timed.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.bootstrap import Settings, build_service
from workflow.clock import FixedClock
from workflow.service import Service
from workflow.store import Chain, Store, make_engine

__all__ = ["bench_report"]

NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
KINDS = ("cycle", "priority", "timeliness", "statistics", "eligible")
#: flow, its path to the award, the share of items, the due days of each timed stay
PATHS = {
    "chien-si-thi-dua-co-so": (("draft", "submitted", "voting", "pending_decision"),
                               "awarded", ("not_passed", "withdrawn"), 0.7),
    "bang-khen-tinh": (("draft", "unit_council", "unit_endorsed", "submitted", "appraisal",
                        "pending_decision"), "awarded", ("rejected", "expired"), 0.2),
    "khen-thuong-dot-xuat": (("draft", "submitted", "appraisal", "pending_decision"),
                             "awarded", ("rejected",), 0.1),
}
DEPARTMENTS = 20
COMMUNES = 120
SCHOOLS_PER_DEPARTMENT = 6
ETHNIC = ("Tày", "Nùng", "Thái", "Mường", "Dao", "H'Mông")


def _directory(rng: random.Random, people: int) -> tuple[list[str], list[str], list[str]]:
    """The province as directory files (a directory file is kept small: units, then people
    two thousand at a time); its unit ids; its people's logins."""
    units = [("VN", "Trung ương", "central", None, False), ("T", "Tỉnh", "province", "VN", False)]
    for d in range(DEPARTMENTS):
        units.append((f"T-S{d:02d}", f"Sở {d}", "department", "T", False))
        for s in range(SCHOOLS_PER_DEPARTMENT):
            units.append((f"T-S{d:02d}-{s}", f"Trường {d}.{s}", "school", f"T-S{d:02d}",
                          rng.random() < 0.25))
    for c in range(COMMUNES):
        units.append((f"T-X{c:03d}", f"Xã {c}", "commune", "T", rng.random() < 0.3))
    lines = ["units:"]
    for uid, name, level, parent, remote in units:
        extra = (f", parent: {parent}" if parent else "") + (", remote: true" if remote else "")
        lines.append(f'  - {{id: {uid}, name: "{name}", level: {level}{extra}}}')
    lines.append("people:")
    lines.append('  - {login: kt, name: "Kiểm toán", roles: [auditor@VN]}')
    files = ["\n".join(lines) + "\n"]
    ids = [u[0] for u in units if u[2] not in ("central",)]
    logins: list[str] = []
    history: list[str] = []
    lines = ["people:"]
    for i in range(people):
        if i and i % 2000 == 0:
            files.append("\n".join([*lines, "awards:", *history]) + "\n")
            lines, history = ["people:"], []
        login = f"p{i:06d}"
        logins.append(login)
        unit = rng.choice(ids[1:])
        minority = rng.random() < 0.15
        lines.append(f'  - {{login: {login}, name: "Người {i}", unit: {unit}, gender: '
                     f'{"F" if rng.random() < 0.5 else "M"}, ethnicity: '
                     f'{rng.choice(ETHNIC) if minority else "Kinh"}'
                     f'{", direct_worker: true" if rng.random() < 0.4 else ""}}}')
        for year in (2024, 2025, 2026):
            if rng.random() < 0.6:
                history.append(f"  - {{person: {login}, award: LDTT, year: {year}}}")
                if rng.random() < 0.4:
                    history.append(f"  - {{person: {login}, award: CSTDCS, year: {year}}}")
    files.append("\n".join([*lines, "awards:", *history]) + "\n")
    return files, ids, logins


def _items(rng: random.Random, n: int, first: int, units: list[str], logins: list[str],
           versions: dict[str, str]) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Nominations with their stays, created over 2025–2026."""
    flows = list(PATHS)
    weights = [PATHS[f][3] for f in flows]
    start = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
    span = (NOW - start).total_seconds() - 90 * 86400
    for k in range(n):
        nid = first + k
        flow = rng.choices(flows, weights)[0]
        path, awarded, failures, _ = PATHS[flow]
        created = start + timedelta(seconds=rng.random() * span)
        person = rng.choice(logins) if rng.random() < 0.92 else None
        unit = rng.choice(units)
        roll = rng.random()
        if roll < 0.6:
            route, final = list(path), awarded
        elif roll < 0.8:
            route, final = list(path[:rng.randint(1, len(path))]), rng.choice(failures)
        else:  # still open, a few on hold
            route, final = list(path[:rng.randint(1, len(path))]), None
            if rng.random() < 0.1:
                route.append("on_hold")
        stays = []
        at = created
        for i, state in enumerate(route):
            last = final is None and i == len(route) - 1
            due = None if state in ("draft", "on_hold") else at + timedelta(days=7)
            left = None if last else at + timedelta(hours=rng.uniform(4, 24 * 12))
            stays.append((nid, i + 1, flow, state, unit, at, left, due, created))
            if left is not None:
                at = left
        if final is not None:
            stays.append((nid, len(stays) + 1, flow, final, unit, at, None, None, created))
        state, entered, due = stays[-1][3], stays[-1][5], stays[-1][7]
        outcome = {awarded: "awarded", "withdrawn": "withdrawn", "expired": "withdrawn"}.get(
            state, "rejected" if final is not None else None)
        item = (nid, flow, versions[flow], state, 1, unit, f"Đề nghị {nid}", person,
                f'{{"year":{created.year}}}', created, "bench", entered, len(stays), due,
                final is not None, outcome)
        yield item, stays


def _fill(service: Service, url: str, n: int, units: list[str], logins: list[str],
          progress: Callable[[str], None] | None) -> None:
    rng = random.Random(20261220)
    store = Store(make_engine(url), Chain(None))
    chunk = 25_000
    try:
        versions = {}
        award_of = {flow_id: service.definitions.flow(flow_id).award for flow_id in PATHS}
        with store.transaction() as tx:
            for flow_id in PATHS:
                spec = service.definitions.flow(flow_id)
                tx.flows.keep(spec.version, spec.id, spec.path, spec.source, NOW)
                versions[flow_id] = spec.version
        made = _items(rng, n, 1, units, logins, versions)
        done = 0
        while done < n:
            size = min(chunk, n - done)
            items, stays, objections = [], [], []
            decisions: list[tuple[Any, ...]] = []
            grants: list[tuple[Any, ...]] = []
            for _ in range(size):
                item, visits = next(made)
                items.append(item)
                stays.extend(visits)
                if rng.random() < 0.01:
                    objections.append((item[0], item[9] + timedelta(days=2)))
                if item[15] == "awarded":  # its grant in the register, by a decision that day
                    at, nid = item[11], item[0]
                    day = (at + timedelta(hours=7)).date()
                    decisions.append((nid, item[5], day.year, nid, f"{nid}/QĐ", day.isoformat(),
                                      at, "bench", 1))
                    grants.append(("collective" if item[7] is None else "individual", item[7],
                                   item[6], item[5], award_of[item[1]], item[9].year, nid, nid,
                                   "revoked" if rng.random() < 0.01 else "granted", at))
            with store.transaction() as tx:
                raw, out = tx.raw, tx.raw.time_out
                raw.many("INSERT INTO nomination (id, flow_id, flow_version, state, version, "
                         "unit_id, nominee, person_login, fields, created_at, created_by, "
                         "entered_at, entry_no, due_at, final, outcome) VALUES (?, ?, ?, ?, ?, "
                         "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(*r[:9], out(r[9]), r[10], out(r[11]), r[12], out(r[13]), r[14],
                           r[15]) for r in items])
                raw.many("INSERT INTO stage_visit (nomination_id, entry_no, flow_id, state, "
                         "unit_id, entered_at, left_at, due_at, created_at, days) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(*v[:5], out(v[5]), out(v[6]), out(v[7]), out(v[8]),
                           None if v[6] is None else (v[6] - v[5]).total_seconds() / 86400)
                          for v in stays])
                raw.many("INSERT INTO objection (nomination_id, text, filed_at, status) "
                         "VALUES (?, '…', ?, 'open')", [(o[0], out(o[1])) for o in objections])
                raw.many("INSERT INTO decision (id, unit_id, year, seq, number, decided_on, "
                         "issued_at, issued_by, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(*d[:6], out(d[6]), *d[7:]) for d in decisions])
                raw.many("INSERT INTO award_grant (kind, person_login, nominee, name_fold, "
                         "unit_id, award, year, ad_hoc, decision_id, nomination_id, source, "
                         "status, confidential, granted_at) VALUES (?, ?, ?, '', ?, ?, ?, ?, "
                         "?, ?, 'decision', ?, ?, ?)",
                         [(*g[:6], False, g[6], g[7], g[8], False, out(g[9])) for g in grants])
            done += size
            if progress and (done % 100_000 == 0 or done == n):
                progress(f"  loaded {done:,}/{n:,} nominations")
        with store.transaction() as tx:
            if store.dialect == "postgresql":
                tx.raw.one("SELECT setval(pg_get_serial_sequence('nomination', 'id'), "
                           "(SELECT max(id) FROM nomination))")
            if store.dialect == "postgresql":
                tx.raw.one("SELECT setval(pg_get_serial_sequence('decision', 'id'), "
                           "(SELECT coalesce(max(id), 1) FROM decision))")
            for name in ("nomination", "stage_visit", "objection", "person", "unit", "decision",
                         "award_grant"):
                tx.raw.execute(f"ANALYZE {name}")
    finally:
        store.close()


def bench_report(n: int = 1_000_000, people: int = 20_000, db_url: str | None = None,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Seconds per report kind over ``n`` nominations (the whole province, and one
    department's subtree), for --year 2026."""
    with tempfile.TemporaryDirectory(prefix="award-bench-report-") as tmp:
        folder = Path(tmp)
        url = db_url or f"sqlite:///{folder / 'report.db'}"
        settings = Settings.from_env(db=url)
        settings.clock = FixedClock(NOW)
        service = build_service(settings)
        try:
            service.setup.init()
            files, units, logins = _directory(random.Random(7), people)
            started = time.perf_counter()
            for i, text in enumerate(files):
                path = folder / f"directory-{i}.yaml"
                path.write_text(text, encoding="utf-8")
                service.setup.load_directory(path)
            _fill(service, url, n, units, logins, progress)
            loaded = time.perf_counter() - started
            runs: dict[str, Any] = {}
            for kind in KINDS:
                for unit in (None, "T-S03"):
                    if progress:
                        progress(f"  {kind} {unit or 'whole province'}…")
                    began, cpu = time.perf_counter(), time.process_time()
                    report = service.reports.build(kind, unit=unit, year=2026)
                    seconds = time.perf_counter() - began
                    # this process's CPU: SQLite's work, not a busy machine's waiting
                    used = time.process_time() - cpu
                    runs.setdefault(kind, {})["province" if unit is None else "department"] = {
                        "seconds": round(seconds, 3), "cpu_s": round(used, 3),
                        "rows": sum(len(t.rows) for t in report.tables)}
        finally:
            service.close()
    slowest = max(r["province"]["seconds"] for r in runs.values())
    return {"db": "sqlite" if db_url is None else db_url.split(":", 1)[0], "nominations": n,
            "people": people, "load_s": round(loaded, 1), "runs": runs,
            "slowest_s": slowest, "target_s": 5.0, "within_target": slowest < 5.0}
