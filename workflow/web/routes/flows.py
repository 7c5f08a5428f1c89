"""The administrators' flow pages: every flow, one flow (its diagram drawn on the server, its
states with how many items each holds, its versions and what changed between two), and a
form that checks a flow file pasted or uploaded.

Administrators only (the ``admin`` role at a top unit): the pages count items across every
unit. Checking a file reads it and writes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from workflow.errors import AwardError, InvalidInput
from workflow.service import Service
from workflow.web.deps import Administrator, Lang, ServiceDep, Words, page_router
from workflow.web.errors import status_of
from workflow.web.files import safe_filename
from workflow.web.i18n import pick
from workflow.web.labels import names_for
from workflow.web.messages import say_error
from workflow.web.render import page

__all__ = ["router"]

router = page_router()

#: a flow file is a few KB; the reader refuses more than this anyway
MAX_FLOW_BYTES = 1024 * 1024
SHORT = 12  # characters of a version hash shown


def _counts(service: Service, flow_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """Items per state (every version) and items in flight per version."""
    by_state: dict[str, int] = {}
    by_version: dict[str, int] = {}
    for row in service.setup.flow_states(flow_id):
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["items"]
        if not row["final"]:
            by_version[row["version"]] = by_version.get(row["version"], 0) + row["items"]
    return by_state, by_version


@router.get("/flows", response_class=HTMLResponse)
def flows(request: Request, service: ServiceDep, _who: Administrator, lang: Lang,
          t: Words) -> HTMLResponse:
    awards = service.public.award_titles()
    rows: list[dict[str, Any]] = []
    broken: list[dict[str, Any]] = []
    for flow in service.setup.flows():
        if not flow["ok"]:
            broken.append(flow)
            continue
        versions = service.setup.flow_versions(flow["id"])
        rows.append({**flow, "title_text": pick(flow["title"], lang, flow["id"]),
                     "award_text": pick(awards.get(flow["award"]), lang, flow["award"]),
                     "versions": len(versions),
                     "in_flight": sum(v["in_flight"] for v in versions)})
    return page(request, "flows.html.j2", {"flows": rows, "broken": broken},
                title=t("flows.title"))


@router.get("/flows/validate", response_class=HTMLResponse)
def validate_form(request: Request, _who: Administrator, t: Words) -> HTMLResponse:
    return page(request, "flow_validate.html.j2", {"text": "", "result": None},
                title=t("flows.validate"))


@router.post("/flows/validate", response_class=HTMLResponse)
def validate(request: Request, service: ServiceDep, _who: Administrator, t: Words,
             text: Annotated[str, Form(max_length=MAX_FLOW_BYTES)] = "",
             file: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    name = "flow.yaml"
    if file is not None and file.filename:
        name = safe_filename(file.filename)
        content = file.file.read(MAX_FLOW_BYTES + 1)
        if len(content) > MAX_FLOW_BYTES:
            raise InvalidInput(f"{name} is larger than a flow file may be (1 MiB)",
                               msgid="flows.too_large", values={"name": name})
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{name} is not UTF-8 text", msgid="flows.not_text",
                               values={"name": name}) from None
    if not text.strip():
        raise InvalidInput("paste a flow or choose a file", msgid="flows.nothing")
    result = service.setup.validate_text(text, name)
    lines = text.splitlines()
    problems = [{"where": f"{p.file}:{p.line}:{p.col}", "line": p.line, "col": p.col,
                 "message": p.message,
                 "source": lines[p.line - 1] if 0 < p.line <= len(lines) else ""}
                for p in result["problems"]]
    return page(request, "flow_validate.html.j2",
                {"text": text, "result": {**result, "problems": problems, "file": name}},
                status=200 if result["ok"] else 422, title=t("flows.validate"))


def _diff(service: Service, flow_id: str, old: str, new: str, lang: str, t: Words
          ) -> dict[str, Any]:
    """The diff of two versions, or the refusal of a version that cannot be named."""
    try:
        diff = service.setup.flow_diff(flow_id, old, new)
    except AwardError as exc:
        names = names_for(service, lang, flow=flow_id)
        return {"error": say_error(exc, names, lambda: t("flows.version_unknown")),
                "status": status_of(exc)}
    words = diff.pop("words")

    def state(name: str) -> str:
        return pick(words["states"].get(name), lang, name)

    def trigger(name: str) -> str:
        return pick(words["triggers"].get(name), lang, name)

    return {**diff, "error": None, "state": state, "trigger": trigger}


@router.get("/flows/{flow_id}", response_class=HTMLResponse)
def flow(request: Request, service: ServiceDep, _who: Administrator, lang: Lang, t: Words,
         flow_id: str, to: str | None = None) -> HTMLResponse:
    """``?from=V&to=V`` adds what changed between two versions (hash prefixes, stored,
    current)."""
    shown = service.setup.flow_show(flow_id)
    by_state, by_version = _counts(service, flow_id)
    versions = [{**v, "short": v["version"][:SHORT], "in_flight": by_version.get(v["version"], 0)}
                for v in service.setup.flow_versions(flow_id)]
    # the diagram counts what each of its states holds; older versions' other states are
    # listed beside it
    diagram = Markup(service.setup.flow_svg(flow_id, lang, by_state))
    elsewhere = {s: n for s, n in by_state.items() if s not in shown["states"]}
    old = request.query_params.get("from") or None
    diff = None
    status = 200
    if old:
        diff = _diff(service, flow_id, old, to or "current", lang, t)
        status = diff.get("status", 200)
    awards = service.public.award_titles()
    return page(request, "flow.html.j2", {
        "flow": shown, "title_text": pick(shown["title"], lang, flow_id),
        "award_text": pick(awards.get(shown["award"]), lang, shown["award"]),
        "diagram": diagram, "counts": by_state, "elsewhere": elsewhere, "versions": versions,
        "diff": diff, "old": old or "", "to": to or "current"},
        status=status, title=pick(shown["title"], lang, flow_id))
