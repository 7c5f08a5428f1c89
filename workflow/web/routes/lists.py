"""Lists on the web: the officer's template download and list upload beside the nomination
form (every problem of a refused list shown in a table, nothing created), and the items list
as a spreadsheet download.

The upload goes to the same use case as ``award import``; the download holds what the items
page would list for this person (the units where they hold a role and below).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse

from workflow.errors import InvalidInput, ListRejected, PermissionDenied
from workflow.ids import decimal
from workflow.service import Actor, Service
from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.errors import status_of
from workflow.web.files import MAX_UPLOAD, safe_filename
from workflow.web.i18n import pick
from workflow.web.labels import ListNames, names_for
from workflow.web.messages import say
from workflow.web.render import flash, lang_of, page

__all__ = ["router"]

router = page_router()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _option(service: Service, who: Actor, flow: str) -> dict[str, Any]:
    """The flow as ``who`` may start it (its units and fields), or NotFound / PermissionDenied."""
    for option in service.staff.nomination_options(who):
        if option["id"] == flow:
            return option
    service.setup.flow_show(flow)  # NotFound for an unknown flow
    raise PermissionDenied(f"{who.login} may not nominate in {flow!r} at any unit",
                           msgid="nominate.denied", flow=flow)


@router.get("/nominate/{flow}/template.xlsx")
def template(service: ServiceDep, who: Acting, flow: str) -> Response:
    """The flow's list template, for someone who may nominate in it."""
    option = _option(service, who, flow)
    out = io.BytesIO()
    service.items.list_template(option["id"], out)
    return Response(out.getvalue(), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="danh-sach-{option["id"]}.xlsx"'})


@router.post("/nominate/{flow}/list")
def upload(request: Request, service: ServiceDep, who: Acting, t: Words, flow: str,
           unit: Annotated[str, Form(max_length=64)],
           file: Annotated[UploadFile, File()]) -> Response:
    option = _option(service, who, flow)
    name = safe_filename(file.filename)
    content = file.file.read(MAX_UPLOAD + 1)
    try:
        if len(content) > MAX_UPLOAD:
            raise InvalidInput(f"{name} is larger than {MAX_UPLOAD // 2**20} MiB",
                               msgid="attach.too_large",
                               values={"name": name, "mib": MAX_UPLOAD // 2**20})
        result = service.items.import_list(who, option["id"], unit, name, content)
    except ListRejected as exc:
        names = names_for(service, lang_of(request), flow=option["id"])
        cells = [{**cell, "text": say(cell["reason"], names)}
                 for cell in exc.fields.get("cells", [])]
        return page(request, "list_problems.html.j2", {
            "flow": option, "file": name, "unit": unit, "cells": cells},
            status=status_of(exc), title=t("lists.rejected_title", file=name))
    title = pick(option["title"], lang_of(request), option["id"])
    flash(request, t("lists.created", n=len(result["created"]), file=name, title=title))
    return RedirectResponse("/items", status_code=303)


@router.get("/export/items.{fmt}")
def export(service: ServiceDep, who: Acting, lang: Lang, fmt: str, flow: str | None = None,
           step: str | None = None, unit: str | None = None, year: str | None = None,
           name: str | None = None) -> StreamingResponse:
    """The items list as its filters show it (procedure, step by its label, unit and below,
    year, the nominee's name; within what this person sees) as ``.xlsx`` or ``.csv``,
    spooled then sent."""
    if fmt not in _TYPES:
        raise InvalidInput(f"format {fmt!r}: use xlsx or csv", msgid="export.bad_format",
                           format=fmt)
    steps = None
    if step:
        labels = ListNames(service, lang)
        flows = [flow] if flow else [f["id"] for f in service.setup.flows() if f.get("ok")]
        steps = [(f, s) for f in flows for s in labels.states(f) if labels(f, s) == step]
    number = decimal(year.strip()) if year and year.strip() else None
    if year and year.strip() and (number is None or not 1 <= number <= 9999):
        number = -1  # not a year: nothing matches, as on the list
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    service.items.export(spool, fmt, flow=flow or None, unit=unit or None, actor=who,
                         steps=steps, year=number, name=(name or "").strip()[:200] or None)
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(256 * 1024):
                yield block

    return StreamingResponse(chunks(), media_type=_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="ho-so.{fmt}"'})
