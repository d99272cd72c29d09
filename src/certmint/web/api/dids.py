"""DID documents, where did:web resolvers look for them (https://w3c-ccg.github.io/did-method-web/),
and the organisation's logo beside them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from certmint.services.issuers.keys import did_document_for
from certmint.services.issuers.organisations import organisation_logo
from certmint.services.links import DEFAULT_DID_PATH, DID_PATH
from certmint.web.deps import ContainerDep

__all__ = ["router"]

router = APIRouter(tags=["identity"])

# Keys change rarely (rotation) and verifiers fetch this for every credential they check.
CACHE_CONTROL = "public, max-age=300"
DID_JSON = "application/did+json"


def _did_response(document: dict[str, Any]) -> JSONResponse:
    return JSONResponse(document, media_type=DID_JSON, headers={"Cache-Control": CACHE_CONTROL})


@router.get(DEFAULT_DID_PATH, summary="DID document of the default organisation")
def default_did_document(container: ContainerDep) -> JSONResponse:
    return _did_response(did_document_for(container.uow(), container.links, None))


@router.get(DID_PATH, summary="DID document of an organisation")
def organisation_did_document(slug: str, container: ContainerDep) -> JSONResponse:
    return _did_response(did_document_for(container.uow(), container.links, slug))


@router.get(
    "/orgs/{slug}/logo",
    summary="An organisation's logo",
    description="The PNG or JPEG the operator gave it, shown above its certificates on "
    "verification pages and public profiles.",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}},
)
def organisation_logo_image(slug: str, container: ContainerDep) -> Response:
    image, media_type = organisation_logo(container.uow(), slug)
    return Response(image, media_type=media_type, headers={"Cache-Control": CACHE_CONTROL})
