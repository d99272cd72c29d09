"""Status list credentials, where verifiers fetch them (W3C Bitstring Status List v1.0)."""

from __future__ import annotations

from email.utils import format_datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from certmint.services.links import STATUS_LIST_PATH
from certmint.services.verification.status_lists import serve_status_list
from certmint.web.bounds import bounded
from certmint.web.deps import ContainerDep

__all__ = ["router"]

router = APIRouter(tags=["status lists"])

# Revocation should reach verifiers within minutes; the list changes only when a bit does.
CACHE_CONTROL = "public, max-age=300"
VC_MEDIA_TYPE = "application/vc+ld+json"


@router.get(
    STATUS_LIST_PATH,
    summary="A signed BitstringStatusListCredential",
    response_class=JSONResponse,
)
def status_list(
    slug: str, purpose: str, sequence: int, request: Request, container: ContainerDep
) -> Response:
    bounded(sequence, "status list", low=1)  # a number past the column's range leads nowhere
    served = serve_status_list(container.uow(), slug, purpose, sequence)
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": served.etag,
        "Last-Modified": format_datetime(served.last_modified, usegmt=True),
    }
    if request.headers.get("if-none-match") == served.etag:
        return Response(status_code=304, headers=headers)
    return JSONResponse(served.credential, media_type=VC_MEDIA_TYPE, headers=headers)
