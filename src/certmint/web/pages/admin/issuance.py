""" "Issue now" and the job page with its live progress bar.

Without JavaScript the job page refreshes itself (``<meta http-equiv="refresh">`` inside
``<noscript>``) while the job runs; with it, ``admin.js`` polls the small JSON progress
endpoint and moves the bar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from certmint.config import Settings
from certmint.services.issuance.awards import QueueChunks
from certmint.services.issuance.issue_now import issue_status, start_issue
from certmint.web.deps import ContainerDep, PageStaffDep, StaffDep
from certmint.web.pages.admin.common import FormDep, page_id, redirect, render

__all__ = ["broker_queue", "router", "run_in_thread"]

router = APIRouter()
SECTION = "admin_dashboard"


def run_in_thread(work: Callable[[], object]) -> None:
    """The in-process executor: the job survives the request that started it; if the process
    dies, running "Issue now" again resumes the unfinished job."""
    threading.Thread(target=work, name="certmint-issue", daemon=True).start()


def broker_queue(settings: Settings) -> QueueChunks | None:
    """With ``CERTMINT_BROKER_URL``, jobs started here are queued for ``certmint worker``
    processes (as ``certmint issue`` queues them) instead of running in the web process."""
    if not settings.broker_url:
        return None
    from certmint.jobs import chunk_queue  # noqa: PLC0415 - Celery is optional

    return chunk_queue(settings)


@router.post("/achievements/{achievement_id}/issue", name="admin_issue")
def issue_now(
    achievement_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    job = start_issue(
        container.uow,
        container.signing,
        principal,
        page_id(achievement_id, "achievement"),
        run=request.app.state.run_in_background,
        queue=request.app.state.queue_chunks,
    )
    return redirect(request, "admin_job", job_id=job.id)


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
