"""The audit trail through the API: the chain's head (public: notices and decisions embed
it), verifying and exporting the whole chain (an auditor), one item's entries (an auditor at
its unit or above)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from workflow.errors import PermissionDenied
from workflow.web.api.models import AuditEntry, AuditHead, VerifyReport
from workflow.web.deps import Acting, Auditor, ServiceDep
from workflow.web.files import export_response

__all__ = ["router"]

router = APIRouter()


@router.get("/audit/head", response_model=AuditHead)
def audit_head(service: ServiceDep) -> dict[str, Any]:
    """The head of the chain (public: notices and decisions embed it)."""
    return service.audit.head()


@router.get("/audit/verify", response_model=VerifyReport)
def audit_verify(service: ServiceDep, _who: Auditor) -> dict[str, Any]:
    return service.audit.verify().as_dict()


@router.get("/audit/export")
def audit_export(service: ServiceDep, who: Auditor, format: str = "jsonl"
                 ) -> StreamingResponse:
    service.audit.check_whole(who)
    return export_response(service, format)


@router.get("/items/{nomination_id}/audit", response_model=list[AuditEntry])
def item_audit(service: ServiceDep, who: Acting, nomination_id: str) -> list[dict[str, Any]]:
    view = service.staff.item_view(who, nomination_id)
    if not view["may_audit"]:
        raise PermissionDenied(f"{who.login} may not read the audit entries of nomination "
                               f"{view['id']}: needs auditor at {view['unit']} or above",
                               msgid="audit.item_denied",
                               values={"id": view["id"], "unit": view["unit"]})
    return list(service.audit.log(view["id"]))
