"""The award register for everyone: "Tra cứu khen thưởng" (search by name, unit, award,
year; decision number and date; revoked awards shown as revoked with the date), and a
decision as issued.

The lookup shows no login, contact or reason, and no confidential awardee: those are only
counted. A decision's document is the copy sent out, unless the reader is signed in with a
role at the issuing unit or above (the copy kept there names every awardee).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from workflow.errors import AwardError
from workflow.service import Actor
from workflow.service.registry import Query as RegisterQuery
from workflow.web.deps import Person, ServiceDep, Words, page_router
from workflow.web.errors import spoken, status_of
from workflow.web.files import document
from workflow.web.render import page

__all__ = ["LookupFilters", "lookup_query", "router"]

router = page_router()

Text = Annotated[str, Query(max_length=200)]
LookupFilters = dict[str, Any]


def lookup_query(name: str, unit: str, award: str, year: str) -> tuple[RegisterQuery,
                                                                        LookupFilters]:
    """The register query a search form asks (empty fields ask nothing; a year that is not
    a number matches nothing rather than failing)."""
    digits = year.strip()
    wanted_year = int(digits) if digits.isdigit() and len(digits) <= 4 else None
    query = RegisterQuery(name=name.strip() or None, unit=unit.strip() or None,
                          award=award.strip() or None,
                          year=wanted_year if wanted_year is not None else (
                              -1 if digits else None))
    return query, {"name": name, "unit": unit, "award": award, "year": year}


@router.get("/lookup")
def lookup(request: Request, service: ServiceDep, t: Words, name: Text = "",
           unit: Text = "", award: Text = "", year: Text = "",
           page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1
           ) -> HTMLResponse:
    query, filters = lookup_query(name, unit, award, year)
    context: dict[str, Any] = {"filters": filters, "units": service.public.unit_names(),
                               "awards": service.public.award_titles(), "error": None,
                               "found": None}
    status = 200
    if any(v.strip() for v in filters.values()) or page_no > 1:
        try:
            context["found"] = service.register.lookup(query, page_no)
        except AwardError as exc:
            context["error"], status = spoken(request, exc), status_of(exc)
    else:
        context["found"] = service.register.lookup(query, page_no)
    return page(request, "lookup.html.j2", context, status=status, title=t("lookup.title"))


@router.get("/decisions/{decision_id}/document")
def decision_document(service: ServiceDep, person: Person, decision_id: str) -> HTMLResponse:
    """The decision as issued (its sha256 is in the audit and the register)."""
    reader = Actor(person["login"]) if person else Actor("public")
    return document(service.register.document(reader, decision_id))
