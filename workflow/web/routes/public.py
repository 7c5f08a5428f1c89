"""Public pages, no sign-in: the notice board, a notice and its published document, a
nominee, the objection form and its receipt.

The public may file an objection while a nominee's window is open; the answer is a receipt
number and nothing else about the objection. What a nominee page shows comes from
:meth:`Service.public_nominee`, which knows only items that were on a notice and never shows
their fields, state or history.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.catalogue import OBJECTION_KINDS
from workflow.errors import AwardError, NotAllowed
from workflow.service import PUBLIC
from workflow.web.deps import Lang, ServiceDep, Words, page_router
from workflow.web.errors import spoken, status_of
from workflow.web.files import document
from workflow.web.params import Cursor
from workflow.web.render import page, receipt_code, words
from workflow.web.security import client_key
from workflow.web.state import web

__all__ = ["router"]

router = page_router()

BOARD_PAGE = 50


@router.get("/")
async def board(request: Request, service: ServiceDep, t: Words, lang: Lang, before: Cursor = None
          ) -> HTMLResponse:
    def render() -> HTMLResponse:
        notices = service.public.board(before=before, limit=BOARD_PAGE)
        current = [n for n in notices if n["status"] == "open"]
        past = [n for n in notices if n["status"] != "open"]
        older = notices[-1]["id"] if len(notices) == BOARD_PAGE else None
        return page(request, "board.html.j2",
                    {"current": current, "past": past, "older": older},
                    title=t("board.title"))

    return await web(request).pages.answer(request, service.public.version, lang, render,
                                           inline=service.local)


@router.get("/notices/{notice_id}")
def notice(request: Request, service: ServiceDep, t: Words, notice_id: str) -> HTMLResponse:
    view = service.public.notice(notice_id)
    return page(request, "notice.html.j2", {"notice": view},
                title=t("notice.title", id=view["id"]))


@router.get("/notices/{notice_id}/document")
def notice_document(service: ServiceDep, notice_id: str) -> HTMLResponse:
    """The notice exactly as published (its sha256 is on the notice page)."""
    return document(service.public.notice_html(notice_id))


@router.get("/nominees/{nomination_id}")
async def nominee(request: Request, service: ServiceDep, t: Words, lang: Lang, nomination_id: str
            ) -> HTMLResponse:
    def render() -> HTMLResponse:
        view = service.public.nominee(nomination_id)
        return page(request, "nominee.html.j2", {"nominee": view},
                    title=t("nominee.title", name=view["nominee"]))

    return await web(request).pages.answer(request, service.public.version, lang, render,
                                           inline=service.local)


def _objection_page(request: Request, view: dict[str, object], status: int = 200,
                    error: str | None = None, values: dict[str, str] | None = None
                    ) -> HTMLResponse:
    return page(request, "object.html.j2",
                {"nominee": view, "error": error,
                 "values": values or {"text": "", "name": "", "contact": "", "kind": "gop_y"},
                 "kinds": OBJECTION_KINDS},
                status=status, title=words(request)("object.title", id=view["id"]))


@router.get("/nominees/{nomination_id}/object")
def objection_form(request: Request, service: ServiceDep, nomination_id: str) -> HTMLResponse:
    return _objection_page(request, service.public.nominee(nomination_id))


@router.post("/nominees/{nomination_id}/object")
def objection_filed(
    request: Request,
    service: ServiceDep,
    nomination_id: str,
    text: Annotated[str, Form(max_length=20_000)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "gop_y",
) -> Response:
    limit = web(request).objections
    limit.refuse_if_spent(request)
    view = service.public.nominee(nomination_id)
    values = {"text": text, "name": name, "contact": contact, "kind": kind}
    try:
        result = service.items.file_objection(PUBLIC, nomination_id, text, name or None,
                                              contact or None, kind)
    except AwardError as exc:
        # a refused submission (empty, too long, window closed) files nothing: it is not
        # counted against the address, so a citizen who forgot the text can send it again
        still_open = bool(view["window_open"]) and not isinstance(exc, NotAllowed)
        return _objection_page(request, {**view, "window_open": still_open}, status_of(exc),
                               spoken(request, exc), values)
    limit.hit(client_key(request))
    request.session["receipt"] = {
        "code": receipt_code(result["receipt"]), "nomination": view["id"],
        "nominee": view["nominee"], "filed_at": result["filed_at"],
        "text_sha256": result["text_sha256"], "kind": result["kind"],
        "due_at": result["due_at"]}
    return RedirectResponse("/receipt", status_code=303)


@router.get("/receipt")
def receipt(request: Request, t: Words) -> HTMLResponse:
    """The receipt this browser was just given, printable (post/redirect/get: reloading is
    harmless)."""
    kept = request.session.get("receipt")
    return page(request, "receipt.html.j2", {"receipt": kept if isinstance(kept, dict) else None},
                title=t("receipt.title"))


@router.get("/receipts")
def receipts(request: Request, t: Words) -> HTMLResponse:
    return page(request, "receipts.html.j2", {"found": None, "error": None, "code": ""},
                title=t("receipt.lookup"))


@router.post("/receipts")
def receipt_status(request: Request, service: ServiceDep, t: Words,
                   code: Annotated[str, Form(max_length=64)] = "") -> HTMLResponse:
    """How an objection stands, for whoever holds its receipt code."""
    try:
        found = service.public.receipt(code)
    except AwardError as exc:
        return page(request, "receipts.html.j2",
                    {"found": None, "error": spoken(request, exc), "code": code},
                    status=status_of(exc), title=t("receipt.lookup"))
    return page(request, "receipts.html.j2",
                {"found": {**found, "code": receipt_code(found["receipt"])}, "error": None,
                 "code": ""}, title=t("receipt.lookup"))
