"""The audit log: every state change, who made it, when and why; newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from certmint.services.audit import list_audit_events
from certmint.web.bounds import page_number
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.pages.admin.common import render

__all__ = ["router"]

router = APIRouter()
PER_PAGE = 100


@router.get("/audit", name="admin_audit")
def audit_page(request: Request, principal: PageAdminDep, container: ContainerDep) -> Response:
    page = page_number(request.query_params.get("page", "1"))
    events = list_audit_events(
        container.uow(),
        principal.organisation_id,
        limit=PER_PAGE + 1,
        offset=(page - 1) * PER_PAGE,
    )
    return render(
        request,
        "audit.html",
        {"events": events[:PER_PAGE], "page": page, "more": len(events) > PER_PAGE},
        section="admin_audit",
    )
