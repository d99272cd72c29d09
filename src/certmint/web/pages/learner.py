"""A learner's own pages: "My certificates" (from every organisation where the learner's
account is theirs, grouped by issuer; view, download, wallet, LinkedIn, share link),
one certificate with its name-correction request, and the public profile switch.

Every page needs a signed-in learner account (``PageLearnerDep``); a certificate id is looked
up only among the learner's own (someone else's is a 404)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certmint.domain.ids import parse_url_id
from certmint.services.certificates.corrections import learner_corrections, request_name_correction
from certmint.services.certificates.profiles import profile_token, set_public_profile
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.read_models.learner_certificates import (
    learner_certificate,
    learning_profile,
)
from certmint.web.deps import ContainerDep, PageLearnerDep

__all__ = ["router"]

router = APIRouter(tags=["pages"], include_in_schema=False)


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, name, context, status_code=status, headers={"Cache-Control": "no-store"}
    )


def _certificate_id(reference: str) -> UUID:
    certificate_id = parse_url_id(reference)
    if certificate_id is None:
        raise NotFound("certificate", reference)
    return certificate_id


@router.get("/me", name="my_certificates", response_class=HTMLResponse)
def my_certificates(
    request: Request, container: ContainerDep, principal: PageLearnerDep
) -> Response:
    issuers = learning_profile(container.uow(), principal, links=container.links)
    token = profile_token(container.uow(), principal)
    return _render(
        request,
        "me.html",
        {
            "issuers": issuers,
            "corrections": learner_corrections(container.uow(), principal),
            "profile_url": container.links.profile(token) if token else None,
        },
    )


@router.get("/me/certificates/{reference}", name="my_certificate", response_class=HTMLResponse)
def my_certificate(
    request: Request, reference: str, container: ContainerDep, principal: PageLearnerDep
) -> Response:
    return _certificate_page(request, container, principal, reference)


def _certificate_page(
    request: Request,
    container: ContainerDep,
    principal: PageLearnerDep,
    reference: str,
    *,
    status: int = 200,
    **values: Any,
) -> Response:
    certificate = learner_certificate(
        container.uow(),
        principal,
        _certificate_id(reference),
        links=container.links,
    )
    corrections = [
        c
        for c in learner_corrections(container.uow(), principal)
        if c.certificate_id == certificate.id
    ]
    context = {"certificate": certificate, "corrections": corrections, "error": "", **values}
    return _render(request, "me_certificate.html", context, status)


@router.post("/me/certificates/{reference}/correction", name="request_correction")
def request_correction(
    request: Request,
    reference: str,
    container: ContainerDep,
    principal: PageLearnerDep,
    *,
    name: Annotated[str, Form(max_length=500)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        request_name_correction(
            container.uow(), principal, _certificate_id(reference), requested_name=name, note=note
        )
    except (InvalidInput, Conflict) as exc:
        error = exc.said if isinstance(exc, InvalidInput) else exc.detail
        return _certificate_page(
            request, container, principal, reference, status=422, error=error, name=name
        )
    return RedirectResponse(
        request.url_for("my_certificate", reference=reference).path, status_code=303
    )


@router.post("/me/profile", name="my_profile")
def my_profile(
    container: ContainerDep,
    principal: PageLearnerDep,
    *,
    public: Annotated[bool, Form()] = False,
) -> Response:
    set_public_profile(container.uow(), principal, enabled=public)
    return RedirectResponse("/me#profile", status_code=303)
