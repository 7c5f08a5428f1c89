"""Emulation campaigns on the web: the list, and a campaign's page — for everyone the
campaign, its scope, awards and clusters (and the clusters' results once it is closed); for
staff in its scope the registration progress, and for a unit's officer the registration form
and their registrations, each withdrawable until registration closes.

Every POST goes to the same use case as ``award register`` (and ``--withdraw``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from workflow.service import Actor
from workflow.web.deps import Acting, Person, ServiceDep, Words, page_router
from workflow.web.render import flash, page

__all__ = ["router"]

router = page_router()


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get("/campaigns")
def campaigns(request: Request, service: ServiceDep, t: Words) -> HTMLResponse:
    listed = service.campaigns.all()
    return page(request, "campaigns.html.j2", {"campaigns": listed["campaigns"]},
                title=t("campaigns.title"))


@router.get("/campaigns/{campaign_id}")
def campaign(request: Request, service: ServiceDep, t: Words, person: Person,
             campaign_id: str) -> HTMLResponse:
    actor = Actor(person["login"]) if person else None
    view = service.campaigns.show(campaign_id, actor)
    desk = service.campaigns.desk(actor, campaign_id) if actor else []
    return page(request, "campaign.html.j2", {"c": view, "desk": desk},
                title=view["title"].get("vi", view["id"]))


@router.post("/campaigns/{campaign_id}/register")
def register(request: Request, service: ServiceDep, who: Acting, t: Words, campaign_id: str,
             form: Form) -> Response:
    person = _text(form, "person") or None
    result = service.campaigns.register(who, campaign_id, _text(form, "unit"),
                                        _text(form, "award"), person)
    flash(request, t("campaigns.registered", id=result["id"]))
    return RedirectResponse(f"/campaigns/{campaign_id}#desk", status_code=303)


@router.post("/campaigns/{campaign_id}/withdraw")
def withdraw(request: Request, service: ServiceDep, who: Acting, t: Words, campaign_id: str,
             form: Form) -> Response:
    person = _text(form, "person") or None
    result = service.campaigns.withdraw(who, campaign_id, _text(form, "unit"),
                                        _text(form, "award"), person)
    flash(request, t("campaigns.withdrawn", id=result["id"]))
    return RedirectResponse(f"/campaigns/{campaign_id}#desk", status_code=303)
