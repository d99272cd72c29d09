"""The dashboard: batches with their certificates, and the latest jobs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from certmint.domain.certificates import CertificateStatus
from certmint.services.read_models.dashboard import dashboard
from certmint.web.deps import ContainerDep, PageStaffDep
from certmint.web.pages.admin.common import render

__all__ = ["router"]

router = APIRouter()


@router.get("", name="admin_dashboard")
def dashboard_page(request: Request, principal: PageStaffDep, container: ContainerDep) -> Response:
    board = dashboard(container.uow(), principal)
    return render(
        request,
        "dashboard.html",
        {"board": board, "statuses": list(CertificateStatus)},
        section="admin_dashboard",
    )
