"""Item pages and what is done on them: the list of items at the person's units, one item,
firing a trigger, attaching a document, an agency's confirmation.

Every page asks :meth:`Service.item_view` what this person may see and do; buttons are
exactly the actions :meth:`Service.available` reports, and every POST goes to the same use
case the command line calls, so a forged request meets the same role checks, guards and audit
as a real one. A POST about an item first refuses (403) a person who may not see it, before
anything is said about its state.

A refused action shows the item's page again at once (no redirect): the refusal beside the
form that was sent, what was typed still in it, and the refusal's HTTP status.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.errors import AwardError, NotAllowed, PermissionDenied
from workflow.ids import decimal
from workflow.service import Actor, Service
from workflow.web.deps import Acting, Lang, Person, ServiceDep, Words, page_router
from workflow.web.errors import spoken, status_of
from workflow.web.files import attach_upload
from workflow.web.forms import Failed, FormFields, text_of
from workflow.web.labels import ListNames, item_names, names_for
from workflow.web.messages import say
from workflow.web.params import Cursor, FormVersion
from workflow.web.present import action_label
from workflow.web.render import flash, lang_of, page, words
from workflow.web.routes.ballots import ballot_page
from workflow.web.state import web

__all__ = ["router"]

router = page_router()

LIST_PAGE = 50


@router.get("/items")
def items(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
          step: str | None = None, flow: str | None = None, unit: str | None = None,
          year: str | None = None, name: str | None = None, before: Cursor = None
          ) -> HTMLResponse:
    """Items at the person's units, newest first, filtered by procedure, step (by its label,
    across procedures), unit (and below), year and the nominee's name; 50 a page."""
    flows = [f for f in service.setup.flows() if f.get("ok")]
    labels = ListNames(service, lang)
    steps = _step_options(labels, [f["id"] for f in flows if not flow or f["id"] == flow])
    chosen = steps.get(step) if step else None
    year_number = decimal(year.strip()) if year and year.strip() else None
    if year and year.strip() and (year_number is None or not 1 <= year_number <= 9999):
        year_number = -1  # not a year: nothing matches, and the form says so
    rows = service.staff.items_for(
        who, flow=flow or None, before=before, limit=LIST_PAGE, steps=chosen,
        unit=unit or None, year=year_number, name=(name or "").strip()[:200] or None)
    older = rows[-1].get("scanned_to") or rows[-1]["id"] if rows and (
        len(rows) == LIST_PAGE or "scanned_to" in rows[-1]) else None
    rows = tuple(r for r in rows if "scanned_to" not in r)
    query = {"flow": flow or "", "step": step or "", "unit": unit or "", "year": year or "",
             "name": name or ""}
    return page(request, "items.html.j2", {
        "rows": rows, "older": older, "flows": flows, "steps": sorted(steps),
        "units": service.staff.units_of(who), "query": query,
        "next_query": urlencode({**{k: v for k, v in query.items() if v}, "before": older})
        if older else "", "labels": labels}, title=t("items.title"))


