"""Numbered award decisions on the web: the decider's page "Ký quyết định khen thưởng" (the
items waiting on their decision, ticked into one decision), issuing it, a decision's page and
the decisions of the person's units.

Issuing goes to the same use case as ``award decision issue``: every item is checked first
and the first that cannot be awarded is named; then nothing is issued and the form comes back
with the same boxes ticked.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.errors import AwardError, PermissionDenied
from workflow.service import Actor, Service
from workflow.web.auth import has_role
from workflow.web.deps import Acting, Lang, Person, ServiceDep, Words, page_router
from workflow.web.errors import spoken, status_of
from workflow.web.forms import Failed, FormFields
from workflow.web.labels import ListNames, names_for
from workflow.web.params import Cursor
from workflow.web.render import flash, lang_of, page

__all__ = ["is_decider", "router"]

router = page_router()

LIST_PAGE = 50
WAITING_MAX = 1000  # one page of the form; a province's yearly batch is a few hundred


def is_decider(service: Service, person: dict[str, Any] | None) -> bool:
    """Whether ``person`` holds a role that signs award decisions in some flow."""
    return any(has_role(person, role) for role in service.register.decider_roles())


def decider(who: Acting, person: Person, service: ServiceDep) -> Actor:
    if not is_decider(service, person):
        raise PermissionDenied(f"{who.login} may not sign award decisions: needs a deciding "
                               "role (unit head, chairman, president)",
                               msgid="decision.needs_decider")
    return who


Decider = Annotated[Actor, Depends(decider)]
"""A signed-in person holding a deciding role somewhere (403 otherwise); which items they
may decide is the service's check."""


def _form_page(request: Request, service: Service, who: Actor, lang: str, t: Any,
               failed: Failed | None = None, ticked: tuple[str, ...] = ()) -> HTMLResponse:
    rows = service.register.awaiting(who, limit=WAITING_MAX)
    return page(request, "decision_new.html.j2", {
        "rows": rows, "failed": failed, "ticked": set(ticked), "max": WAITING_MAX,
        "labels": ListNames(service, lang)},
        status=status_of(failed.error) if failed else 200, title=t("decisions.new_title"))


@router.get("/decisions/new")
def new(request: Request, service: ServiceDep, who: Decider, lang: Lang, t: Words
        ) -> HTMLResponse:
    return _form_page(request, service, who, lang, t)


@router.post("/decisions")
def issue(request: Request, service: ServiceDep, who: Decider, lang: Lang, t: Words,
          form: FormFields) -> Response:
    """One decision for every ticked item (``item``, in the order listed), all or nothing;
    refused, the form again with the reason naming the first item refused."""
    items = tuple(v.strip() for v in form.getlist("item") if isinstance(v, str))
    try:
        result = service.register.issue(who, list(items))
    except AwardError as exc:
        named = exc.fields.get("id")
        names = names_for(service, lang_of(request),
                          nomination_id=named if isinstance(named, str) else None)
        return _form_page(request, service, who, lang, t,
                          failed=Failed("decide", spoken(request, exc, names), exc),
                          ticked=items)
    flash(request, t("decisions.issued", number=result["number"], n=len(result["items"])))
    return RedirectResponse(f"/decisions/{result['id']}", status_code=303)


@router.get("/decisions")
def decisions(request: Request, service: ServiceDep, who: Acting, person: Person, t: Words,
              before: Cursor = None) -> HTMLResponse:
    """The decisions of the person's units and the units below them, newest first."""
    rows = service.register.decisions_for(who, before=before, limit=LIST_PAGE)
    older = rows[-1]["id"] if len(rows) == LIST_PAGE else None
    return page(request, "decisions.html.j2", {
        "rows": rows, "older": older, "decider": is_decider(service, person)},
        title=t("decisions.title"))


@router.get("/decisions/{decision_id}")
def decision(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
             decision_id: str) -> HTMLResponse:
    """A decision: number, date, issuer, who signed it, its awardees (confidential ones named
    only to those who may see them), and the decision as issued."""
    shown = service.register.decision(who, decision_id)
    return page(request, "decision.html.j2", {"d": shown, "labels": ListNames(service, lang)},
                title=t("decisions.title_one", number=shown["number"]))
