"""Public notice, objections, confirmations, the outbox and the escalation sweep."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path

import typer

from workflow.cli.base import app, command, state
from workflow.cli.output import LogFormat, writing
from workflow.errors import UsageError

DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "no_address", "held")
OBJECTION_KINDS_HELP = ("gop_y (comment, the default) | khieu_nai (complaint) | to_cao "
                        "(denunciation) | kien_nghi (petition)")


class Outcome(StrEnum):
    dismissed = "dismissed"
    upheld = "upheld"


class Decision(StrEnum):
    yes = "yes"
    no = "no"


@command(app, "notices")
def notices(
    ctx: typer.Context,
    limit: int | None = typer.Option(None, "--limit", min=1),
    html: str | None = typer.Option(None, "--html", metavar="NOTICE_ID",
                                    help="print (or --out) one notice's published document"),
    out: Path | None = typer.Option(None, "--out", help="write --html to this file"),
) -> None:
    """Public notices: window, nominees, status."""
    st = state(ctx)
    if html is not None:
        text = st.service().public.notice_html(html)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if out is not None:
            with writing(out) as handle:
                handle.write(text)
            st.out.emit({"notice": html, "out": str(out), "sha256": digest},
                        lambda r: st.out.line(f"wrote {r['out']} (sha256 {r['sha256']})"))
        elif st.as_json:
            st.out.json({"notice": html, "sha256": digest, "text": text})
        else:
            typer.echo(text, nl=False)
        return
    rows = list(st.service().public.notices(limit))
    if st.as_json:
        st.out.json(rows)
        return
    st.out.table(["id", "unit", "flow", "window", "status", "nominees"],
                 ([r["id"], r["unit_name"], r["flow"], f"{r['starts_at']} → {r['ends_at']}"
                   + (f" (extended to {r['extended_to']})" if r["extended_to"] else ""),
                   r["status"], ", ".join(f"{n['id']} {n['nominee']}" for n in r["nominees"])]
                  for r in rows))


@command(app, "object")
def object_(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    text: str = typer.Option(..., "--text", help="the objection"),
    name: str | None = typer.Option(None, "--name", help="your name (optional)"),
    contact: str | None = typer.Option(None, "--contact", help="how to reach you (optional; "
                                       "kept out of the audit log)"),
    kind: str = typer.Option("gop_y", "--kind", metavar="KIND", help=OBJECTION_KINDS_HELP
                             + "; sets the handling deadline (working days, catalogue)"),
) -> None:
    """File an objection: anyone during a notice window; officers and the secretariat at any
    time before a decision; anyone against an award already granted."""
    st = state(ctx)
    login = st.user
    from workflow.service import PUBLIC, Actor

    actor = Actor(login) if login else PUBLIC
    result = st.service().items.file_objection(actor, nomination, text, name, contact, kind)
    st.out.emit({k: result[k] for k in ("id", "status", "nomination", "held", "receipt",
                                        "filed_at", "text_sha256", "grant", "kind", "due_at")
                 if k in result},
                lambda r: st.out.line(
                    f"{r['kind']} {r['id']} filed against nomination {r['nomination']}"
                    + (" (the nomination is on hold)" if r["held"] else "")
                    + (f"; due {r['due_at']}" if r["due_at"] else "")
                    + f"; receipt code {r['receipt']} (look it up with award receipt CODE)"))


@command(app, "receipt")
def receipt(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="the receipt code given on filing"),
) -> None:
    """How an objection stands, looked up by its receipt code (no sign-in needed)."""
    st = state(ctx)
    result = st.service().public.receipt(code)
    st.out.emit(result, lambda r: st.out.line(
        f"objection about nomination {r['nomination']} ({r['nominee']}), filed "
        f"{r['filed_at']}: {r['status']}"
        + (f" on {r['resolved_at']}: {r['resolution']}" if r["resolved_at"] else "")))


@command(app, "resolve")
def resolve(
    ctx: typer.Context,
    objection: str = typer.Argument(..., metavar="OBJECTION_ID"),
    outcome: Outcome = typer.Argument(..., metavar="dismissed|upheld"),
    comment: str = typer.Option(..., "--comment", help="the verification's conclusion"),
    reason: str | None = typer.Option(None, "--reason", metavar="TEXT",
                                      help="upholding a complaint against a granted award "
                                      "revokes it: the revocation's reason"),
    decision: str | None = typer.Option(None, "--decision", metavar="N",
                                        help="the number of the revoking decision"),
) -> None:
    """Resolve an objection (secretariat): dismissed resumes the item, upheld rejects it;
    after the decision, upheld revokes the award (give --reason)."""
    st = state(ctx)
    result = st.service().items.resolve(st.actor(), objection, outcome.value, comment,
                                        reason, decision)
    st.out.emit(result, lambda r: st.out.line(
        f"objection {r['id']} {r['status']}; nomination {r['nomination']} is {r['state']}"
        + (f"; grant {r['revoked']['id']} revoked" if r.get("revoked") else "")))


@command(app, "extend")
def extend(
    ctx: typer.Context,
    objection: str = typer.Argument(..., metavar="OBJECTION_ID"),
    reason: str = typer.Option(..., "--reason", metavar="TEXT",
                               help="why the case needs more time (kept in the audit log)"),
) -> None:
    """Extend an objection's handling deadline once (the secretariat that resolves it): a
    complaint by 15 working days, a denunciation by 30; a comment or petition has none."""
    st = state(ctx)
    result = st.service().items.extend(st.actor(), objection, reason)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['kind']} {r['id']} (nomination {r['nomination']}) extended by {r['days']} working "
        f"day(s): due {r['due_at']}"))


@command(app, "objections")
def objections(
    ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="only objections not yet resolved"),
    overdue: bool = typer.Option(False, "--overdue",
                                 help="only open objections past their handling deadline"),
    kind: str | None = typer.Option(None, "--kind", metavar="KIND", help=OBJECTION_KINDS_HELP),
    unit: str | None = typer.Option(None, "--unit", help="only items of this unit and below"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="at most N objections"),
) -> None:
    """Objections on items you see (a role at the item's unit or above): kind, filing date,
    handling deadline, status, extension; "!" marks an overdue one. Who objected is shown to
    the examining secretariat only."""
    st = state(ctx)
    rows = st.service().items.objections(st.actor(), open_only=open_only, overdue=overdue,
                                         kind=kind, unit=unit, limit=limit)
    if st.as_json:
        st.out.json(list(rows))
        return
    st.out.table(["id", "item", "kind", "filed", "due", "status", "extended", "objector"],
                 ([r["id"], r["nomination"], r["kind_label"].get("en", r["kind"]),
                   r["filed_at"], (r["due_at"] or "") + (" !" if r["overdue"] else ""),
                   r["status"], "yes" if r["extended"] else "",
                   r.get("name") or ""] for r in rows))


@command(app, "confirm")
def confirm(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    key: str = typer.Argument(..., metavar="KEY"),
    decision: Decision = typer.Argument(..., metavar="yes|no"),
    comment: str | None = typer.Option(None, "--comment"),
) -> None:
    """Sign off one confirmation of a confirmations state."""
    st = state(ctx)
    result = st.service().items.confirm(st.actor(), nomination, key, decision.value, comment)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['key']}: {r['decision']} for nomination {r['id']} → {r['state']}"
        + (f" (waiting: {', '.join(r['waiting'])})" if r["waiting"] and "from" not in r
           else "")))


@command(app, "outbox")
def outbox(
    ctx: typer.Context,
    nomination: str | None = typer.Option(None, "--nomination", metavar="ID"),
    recipient: str | None = typer.Option(None, "--to", metavar="LOGIN"),
    kind: str | None = typer.Option(None, "--kind", help="reminder | escalation | notice | "
                                    "digest"),
    status: str | None = typer.Option(None, "--status", help="pending | sending | sent | "
                                      "failed | no_address | held"),
    limit: int | None = typer.Option(None, "--limit", min=1),
) -> None:
    """Messages produced (reminders, escalations, notices, digests) and their delivery: sent,
    waiting for another attempt (with the last error), or given up."""
    st = state(ctx)
    if status is not None and status not in DELIVERY_STATUSES:
        raise UsageError(f"--status {status!r}: use one of {', '.join(DELIVERY_STATUSES)}")
    rows = st.service().timers.outbox(nomination, recipient, kind, limit, status)
    if st.as_json:
        st.out.json(list(rows))
        return
    st.out.table(["id", "at", "kind", "to", "item", "subject", "delivery", "tries", "error"],
                 ([r["id"], r["at"], r["kind"], r["recipient"], r["nomination"], r["subject"],
                   r["status"], r["attempts"] or "", r["last_error"] or ""] for r in rows))


@command(app, "deliver")
def deliver(ctx: typer.Context) -> None:
    """Deliver due outbox messages by email now (what the scheduler does every interval when
    AWARD_SMTP_URL is set); prints counts."""
    st = state(ctx)
    counts = st.service().timers.deliver()
    st.out.emit(counts, lambda c: st.out.line(", ".join(f"{k} {v}" for k, v in c.items())))


@command(app, "escalate")
def escalate(ctx: typer.Context) -> None:
    """One sweep at "now": reminders, escalations, timer fires, notice windows."""
    st = state(ctx)
    counts = st.service().timers.escalate()
    st.out.emit(counts, lambda c: st.out.line(
        ", ".join(f"{k} {v}" for k, v in c.items())))


@command(app, "scheduler")
def scheduler(
    ctx: typer.Context,
    interval: float = typer.Option(60.0, "--interval", min=0.05, help="seconds between sweeps"),
    max_sweeps: int | None = typer.Option(None, "--max-sweeps", min=1,
                                          help="stop after this many sweeps (default: run "
                                          "until SIGINT/SIGTERM)"),
    log_format: LogFormat = typer.Option(LogFormat.text, "--log-format",
                                         help="one line per sweep: text or json"),
    metrics_port: int | None = typer.Option(None, "--metrics-port", min=1, max=65535,
                                            help="serve this process's Prometheus metrics on "
                                            "127.0.0.1:PORT/metrics"),
) -> None:
    """Run APScheduler: a sweep every interval (then email delivery, when AWARD_SMTP_URL is
    set) and a daily overdue digest, until stopped."""
    from workflow.logs import configure
    from workflow.metrics import SchedulerMetrics
    from workflow.scheduler import run_scheduler

    st = state(ctx)
    service = st.service()
    service.audit.head()  # a database that cannot be opened (or has no schema) fails now
    service.timers.mail_configured()  # a bad AWARD_SMTP_URL fails now, not at the first sweep
    configure(log_format.value)
    metrics = None
    if metrics_port is not None:
        metrics = SchedulerMetrics(service)
        metrics.serve(metrics_port)
    totals = run_scheduler(service, interval, st.out.progress, max_sweeps=max_sweeps,
                           metrics=metrics)
    st.out.emit(totals, lambda t: st.out.line(
        "stopped: " + (", ".join(f"{k} {v}" for k, v in t.items() if v) or "nothing was due")))


@command(app, "digest")
def digest(ctx: typer.Context) -> None:
    """Write today's digest of overdue items and overdue objections to the outbox, a section
    per unit (idempotent per day)."""
    st = state(ctx)
    result = st.service().timers.digest()
    st.out.emit(result, lambda r: st.out.line(
        f"{r['messages']} message(s) for {r['units']} unit(s), {r['overdue']} overdue item(s), "
        f"{r['objections']} overdue objection(s)"))