def _step_options(labels: ListNames, flows: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each step label of these flows (in the reader's language) → the ``(flow, state)``
    pairs it names: one "Chờ quyết định" finds that step in every procedure."""
    out: dict[str, list[tuple[str, str]]] = {}
    for flow in flows:
        for state in labels.states(flow):
            out.setdefault(labels(flow, state), []).append((flow, state))
    return out


def item_page(request: Request, service: ServiceDep, who: Actor, nomination_id: str, *,
              failed: Failed | None = None) -> HTMLResponse:
    """The item's page; after a refused action, again with the refusal beside the form that
    was sent and what was typed kept in it (and the refusal's status)."""
    lang, t = lang_of(request), words(request)
    view = service.staff.item_view(who, nomination_id)
    names = names_for(service, lang, nomination_id=view["id"])
    for action in view["actions"]:  # why a button is greyed, in the reader's words
        if action.get("why"):
            action["why_text"] = say(action["why"], names)
    return page(request, "item.html.j2", {
        "item": view, "names": item_names(view, names, t), "n": names, "failed": failed,
        "people": view.get("people", {}),
        "action_label": lambda entry: action_label(entry, names, t)},
        status=status_of(failed.error) if failed else 200,
        title=t("item.title", id=view["id"], nominee=view["nominee"]))


@router.get("/items/{nomination_id}")
async def item(request: Request, service: ServiceDep, who: Acting, person: Person, lang: Lang,
               nomination_id: str) -> HTMLResponse:
    """Kept for this session until anything audited changes or the clock's second moves (the
    page is the costliest staff page, and the one people come back to)."""
    return await web(request).pages.answer(
        request, service.public.version, lang,
        lambda: item_page(request, service, who, nomination_id), person=person,
        inline=service.local)


def _as_text(value: Any) -> str:
    """A stored detail as a form shows it (``true``/``false``, ISO dates, digits)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def edit_page(request: Request, service: Service, who: Actor, nomination_id: str,
              values: dict[str, str] | None = None, error: AwardError | None = None
              ) -> HTMLResponse:
    view = service.staff.item_view(who, nomination_id)
    if not view["dossier_open"]:
        raise NotAllowed(f"the details of nomination {view['id']} cannot change now",
                         msgid="attach.frozen", state=view["state"])
    if not view["may_edit"]:
        raise PermissionDenied(f"{who.login} may not edit nomination {view['id']}",
                               msgid="edit.denied")
    if values is None:
        values = {f"field.{k}": _as_text(v) for k, v in view["fields"].items()}
    names = names_for(service, lang_of(request), nomination_id=view["id"])
    return page(request, "edit.html.j2", {
        "item": view, "values": values,
        "error": spoken(request, error, names) if error else None},
        status=status_of(error) if error else 200,
        title=words(request)("edit.title", id=view["id"], nominee=view["nominee"]))


@router.get("/items/{nomination_id}/edit")
def edit_form(request: Request, service: ServiceDep, who: Acting, nomination_id: str
              ) -> HTMLResponse:
    return edit_page(request, service, who, nomination_id)


@router.post("/items/{nomination_id}/edit")
def edit(request: Request, service: ServiceDep, who: Acting, t: Words, nomination_id: str,
         form: FormFields) -> Response:
    service.staff.check_visible(who, nomination_id)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k.startswith("field.")}
    version = decimal(text_of(form, "expect_version"))
    try:
        service.items.update(who, nomination_id, {k[len("field."):]: v.strip() or None
                                                  for k, v in values.items()}, version)
    except AwardError as exc:
        return edit_page(request, service, who, nomination_id, values, exc)
    flash(request, t("edit.saved"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/items/{nomination_id}/fire")
def fire(
    request: Request,
    service: ServiceDep,
    who: Acting,
    lang: Lang,
    t: Words,
    nomination_id: str,
    trigger: Annotated[str, Form(max_length=64)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
    expect_version: FormVersion = None,
    back: Annotated[str, Form(max_length=16)] = "item",
    confirmed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    service.staff.check_visible(who, nomination_id)
    if trigger == "close_vote" and confirmed != "yes":
        # closing before every member has voted decides for the absent too: say what it
        # means and ask again
        current = service.staff.item_view(who, nomination_id).get("round")
        if current is not None and not current["complete"]:
            return ballot_page(request, service, who, nomination_id, confirm_close=True)
    # the item's own words (its pinned version), before the item moves on
    names = names_for(service, lang, nomination_id=nomination_id)
    try:
        result = service.items.fire(who, nomination_id, trigger, comment or None,
                                    expect_version)
    except AwardError as exc:
        failed = Failed(f"fire-{trigger}", spoken(request, exc, names), exc,
                        {"comment": comment})
        if back == "ballot":
            from_ballot: Response = ballot_page(request, service, who, nomination_id,
                                                failed=failed)
            return from_ballot
        return item_page(request, service, who, nomination_id, failed=failed)
    flash(request, t("item.fired", trigger=names.trigger(trigger),
                     state=names.state(result["state"])))
    to = f"/items/{nomination_id}/ballot" if back == "ballot" else f"/items/{nomination_id}"
    return RedirectResponse(to, status_code=303)


@router.post("/items/{nomination_id}/documents")
def attach(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    doctype: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File()],
) -> Response:
    service.staff.check_visible(who, nomination_id)
    try:
        result = attach_upload(service, who, nomination_id, doctype, file)
    except AwardError as exc:
        return item_page(request, service, who, nomination_id, failed=Failed(
            "attach", spoken(request, exc), exc, {"doctype": doctype}))
    flash(request, t("item.attached", file=result["file"], sha=result["sha256"][:16] + "…"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/items/{nomination_id}/documents/{doctype}/withdraw")
def withdraw(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
             nomination_id: str, doctype: str) -> Response:
    service.staff.check_visible(who, nomination_id)
    names = names_for(service, lang, nomination_id=nomination_id)
    try:
        service.items.detach(who, nomination_id, doctype)
    except AwardError as exc:
        return item_page(request, service, who, nomination_id, failed=Failed(
            "withdraw", spoken(request, exc, names), exc, {}))
    flash(request, t("item.withdrawn", doctype=names.document(doctype)))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/items/{nomination_id}/confirm")
def confirm(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    key: Annotated[str, Form(max_length=64)],
    decision: Annotated[str, Form(max_length=8)] = "",
    comment: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    service.staff.check_visible(who, nomination_id)
    try:
        service.items.confirm(who, nomination_id, key, decision, comment or None)
    except AwardError as exc:
        return item_page(request, service, who, nomination_id, failed=Failed(
            f"confirm-{key}", spoken(request, exc), exc,
            {"decision": decision, "comment": comment}))
    flash(request, t("item.confirmed"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)
