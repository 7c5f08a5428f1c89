"""The JSON API under ``/api``: the same use cases as the pages and the CLI.

Authentication: the session cookie of a signed-in browser (writes must also send the session's
CSRF token as ``X-CSRF-Token``; ``GET /api/me`` returns it) or HTTP Basic with a directory
login and password (for scripts). Public calls (notices, nominees, filing an objection, the
audit head) need neither. Errors are ``{"error": {"type", "message", …}}`` with the statuses of
:data:`workflow.web.context.STATUS`; an unauthenticated call is 401.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from workflow.errors import PermissionDenied
from workflow.service import PUBLIC, Actor
from workflow.web.context import (
    CsrfFailed,
    LoginRequired,
    csrf_token,
    has_role,
    person,
    rate_limit,
    web,
)
from workflow.web.params import BodyVersion, Cursor, Number
from workflow.web.security import CSRF_HEADER, same_token

__all__ = ["router"]


def api_actor(request: Request) -> Actor:
    """The signed-in person; a session-authenticated write must carry the CSRF header."""
    found = person(request)
    if found is None:
        raise LoginRequired()
    if (request.method not in ("GET", "HEAD", "OPTIONS")
            and getattr(request.state, "via", "session") == "session"
            and not same_token(request.headers.get(CSRF_HEADER), request.session.get("csrf"))):
        raise CsrfFailed()
    return Actor(found["login"])


Who = Annotated[Actor, Depends(api_actor)]

router = APIRouter(prefix="/api", tags=["award"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NominateBody(Strict):
    flow: str = Field(max_length=64)
    unit: str = Field(max_length=64)
    nominee: str = Field(max_length=500)
    person: str | None = Field(default=None, max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict)


class FireBody(Strict):
    trigger: str = Field(max_length=64)
    comment: str | None = Field(default=None, max_length=10_000)
    expect_version: BodyVersion = None


class VoteBody(Strict):
    choice: str = Field(max_length=8, description="yes | no | abstain")
    written_for: str | None = Field(default=None, max_length=64,
                                    description="secretariat: an absent member's login")


class RecuseBody(Strict):
    reason: str | None = Field(default=None, max_length=2_000)


class ConfirmBody(Strict):
    key: str = Field(max_length=64)
    decision: str = Field(max_length=8, description="yes | no")
    comment: str | None = Field(default=None, max_length=10_000)


class ObjectBody(Strict):
    text: str = Field(max_length=20_000)
    name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)


class ResolveBody(Strict):
    outcome: str = Field(max_length=16, description="dismissed | upheld")
    comment: str = Field(max_length=10_000)


# ---- who am I -------------------------------------------------------------------------------


@router.get("/me")
def me(request: Request, who: Who) -> dict[str, Any]:
    """The signed-in person, their roles, and the CSRF token for session writes."""
    found = person(request)
    assert found is not None
    data = {k: v for k, v in found.items() if k != "stamp"}
    if getattr(request.state, "via", "session") == "session":
        data["csrf_token"] = csrf_token(request)
    return data


# ---- items ----------------------------------------------------------------------------------


@router.get("/items")
def list_items(request: Request, who: Who, state: str | None = None, flow: str | None = None,
               before: Cursor = None, limit: Number = 100) -> list[dict[str, Any]]:
    """Items at the caller's units and below, newest first (page with ``before``)."""
    return list(web(request).service.staff.items_for(who, state=state, flow=flow, before=before,
                                               limit=max(1, min(limit, 500))))


@router.post("/items", status_code=201)
def nominate(request: Request, who: Who, body: NominateBody) -> dict[str, Any]:
    return web(request).service.items.nominate(who, body.flow, body.unit, body.nominee, body.person,
                                         body.fields)


@router.get("/nomination-options")
def nomination_options(request: Request, who: Who) -> list[dict[str, Any]]:
    """The flows the caller may start, the units they may nominate at, and each flow's
    fields and document types."""
    return list(web(request).service.staff.nomination_options(who))


@router.get("/items/{nomination_id}")
def show(request: Request, who: Who, nomination_id: str) -> dict[str, Any]:
    return web(request).service.staff.item_view(who, nomination_id)


@router.get("/items/{nomination_id}/available")
def available(request: Request, who: Who, nomination_id: str) -> list[dict[str, Any]]:
    web(request).service.staff.check_visible(who, nomination_id)
    return web(request).service.items.available(who, nomination_id)


@router.post("/items/{nomination_id}/fire")
def fire(request: Request, who: Who, nomination_id: str, body: FireBody) -> dict[str, Any]:
    web(request).service.staff.check_visible(who, nomination_id)
    return web(request).service.items.fire(who, nomination_id, body.trigger, body.comment,
                                     body.expect_version)


