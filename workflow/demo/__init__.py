"""``award demo``: one realistic annual cycle on a fresh embedded SQLite database.

A seeded province (departments, communes, schools, enterprises; councils at every level) goes
through the 2025 emulation cycle from January to July 2026: units send their nominees as
lists (spreadsheets, kept under ``lists/``), over a hundred nominations across the shipped
flows, dossiers, returns and resubmissions, councils meeting in sessions with one
secret paper per member (some items fail), public notices with objections (one upheld),
confirmations (one refused), escalations as the days pass over Tết, decisions rendered. At
the same time it runs the province's 2026 emulation campaign: last year's registrations come
with the directory, units register in January, and at the final review in December the
departments' bloc ranks itself by secret vote, its leader gets the emulation flag and the
campaign report is written (``campaign/``). At the end it prints a summary, verifies the audit
chain and writes the notices, minutes (one set per meeting) and decisions it produced to a
folder.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.bootstrap import Settings, build_service
from workflow.clock import FixedClock
from workflow.demo.campaign import REVIEW_DAY, final_review, register_in_january
from workflow.demo.cycle import Cycle
from workflow.demo.live import SignIn, leave_live, sign_ins
from workflow.demo.office import build_office, write_directory
from workflow.errors import InvalidInput
from workflow.pdf import Presses
from workflow.service import Service
from workflow.service.registry import Query

__all__ = ["DemoResult", "run_demo"]

START = date(2026, 1, 5)
NOMINATION_DAY = date(2026, 1, 5)
END = date(2026, 7, 31)


@dataclass
class DemoResult:
    folder: Path
    database: str
    summary: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    audit: dict[str, Any]
    documents: dict[str, int]  # how many of each kind were written
    sweeps: dict[str, int]
    days: int
    end: str  # the simulated last moment (ISO): serve the database with AWARD_NOW at it
    live: dict[str, Any]  # items left open on the last day: {"notice": id, "ballot": id}
    people: list[SignIn]  # who a visitor can sign in as
    lists: dict[str, int]  # the lists sent and refused, and the council meetings held
    pdfs: dict[str, Any]  # {made: how many PDFs, unavailable: why none could be, or None}
    register: dict[str, int]  # decisions signed, grants, revocations (see _register)
    campaign: dict[str, Any]  # the final review: leader, flag item, the campaigns' summaries
    #: the reports written under reports/ and the headline priority shares of the year
    reports: dict[str, Any] = field(default_factory=dict)


MARKER = ".award-demo"  # marks a folder the demo wrote, so a rerun may replace it


def _fresh_folder(folder: Path) -> None:
    """Empty ``folder`` for a run: only a folder an earlier demo wrote (it holds the marker
    file) is ever replaced, and never through a symbolic link."""
    if folder.is_symlink():
        raise InvalidInput(f"--out {folder}: is a symbolic link; give the folder itself")
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"--out {folder}: is a file; give a folder for the demo's output")
    try:
        if folder.is_dir() and any(folder.iterdir()):
            if not (folder / MARKER).is_file():
                raise InvalidInput(f"--out {folder}: the folder has other files in it; give a "
                                   "new or empty folder (the demo replaces only its own output)")
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("written by award demo; rerunning it replaces this "
                                     "folder\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"--out {folder}: cannot write there: {exc.strerror}") from None


def run_demo(folder: Path, say: Callable[[str], None], seed: int = 2025,
             scale: int = 1) -> DemoResult:
    """The cycle; ``scale`` multiplies the province's staff and so its nominations (load
    tests: ``award bench web`` serves a demo ten times the size)."""
    _fresh_folder(folder)
    db = f"sqlite:///{folder / 'demo.db'}"
    clock = FixedClock(datetime(2026, 1, 2, 2, 0).astimezone())
    settings = Settings.from_env(db=db)
    settings.clock = clock
    settings.flow_dirs = []
    settings.audit_key = None
    service = build_service(settings)
    try:
        return _run(service, clock, folder, db, say, random.Random(seed), scale)
    finally:
        service.close()


def _run(service: Service, clock: FixedClock, folder: Path, db: str,
         say: Callable[[str], None], rng: random.Random, scale: int = 1) -> DemoResult:
    # a PDF takes about a second to lay out: the cycle's hundreds of documents stay HTML,
    # and a sample of each kind gets its PDF at the end (award pdf KIND --missing: the rest)
    printing = service.documents.make_pdfs(False)
    # the sample's PDFs are laid out by worker processes at the end, on every core; they
    # start now, so WeasyPrint loads in them while the cycle runs
    presses = Presses() if printing else None
    try:
        return _cycle(service, clock, folder, db, say, rng, scale, printing, presses)
    finally:
        if presses is not None:
            presses.close()


def _cycle(service: Service, clock: FixedClock, folder: Path, db: str,
           say: Callable[[str], None], rng: random.Random, scale: int, printing: bool,
           presses: Presses | None) -> DemoResult:
    office = build_office(rng, scale=scale)
    directory = folder / "directory.yaml"
    files = write_directory(office, directory)
    cycle = Cycle(service, clock, office, rng, say, folder)
    cycle.at(START, 8)
    service.setup.init()
    counts = {"units": 0, "people": 0, "awards": 0, "registrations": 0}
    for file in files:
        loaded = service.setup.load_directory(file)
        counts = {key: max(counts[key], loaded[key]) if key == "units" else
                  counts[key] + loaded.get(key, 0) for key in counts}
    say(f"province: {counts['units']} units, {counts['people']} people, "
        f"{counts['awards']} prior awards, {counts['registrations']} registrations of 2025")
    cycle.at(START, 8, 30)
    registered = register_in_january(service, office, rng)
    say(f"campaign bac-ninh-2026: units register {registered} nominees and themselves in "
        "January")
    sweeps: dict[str, int] = {}
    day, days = START, 0
    while day <= END:
        cycle.at(day, 7)
        for key, value in service.timers.escalate().items():
            sweeps[key] = sweeps.get(key, 0) + value
        if cycle.working(day):
            cycle.at(day, 9)
            if day == NOMINATION_DAY:
                cycle.nominate_batch(day)
            if day.weekday() == 2 and rng.random() < 0.8:
                cycle.nominate_deed(day)
            cycle.at(day, 10, rng.randint(0, 59))
            cycle.act(day)
        if day.weekday() == 0 or day == END:
            open_items = sum(1 for i in service.items.find() if not i["final"])
            say(f"  {day.isoformat()}  {len(cycle.plans):>3} nominated, {open_items:>3} open, "
                f"{sweeps.get('escalated', 0) + sweeps.get('reminded', 0):>4} reminders and "
                f"escalations so far")
            if open_items == 0 and day > NOMINATION_DAY + timedelta(days=30) and not cycle.busy:
                break
        day += timedelta(days=1)
        days += 1
    # the final review (tổng kết) of the province's campaign: the departments' bloc ranks
    # itself, the leader gets the flag, the campaign report is written
    cycle.at(REVIEW_DAY, 9)
    review = final_review(service, office, rng, folder)
    cycle.sessions += 1 if review.get("session") else 0
    say(f"final review {REVIEW_DAY.isoformat()}: bloc leader {review['leader']}"
        + (f", flag awarded (item {review['item']})" if review.get("item") else "")
        + f"; campaign report in {folder / 'campaign'}")
    last = REVIEW_DAY
    cycle.at(last, 16)
    taken = {p.person for p in cycle.plans.values() if p.person}
    live = leave_live(service, office, folder, taken, last)
    people = sign_ins(service, office)
    say(f"left open on {last.isoformat()}: "
        + ", ".join(f"{kind} (item {item})" for kind, item in live.items()))
    service.documents.make_pdfs(printing)
    unavailable = presses.unavailable() if presses is not None else \
        service.documents.pdf_unavailable()
    documents = _write_documents(service, folder, None if unavailable else presses)
    pdfs = {"made": documents.pop("pdfs"), "unavailable": unavailable}
    register = _register(service, cycle)
    reports = _write_reports(service, folder, last.year)
    summary, stages = _summary(service)
    report = service.audit.verify()
    with (folder / "audit.jsonl").open("w", encoding="utf-8") as handle:
        service.audit.export("jsonl", handle)
    (folder / "summary.json").write_text(json.dumps(
        {"flows": summary, "stages": stages, "audit": report.as_dict(), "sweeps": sweeps,
         "register": register},
        ensure_ascii=False, indent=2), encoding="utf-8")
    lists = {**cycle.lists, "sessions": cycle.sessions}
    return DemoResult(folder, db, summary, stages, report.as_dict(), documents, sweeps, days,
                      clock.now().astimezone(service.display_tz).isoformat(), live, people,
                      lists, pdfs, register, review, reports)


#: what the demo writes under reports/: kind → file name (without extension), formats
REPORTS = (("statistics", "thong-ke", ("xlsx", "html")), ("cycle", "tien-do", ("xlsx", "html")),
           ("priority", "nhom-uu-tien", ("xlsx", "html")))


def _write_reports(service: Service, folder: Path, year: int) -> dict[str, Any]:
    """The year's statistics, cycle and priority reports of the whole province, as
    ``award report KIND --year YEAR --unit BN --out …`` writes them."""
    (folder / "reports").mkdir(exist_ok=True)
    files = []
    headline: dict[str, Any] = {}
    for kind, name, formats in REPORTS:
        report = service.reports.build(kind, unit="BN", year=year)
        for fmt in formats:
            path = folder / "reports" / f"{name}-{year}.{fmt}"
            with path.open("wb") as out:
                service.reports.write(report, fmt, out)
            files.append(str(path.relative_to(folder)))
        if kind == "priority":
            headline = report.headline
    return {"year": year, "files": files, "priority": headline}


def _write_documents(service: Service, folder: Path, presses: Presses | None
                     ) -> dict[str, int]:
    """Every notice, set of minutes and decision as HTML, and a sample as PDF (none without
    ``presses``); how many of each (``pdfs``: the PDFs)."""
    counts: dict[str, int] = {"notices": 0, "minutes": 0, "decisions": 0, "pdfs": 0}
    sample: list[tuple[str, str, Path]] = []  # (kind, key, the HTML copy) to make PDFs of
    (folder / "notices").mkdir(exist_ok=True)
    for notice in service.public.notices():
        path = folder / "notices" / f"thong-bao-{notice['id']}.html"
        path.write_text(service.public.notice_html(notice["id"]), encoding="utf-8")
        counts["notices"] += 1
        sample.append(("notice", notice["id"], path))
    for sub in ("minutes", "decisions"):
        (folder / sub).mkdir(exist_ok=True)
    for n, session in enumerate(service.sessions.find(status="closed")):
        text = service.sessions.minutes(session["id"])["text"]
        name = f"bien-ban-{session['council']}-phien-{session['id']}.html"
        (folder / "minutes" / name).write_text(text, encoding="utf-8")
        counts["minutes"] += 1
        if n < DEMO_PDFS:
            sample.append(("minutes", session["id"], folder / "minutes" / name))
    made = 0
    for item in service.items.find():
        # a round's own minutes (a vote outside a session); an awarded item's decision extract
        # is a copy of its numbered decision, written once below from the register
        for doc in service.items.rendered(item["id"]):
            if not doc["template"].startswith("minutes"):
                continue
            path = folder / "minutes" / f"bien-ban-{item['id']}-{doc['id']}.html"
            path.write_text(doc["content"], encoding="utf-8")
            counts["minutes"] += 1
            if made < DEMO_PDFS:
                sample.append(("document", doc["id"], path))
                made += 1
    after = 0
    while page := service.register.decisions(after=after, limit=500):
        for decision in page:
            # the copy kept by the issuing level (it names confidential awardees too)
            name = f"quyet-dinh-{decision['number'].replace('/', '-')}-{decision['date'][:4]}"
            path = folder / "decisions" / f"{name}.html"
            path.write_text(service.register.document(None, decision["id"]), encoding="utf-8")
            # the PDF is of the copy sent out, which counts confidential awardees unnamed
            if counts["decisions"] < DEMO_PDFS:
                sample.append(("decision", decision["id"], path))
            counts["decisions"] += 1
        after = int(page[-1]["id"])
    if presses is not None and sample:
        # each PDF beside its HTML copy, as kept (and audited) by the engine
        service.documents.reprint_many([(kind, key) for kind, key, _ in sample], presses)
        for kind, key, html in sample:
            html.with_suffix(".pdf").write_bytes(service.documents.pdf(None, kind, key)["pdf"])
            counts["pdfs"] += 1
    return counts


DEMO_PDFS = 5  # PDFs the demo makes of each kind but notices (all of which get one)


def _register(service: Service, cycle: Cycle) -> dict[str, int]:
    """What the register holds at the end: grants by decision and imported, revocations, and
    how the decisions were signed."""
    count = service.register.count
    signed, after = 0, 0  # every numbered decision: the cycle's, and the flag's at the review
    while page := service.register.decisions(after=after, limit=500):
        signed += len(page)
        after = int(page[-1]["id"])
    return {**cycle.register, "decisions": signed,
            "grants": count(Query(source="decision")),
            "imported": count(Query(source="imported")),
            "revocations": count(Query(status="revoked"))}


def _summary(service: Service) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    flows: dict[str, dict[str, Any]] = {}
    hold_states = {f.id: f.hold_state for f in service.definitions.flows.values()}
    for item in service.items.find():
        row = flows.setdefault(item["flow"], {
            "flow": item["flow"], "nominated": 0, "awarded": 0, "rejected": 0, "withdrawn": 0,
            "on_hold": 0, "overdue": 0, "open": 0, "_days": []})
        row["nominated"] += 1
        if item["final"]:
            row[item["outcome"]] += 1
        else:
            row["open"] += 1
            row["on_hold"] += item["state"] == hold_states.get(item["flow"])
            row["overdue"] += bool(item["overdue"])
    entered: dict[str, tuple[str, str, datetime]] = {}
    spans: dict[tuple[str, str], list[float]] = {}
    created: dict[str, datetime] = {}
    flow_of = {i["id"]: i["flow"] for i in service.items.find()}
    for entry in service.audit.log():
        nom = entry["nomination"]
        if nom is None or entry["to"] is None or entry["from"] == entry["to"]:
            continue
        at = datetime.fromisoformat(entry["at"])
        if entry["action"] == "created":
            created[nom] = at
        previous = entered.get(nom)
        if previous is not None:
            spans.setdefault((previous[0], previous[1]), []).append(
                (at - previous[2]).total_seconds() / 86400)
        entered[nom] = (flow_of[nom], entry["to"], at)
        if entry["to"] in service.definitions.flows[flow_of[nom]].states and \
                service.definitions.flows[flow_of[nom]].states[entry["to"]].final:
            flows[flow_of[nom]]["_days"].append((at - created[nom]).total_seconds() / 86400)
    summary = []
    for row in sorted(flows.values(), key=lambda r: r["flow"]):
        done = row.pop("_days")
        row["median_days_to_decision"] = round(statistics.median(done), 1) if done else None
        summary.append(row)
    stages = [{"flow": flow, "stage": stage, "entries": len(values),
               "median_days": round(statistics.median(values), 1)}
              for (flow, stage), values in sorted(spans.items())]
    return summary, stages
