"""``GET /api/v1/me``: who the caller is, as the server sees it (a token or a signed-in user)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel

from certmint.domain.accounts import Role
from certmint.web.deps import PrincipalDep

__all__ = ["router"]

router = APIRouter(tags=["accounts"])


class Me(BaseModel):
    organisation_id: UUID
    role: Role
    user_id: UUID | None
    token_id: UUID | None
    learner_id: UUID | None
    course_ids: list[UUID] | None  # None: every course of the organisation
    # The instance's operator grant (``/api/v1/organisations``), held on top of ``role``.
    operator: bool
    # A signed-in browser's token for unsafe requests (header X-CSRF-Token); None for tokens.
    csrf_token: str | None


@router.get("/me", response_model=Me, summary="Who is calling (role and scope)")
def me(request: Request, principal: PrincipalDep) -> Me:
    return Me(
        organisation_id=principal.organisation_id,
        role=principal.role,
        user_id=principal.user_id,
        token_id=principal.token_id,
        learner_id=principal.learner_id,
        course_ids=_listed(principal.course_ids),
        operator=principal.operator,
        csrf_token=getattr(request.state, "csrf_token", None),
    )


def _listed(ids: frozenset[UUID] | None) -> list[UUID] | None:
    """The scope as the answer lists it: sorted, or None for every course."""
    return None if ids is None else sorted(ids)