@router.post("/items/{nomination_id}/documents", status_code=201)
def attach(request: Request, who: Who, nomination_id: str,
           doctype: Annotated[str, Form(max_length=64)],
           file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    web(request).service.staff.check_visible(who, nomination_id)
    import tempfile
    from pathlib import Path

    from workflow.web.staff import read_upload

    with tempfile.TemporaryDirectory(prefix="award-upload-") as folder:
        path = read_upload(file, Path(folder))
        return web(request).service.items.attach(who, nomination_id, doctype, path)


@router.post("/items/{nomination_id}/vote")
def vote(request: Request, who: Who, nomination_id: str, body: VoteBody) -> dict[str, Any]:
    web(request).service.staff.check_visible(who, nomination_id)
    return web(request).service.items.vote(who, nomination_id, body.choice, body.written_for)


@router.post("/items/{nomination_id}/recuse")
def recuse(request: Request, who: Who, nomination_id: str, body: RecuseBody) -> dict[str, Any]:
    web(request).service.staff.check_visible(who, nomination_id)
    return web(request).service.items.recuse(who, nomination_id, body.reason)


@router.post("/items/{nomination_id}/confirm")
def confirm(request: Request, who: Who, nomination_id: str, body: ConfirmBody
            ) -> dict[str, Any]:
    web(request).service.staff.check_visible(who, nomination_id)
    return web(request).service.items.confirm(who, nomination_id, body.key, body.decision,
                                        body.comment)


@router.post("/items/{nomination_id}/objections", status_code=201)
def object_(request: Request, nomination_id: str, body: ObjectBody) -> dict[str, Any]:
    """Anyone may object while the nominee's notice window is open (the answer is the receipt
    number only); a signed-in officer or secretariat files a complaint at any time."""
    signed_in = person(request) is not None
    who = api_actor(request) if signed_in else PUBLIC
    if not signed_in:
        rate_limit(request, web(request).objections)
    result = web(request).service.items.file_objection(who, nomination_id, body.text, body.name,
                                         body.contact)
    if who is PUBLIC:
        return {"id": result["id"], "status": result["status"]}
    return result


@router.post("/objections/{objection_id}/resolve")
def resolve(request: Request, who: Who, objection_id: str, body: ResolveBody
            ) -> dict[str, Any]:
    return web(request).service.items.resolve(who, objection_id, body.outcome, body.comment)


@router.get("/objections")
def objections(request: Request, who: Who) -> list[dict[str, Any]]:
    """Open objections the caller (as secretariat) may resolve."""
    return list(web(request).service.staff.objections_to_resolve(who))


@router.get("/queue")
def queue(request: Request, who: Who) -> list[dict[str, Any]]:
    """Items waiting on the caller: overdue first, then by due time."""
    return web(request).service.items.queue(who)


# ---- public ---------------------------------------------------------------------------------


@router.get("/notices")
def notices(request: Request, before: Cursor = None, limit: Number = 50
            ) -> list[dict[str, Any]]:
    return list(web(request).service.public.board(before=before,
                                                    limit=max(1, min(limit, 200))))


@router.get("/notices/{notice_id}")
def notice(request: Request, notice_id: str) -> dict[str, Any]:
    return web(request).service.public.notice(notice_id)


@router.get("/nominees/{nomination_id}")
def nominee(request: Request, nomination_id: str) -> dict[str, Any]:
    return web(request).service.public.nominee(nomination_id)


# ---- audit ----------------------------------------------------------------------------------


@router.get("/audit/head")
def audit_head(request: Request) -> dict[str, Any]:
    """The head of the chain (public: notices and decisions embed it)."""
    return web(request).service.audit.head()


def _auditor(request: Request, who: Actor) -> None:
    if not has_role(person(request), "auditor"):
        raise PermissionDenied(f"{who.login} may not read the audit trail: needs the auditor "
                               "role")


@router.get("/audit/verify")
def audit_verify(request: Request, who: Who) -> dict[str, Any]:
    _auditor(request, who)
    return web(request).service.audit.verify().as_dict()


@router.get("/audit/export")
def audit_export(request: Request, who: Who, format: str = "jsonl") -> StreamingResponse:
    from workflow.web.staff import export_response

    _auditor(request, who)
    web(request).service.audit.check_whole(who)
    return export_response(web(request).service, format)


@router.get("/items/{nomination_id}/audit")
def item_audit(request: Request, who: Who, nomination_id: str) -> list[dict[str, Any]]:
    view = web(request).service.staff.item_view(who, nomination_id)
    if not view["may_audit"]:
        raise PermissionDenied(f"{who.login} may not read the audit entries of nomination "
                               f"{view['id']}: needs auditor at {view['unit']} or above")
    return list(web(request).service.audit.log(view["id"]))
