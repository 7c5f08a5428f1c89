"""Starting a nomination: the flows the person may start, the form generated from a flow's
fields, and creating the item (a refusal shows the form again with what was typed)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.errors import AwardError, PermissionDenied
from workflow.service import Actor, Service
from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.errors import spoken, status_of
from workflow.web.forms import FormFields, text_of
from workflow.web.i18n import pick
from workflow.web.labels import names_for
from workflow.web.render import flash, lang_of, page, words
from workflow.web.security import CSRF_FIELD

__all__ = ["router"]

router = page_router()


def _option(service: Service, who: Actor, flow: str) -> dict[str, Any]:
    """The flow as ``who`` may start it, or NotFound / PermissionDenied."""
    for option in service.staff.nomination_options(who):
        if option["id"] == flow:
            return option
    service.setup.flow_show(flow)  # NotFound for an unknown flow
    raise PermissionDenied(f"{who.login} may not nominate in {flow!r} at any unit",
                           msgid="nominate.denied", values={"flow": flow})


def _form(request: Request, service: Service, who: Actor, option: dict[str, Any],
          values: dict[str, str], error: str | None = None, status: int = 200
          ) -> HTMLResponse:
    title = pick(option["title"], lang_of(request), option["id"])
    return page(request, "nominate.html.j2", {
        "flow": option, "values": values, "error": error,
        "people": _people(service, who, option, values)},
        status=status, title=words(request)("nominate.form_title", title=title))


def _people(service: Service, who: Actor, option: dict[str, Any], values: dict[str, str]
            ) -> dict[str, Any] | None:
    """The unit's people matching what was searched (the chosen one kept in the list), for
    a flow whose nominee is a person; None when there is nothing to show."""
    if option["nominee"] != "individual" or not option["units"]:
        return None
    unit = values.get("unit") or option["units"][0]["id"]
    try:
        return service.staff.nominee_choices(who, option["id"], unit, values.get("q", "")[:200],
                                             values.get("person") or None)
    except AwardError:  # a unit they may not nominate at: the submit says so
        return None


@router.get("/nominate")
def nominate_choose(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words
                    ) -> HTMLResponse:
    return page(request, "nominate_choose.html.j2",
                {"options": service.staff.nomination_options(who),
                 "n": names_for(service, lang)}, title=t("nominate.title"))


@router.get("/nominate/{flow}")
def nominate_form(request: Request, service: ServiceDep, who: Acting, flow: str
                  ) -> HTMLResponse:
    return _form(request, service, who, _option(service, who, flow), {})


@router.post("/nominate/{flow}/people")
def search_people(request: Request, service: ServiceDep, who: Acting, flow: str,
                  form: FormFields) -> HTMLResponse:
    """The form again, with the unit's people matching the search (nothing is created)."""
    option = _option(service, who, flow)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}
    return _form(request, service, who, option, values)


@router.post("/nominate/{flow}")
def nominate(request: Request, service: ServiceDep, who: Acting, t: Words, flow: str,
             form: FormFields) -> Response:
    option = _option(service, who, flow)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}
    fields = {f["name"]: text_of(form, f"field.{f['name']}") for f in option["fields"]}
    try:
        result = service.items.nominate(who, flow, text_of(form, "unit"), text_of(form, "nominee"),
                                  text_of(form, "person").strip() or None,
                                  {k: v for k, v in fields.items() if v.strip()},
                                  nominee_unit=text_of(form, "nominee_unit").strip() or None)
    except AwardError as exc:
        return _form(request, service, who, option, values, spoken(request, exc),
                     status_of(exc))
    flash(request, t("item.created_ok", id=result["id"]))
    return RedirectResponse(f"/items/{result['id']}", status_code=303)
