"""Pages for people in the directory: items, nominating, actions, ballots, queues, audit.

Every page asks :meth:`Service.item_view` (or another facade method) what this person may see
and do; buttons are exactly the actions :meth:`Service.available` reports, and every POST goes
to the same use case the command line calls, so a forged request meets the same role checks,
guards and audit as a real one.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.datastructures import FormData

from workflow.errors import AwardError, InvalidInput, PermissionDenied
from workflow.service import Actor, Service
from workflow.web.context import (
    actor,
    flash,
    form_router,
    has_role,
    lang_of,
    page,
    person,
    status_of,
    t_for,
    web,
)
from workflow.web.i18n import pick, trigger_label
from workflow.web.params import Cursor, FormVersion, Number

__all__ = ["MAX_UPLOAD", "export_response", "read_upload", "router", "safe_filename"]

router = form_router()

MAX_UPLOAD = 50 * 1024 * 1024
MINUTES = "minutes.html.j2"
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                "base-uri 'none'; form-action 'none'; sandbox")


async def form_data(request: Request) -> FormData:
    return await request.form()


def _item(request: Request, nomination_id: str) -> tuple[Actor, dict[str, Any]]:
    who = actor(request)
    return who, web(request).service.staff.item_view(who, nomination_id)


def _acting_on(request: Request, nomination_id: str) -> Actor:
    """The signed-in person, refused (403) before anything is said about an item they may not
    see; what they may do to it is then the use case's own check."""
    who = actor(request)
    web(request).service.staff.check_visible(who, nomination_id)
    return who


def _back(nomination_id: str, target: str) -> str:
    return f"/items/{nomination_id}/ballot" if target == "ballot" else f"/items/{nomination_id}"


class StateLabels:
    """State labels of the current flow files, for lists (an item page uses its pinned
    version's own labels)."""

    def __init__(self, service: Service, lang: str) -> None:
        self.service = service
        self.lang = lang
        self._flows: dict[str, dict[str, Any]] = {}

    def __call__(self, flow: str, state: str) -> str:
        if flow not in self._flows:
            try:
                self._flows[flow] = self.service.setup.flow_show(flow)
            except AwardError:
                self._flows[flow] = {"states": {}, "title": {}}
        label = self._flows[flow]["states"].get(state, {}).get("label")
        return pick(label, self.lang, state)

    def flow(self, flow: str) -> str:
        self(flow, "")
        return pick(self._flows[flow].get("title"), self.lang, flow)


def _labels(request: Request) -> StateLabels:
    return StateLabels(web(request).service, lang_of(request))


def _names(request: Request, view: dict[str, Any]) -> dict[str, Any]:
    """Labels of the item's pinned flow version in the request's language."""
    lang = lang_of(request)
    t = t_for(request)
    spec = view["spec"]
    states = {name: pick(s.get("label"), lang, name) for name, s in spec["states"].items()}
    fields = []
    for name, value in view["fields"].items():
        field_spec = spec["fields"].get(name, {})
        shown = (t("yes") if value else t("no")) if isinstance(value, bool) else str(value)
        fields.append({"name": name, "label": pick(field_spec.get("label"), lang, name),
                       "value": shown, "order": list(spec["fields"]).index(name)
                       if name in spec["fields"] else len(spec["fields"])})
    fields.sort(key=lambda f: f["order"])
    return {"states": states, "state_label": states.get(view["state"], view["state"]),
            "fields": fields,
            "documents": {name: pick(label, lang, name)
                          for name, label in spec["documents"].items()}}


# ---- lists ----------------------------------------------------------------------------------


@router.get("/items")
def items(request: Request, state: str | None = None, flow: str | None = None,
          before: Cursor = None) -> HTMLResponse:
    who = actor(request)
    service = web(request).service
    limit = 50
    rows = service.staff.items_for(who, state=state or None, flow=flow or None, before=before,
                             limit=limit)
    older = rows[-1]["id"] if len(rows) == limit else None
    flows = [f for f in service.setup.flows() if f.get("ok")]
    return page(request, "items.html.j2", {
        "rows": rows, "older": older, "flows": flows, "state": state or "", "flow": flow or "",
        "labels": _labels(request)}, title=t_for(request)("items.title"))


@router.get("/queue")
def queue(request: Request) -> HTMLResponse:
    who = actor(request)
    service = web(request).service
    return page(request, "queue.html.j2", {
        "rows": service.items.queue(who), "objections": service.staff.objections_to_resolve(who),
        "labels": _labels(request)}, title=t_for(request)("queue.title"))


@router.get("/ballots")
def ballots(request: Request) -> HTMLResponse:
    who = actor(request)
    rows = [r for r in web(request).service.items.queue(who)
            if any(a["action"] in ("vote", "close_vote") for a in r["actions"])]
    return page(request, "ballots.html.j2", {"rows": rows, "labels": _labels(request)},
                title=t_for(request)("ballots.title"))


# ---- one item -------------------------------------------------------------------------------


