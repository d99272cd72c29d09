"""DID documents, where did:web resolvers look for them (https://w3c-ccg.github.io/did-method-web/)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from certmint.services.issuers.keys import did_document_for
from certmint.web.deps import ContainerDep

__all__ = ["router"]

router = APIRouter(tags=["identity"])

# Keys change rarely (rotation) and verifiers fetch this for every credential they check.
CACHE_CONTROL = "public, max-age=300"
DID_JSON = "application/did+json"


def _did_response(document: dict[str, Any]) -> JSONResponse:
    return JSONResponse(document, media_type=DID_JSON, headers={"Cache-Control": CACHE_CONTROL})


@router.get("/.well-known/did.json", summary="DID document of the default organisation")
def default_did_document(container: ContainerDep) -> JSONResponse:
    return _did_response(did_document_for(container.uow(), container.settings.base_url, None))


@router.get("/orgs/{slug}/did.json", summary="DID document of an organisation")
def organisation_did_document(slug: str, container: ContainerDep) -> JSONResponse:
    return _did_response(did_document_for(container.uow(), container.settings.base_url, slug))
