""" "Issue now" and the job page with its live progress bar.

Without JavaScript the job page refreshes itself (``<meta http-equiv="refresh">`` inside
``<noscript>``) while the job runs; with it, ``admin.js`` polls the small JSON progress
endpoint and moves the bar.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from certmint.services.issuance.issue_now import issue_status, start_issue
from certmint.web.deps import ContainerDep, PageStaffDep, StaffDep
from certmint.web.pages.admin.common import FormDep, page_id, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_dashboard"


@router.post("/achievements/{achievement_id}/issue", name="admin_issue")
def issue_now(
    achievement_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    job_id = start_issue(
        container.uow(),
        container.signing,
        container.executor,
        principal,
        page_id(achievement_id, "achievement"),
    )
    return redirect(request, "admin_job", job_id=job_id)


@router.get("/jobs/{job_id}", name="admin_job")
def job_page(
    job_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    status = issue_status(container.uow(read_only=True), principal, page_id(job_id, "job"))
    return render(request, "job.html", {"s": status}, section=SECTION)


@router.get("/jobs/{job_id}/progress", name="admin_job_progress")
def job_progress(job_id: str, principal: StaffDep, container: ContainerDep) -> Response:
    """JSON for ``admin.js``'s poll: a signed-out browser gets a 401 problem, not the sign-in
    page's HTML."""
    status = issue_status(container.uow(read_only=True), principal, page_id(job_id, "job"))
    return JSONResponse(status.to_dict(), headers={"Cache-Control": "no-store"})