@router.get("/items/{nomination_id}")
def item(request: Request, nomination_id: str) -> HTMLResponse:
    _who, view = _item(request, nomination_id)
    t = t_for(request)
    return page(request, "item.html.j2", {"item": view, "names": _names(request, view)},
                title=t("item.title", id=view["id"], nominee=view["nominee"]))


@router.post("/items/{nomination_id}/fire")
def fire(
    request: Request,
    nomination_id: str,
    trigger: Annotated[str, Form(max_length=64)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
    expect_version: FormVersion = None,
    back: Annotated[str, Form(max_length=16)] = "item",
) -> Response:
    who = _acting_on(request, nomination_id)
    result = web(request).service.items.fire(who, nomination_id, trigger, comment or None,
                                       expect_version)
    labels = _labels(request)
    flash(request, t_for(request)("item.fired",
                                  trigger=trigger_label(None, trigger, labels.lang),
                                  state=labels(str(result.get("flow", "")),
                                               result["state"])))
    return RedirectResponse(_back(nomination_id, back), status_code=303)


def safe_filename(name: str | None) -> str:
    """The last path part of an uploaded file's name, without control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base[:200] or "document"


def read_upload(upload: UploadFile, folder: Path) -> Path:
    """Copy an upload to ``folder`` under its own (safe) name, refusing more than
    :data:`MAX_UPLOAD` bytes."""
    target = folder / safe_filename(upload.filename)
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InvalidInput(f"{target.name} is larger than {MAX_UPLOAD // 2**20} MiB")
            out.write(chunk)
    return target


@router.post("/items/{nomination_id}/documents")
def attach(
    request: Request,
    nomination_id: str,
    doctype: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File()],
) -> Response:
    who = _acting_on(request, nomination_id)
    with tempfile.TemporaryDirectory(prefix="award-upload-") as folder:
        path = read_upload(file, Path(folder))
        result = web(request).service.items.attach(who, nomination_id, doctype, path)
    flash(request, t_for(request)("item.attached", file=result["file"],
                                  sha=result["sha256"][:16] + "…"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/items/{nomination_id}/confirm")
def confirm(
    request: Request,
    nomination_id: str,
    key: Annotated[str, Form(max_length=64)],
    decision: Annotated[str, Form(max_length=8)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    who = _acting_on(request, nomination_id)
    web(request).service.items.confirm(who, nomination_id, key, decision, comment or None)
    flash(request, t_for(request)("item.confirmed"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/items/{nomination_id}/objections")
def complain(
    request: Request,
    nomination_id: str,
    text: Annotated[str, Form(max_length=20_000)],
) -> Response:
    """A complaint registered by staff (officer or secretariat of the unit or above)."""
    who = _acting_on(request, nomination_id)
    result = web(request).service.items.file_objection(who, nomination_id, text)
    flash(request, t_for(request)("item.complained", id=result["id"]))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/objections/{objection_id}/resolve")
def resolve(
    request: Request,
    objection_id: str,
    outcome: Annotated[str, Form(max_length=16)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    who = actor(request)
    result = web(request).service.items.resolve(who, objection_id, outcome, comment)
    flash(request, t_for(request)("item.resolved", id=result["id"]))
    return RedirectResponse(f"/items/{result['nomination']}", status_code=303)


# ---- ballots --------------------------------------------------------------------------------


@router.get("/items/{nomination_id}/ballot")
def ballot(request: Request, nomination_id: str) -> HTMLResponse:
    _who, view = _item(request, nomination_id)
    kinds = {a["action"] for a in view["actions"]}
    return page(request, "ballot.html.j2", {"item": view, "kinds": kinds},
                title=t_for(request)("ballot.title", id=view["id"], nominee=view["nominee"]))


@router.post("/items/{nomination_id}/vote")
def vote(
    request: Request,
    nomination_id: str,
    choice: Annotated[str, Form(max_length=8)] = "",
    written_for: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    who = _acting_on(request, nomination_id)
    result = web(request).service.items.vote(who, nomination_id, choice, written_for or None)
    t = t_for(request)
    flash(request, t("ballot.recorded") + (" " + t("ballot.closed_now")
                                           if result.get("closed") else ""))
    return RedirectResponse(f"/items/{nomination_id}/ballot", status_code=303)


@router.post("/items/{nomination_id}/recuse")
def recuse(
    request: Request,
    nomination_id: str,
    reason: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    who = _acting_on(request, nomination_id)
    web(request).service.items.recuse(who, nomination_id, reason or None)
    flash(request, t_for(request)("ballot.recused"))
    return RedirectResponse(f"/items/{nomination_id}/ballot", status_code=303)


@router.get("/items/{nomination_id}/minutes")
def minutes(request: Request, nomination_id: str) -> HTMLResponse:
    """The minutes of the latest closed round: the official copy stored when the round closed
    (its sha256 is in the audit log), not a fresh rendering."""
    _item(request, nomination_id)  # who may see the item may read its minutes
    service = web(request).service
    stored = [d for d in service.items.rendered(nomination_id) if d["template"] == MINUTES]
    if stored:
        text, digest = stored[-1]["content"], stored[-1]["sha256"]
    else:  # no round has closed: the engine says so (NotAllowed → 409)
        result = service.items.render(nomination_id, MINUTES)
        text, digest = result["text"], result["sha256"]
    return HTMLResponse(text, headers={"Content-Security-Policy": DOCUMENT_CSP,
                                       "X-Document-SHA256": digest})


# ---- nominating -----------------------------------------------------------------------------


@router.get("/nominate")
def nominate_choose(request: Request) -> HTMLResponse:
    who = actor(request)
    options = web(request).service.staff.nomination_options(who)
    return page(request, "nominate_choose.html.j2", {"options": options},
                title=t_for(request)("nominate.title"))


def _option(request: Request, who: Actor, flow: str) -> dict[str, Any]:
    for option in web(request).service.staff.nomination_options(who):
        if option["id"] == flow:
            return option
    service = web(request).service
    service.setup.flow_show(flow)  # NotFound for an unknown flow
    raise PermissionDenied(f"{who.login} may not nominate in {flow!r} at any unit")


def _nominate_page(request: Request, option: dict[str, Any], values: dict[str, str],
                   error: str | None = None, status: int = 200) -> HTMLResponse:
    t = t_for(request)
    return page(request, "nominate.html.j2", {"flow": option, "values": values, "error": error},
                status=status,
                title=t("nominate.form_title", title=pick(option["title"], lang_of(request),
                                                         option["id"])))


@router.get("/nominate/{flow}")
def nominate_form(request: Request, flow: str) -> HTMLResponse:
    who = actor(request)
    option = _option(request, who, flow)
    return _nominate_page(request, option, {})


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/nominate/{flow}")
def nominate(request: Request, flow: str,
             form: Annotated[FormData, Depends(form_data)]) -> Response:
    who = actor(request)
    option = _option(request, who, flow)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    fields = {f["name"]: _text(form, f"field.{f['name']}") for f in option["fields"]}
    try:
        result = web(request).service.items.nominate(
            who, flow, _text(form, "unit"), _text(form, "nominee"),
            _text(form, "person").strip() or None,
            {k: v for k, v in fields.items() if v.strip()})
    except AwardError as exc:
        return _nominate_page(request, option, values, exc.message, status_of(exc))
    flash(request, t_for(request)("item.created_ok", id=result["id"]))
    return RedirectResponse(f"/items/{result['id']}", status_code=303)


# ---- audit ----------------------------------------------------------------------------------


def _auditor(request: Request) -> Actor:
    who = actor(request)
    if not has_role(person(request), "auditor"):
        raise PermissionDenied(f"{who.login} may not read the audit trail: needs the auditor "
                               "role")
    return who


@router.get("/audit")
def audit(request: Request) -> HTMLResponse:
    _auditor(request)
    head = web(request).service.audit.head()
    return page(request, "audit.html.j2", {"head": head, "report": None},
                title=t_for(request)("audit.title"))


@router.post("/audit/verify")
def audit_verify(request: Request) -> HTMLResponse:
    _auditor(request)
    service = web(request).service
    report = service.audit.verify()
    return page(request, "audit.html.j2", {"head": service.audit.head(),
                                           "report": report.as_dict()},
                title=t_for(request)("audit.title"))


@router.get("/audit/export")
def audit_export(request: Request, format: str = "jsonl") -> StreamingResponse:
    who = _auditor(request)
    web(request).service.audit.check_whole(who)
    return export_response(web(request).service, format)


def export_response(service: Service, fmt: str) -> StreamingResponse:
    """The chain in its stored form (``award audit verify --export`` re-checks it), spooled
    to a temporary file, then sent in chunks."""
    import io

    if fmt not in ("jsonl", "csv"):
        raise InvalidInput(f"format {fmt!r}: use jsonl or csv")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    service.audit.export(fmt, text)
    text.flush()
    text.detach()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(256 * 1024):
                yield block

    return StreamingResponse(
        chunks(), media_type="text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="audit-export.{fmt}"'})


@router.get("/audit/item")
def audit_item(request: Request, id: Number) -> Response:
    _auditor(request)
    return RedirectResponse(f"/items/{id}/timeline", status_code=303)


@router.get("/items/{nomination_id}/timeline")
def timeline(request: Request, nomination_id: str) -> HTMLResponse:
    who, view = _item(request, nomination_id)
    if not view["may_audit"]:
        raise PermissionDenied(f"{who.login} may not read the audit timeline of nomination "
                               f"{view['id']}: needs auditor at {view['unit']} or above")
    entries = [{**e, "payload_text": json.dumps(e["payload"], ensure_ascii=False,
                                                 sort_keys=True)}
               for e in web(request).service.audit.log(view["id"])]
    return page(request, "timeline.html.j2", {"item": view, "entries": entries},
                title=t_for(request)("timeline.title", id=view["id"]))
