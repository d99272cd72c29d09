"""A learner's public profile (``/p/<token>``): opt-in, unguessable, only what is printed on
their current certificates. No sign-in needed; an unknown or withdrawn token is a 404."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from certmint.services.certificates.profiles import public_profile
from certmint.services.errors import NotFound
from certmint.services.links import PROFILE_PATH
from certmint.web.deps import ContainerDep

__all__ = ["router"]

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get(PROFILE_PATH, name="public_profile", response_class=HTMLResponse)
def profile_page(request: Request, token: str, container: ContainerDep) -> Response:
    templates = request.app.state.templates
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    try:
        profile = public_profile(container.uow(), token, links=container.links)
    except NotFound:
        return templates.TemplateResponse(  # type: ignore[no-any-return]
            request, "profile.html", {"profile": None}, status_code=404, headers=headers
        )
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "profile.html", {"profile": profile}, headers=headers
    )
