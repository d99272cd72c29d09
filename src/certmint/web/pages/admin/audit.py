"""The audit log: every state change, who made it, when and why; newest first, with filters
by who acted, by the kind of thing changed, and by text."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from certmint.services.audit import audit_log
from certmint.web.bounds import page_number
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.pages.admin.common import render

__all__ = ["router"]

router = APIRouter()
PER_PAGE = 100
FILTERS = ("who", "kind", "q")


@router.get("/audit", name="admin_audit")
def audit_page(request: Request, principal: PageAdminDep, container: ContainerDep) -> Response:
    query = request.query_params
    page = page_number(query.get("page", "1"))
    filters = {k: query.get(k, "").strip() for k in FILTERS}
    log = audit_log(
        container.uow(read_only=True),
        principal,
        actor=filters["who"] or None,
        subject_type=filters["kind"] or None,
        text=filters["q"] or None,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    return render(
        request,
        "audit.html",
        {
            "log": log,
            "page": page,
            "filters": filters,
            "base_query": urlencode({k: v for k, v in filters.items() if v}),
        },
        section="admin_audit",
    )
