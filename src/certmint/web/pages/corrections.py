"""Name-correction requests for an admin (``/admin/corrections``): approve (re-issues the
certificate with the new name) or decline with a reason the learner will read."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certmint.domain.messages import Said
from certmint.services.certificates.corrections import (
    approve_correction,
    blocked_corrections,
    decline_correction,
    list_corrections,
)
from certmint.services.errors import Conflict, InvalidInput
from certmint.web.deps import ContainerDep, PageAdminDep

__all__ = ["router"]

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(
    request: Request,
    container: ContainerDep,
    principal: PageAdminDep,
    *,
    error: Said | str = "",
    status: int = 200,
) -> Response:
    corrections = list_corrections(container.uow(), principal)
    blocked = blocked_corrections(container.uow(), principal, corrections)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "corrections.html",
        {
            "pending": [c for c in corrections if c.status == "pending"],
            "decided": [c for c in corrections if c.status != "pending"],
            "blocked": blocked,
            "error": error,
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/admin/corrections", name="corrections", response_class=HTMLResponse)
def corrections_page(
    request: Request, container: ContainerDep, principal: PageAdminDep
) -> Response:
    return _page(request, container, principal)


@router.post("/admin/corrections/{correction_id}/approve", name="approve_correction")
def approve(
    request: Request, correction_id: UUID, container: ContainerDep, principal: PageAdminDep
) -> Response:
    try:
        approve_correction(container.uow(), container.signing, principal, correction_id)
    except Conflict as exc:
        return _page(request, container, principal, error=exc.detail, status=409)
    return RedirectResponse("/admin/corrections", status_code=303)


@router.post("/admin/corrections/{correction_id}/decline", name="decline_correction")
def decline(
    request: Request,
    correction_id: UUID,
    container: ContainerDep,
    principal: PageAdminDep,
    *,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        decline_correction(container.uow(), principal, correction_id, reason=reason)
    except (Conflict, InvalidInput) as exc:
        error = exc.said if isinstance(exc, InvalidInput) else exc.detail
        return _page(request, container, principal, error=error, status=422)
    return RedirectResponse("/admin/corrections", status_code=303)
