"""W3C CCG VC-API endpoints (https://w3c-ccg.github.io/vc-api/): issue, and verify.

Issuing needs an admin API token of the organisation whose key signs. Verifying is public,
like the verification page, and bounded: no network fetches, limited document size, a work
budget per request, a cap on a presentation's credentials, and a per-client rate limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from certmint.services.verification.vc_api import (
    issue_credential,
    verify_credential_api,
    verify_presentation_api,
)
from certmint.web.deps import AdminDep, ContainerDep
from certmint.web.rate_limit import rate_limited

__all__ = ["router"]

# Limited per client like the verification pages (and from the same bucket): verifying is
# public and costs CPU, issuing costs a signature and an audit row.
router = APIRouter(prefix="/vc-api", tags=["VC-API"], dependencies=[Depends(rate_limited)])


class IssueRequest(BaseModel):
    credential: dict[str, Any] = Field(description="An unsecured VC 2.0 (or 1.1) credential.")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description='Optional: {"cryptosuite": "eddsa-rdfc-2022" | "eddsa-jcs-2022"}',
    )


class VerifyCredentialRequest(BaseModel):
    verifiableCredential: dict[str, Any]  # noqa: N815 - the VC-API's field name
    options: dict[str, Any] = Field(default_factory=dict)


class VerifyPresentationRequest(BaseModel):
    verifiablePresentation: dict[str, Any]  # noqa: N815 - the VC-API's field name
    options: dict[str, Any] = Field(
        default_factory=dict, description='Optional: {"challenge": ..., "domain": ...}'
    )


@router.post("/credentials/issue", status_code=201, summary="Sign a credential")
def issue(body: IssueRequest, principal: AdminDep, container: ContainerDep) -> JSONResponse:
    signed = issue_credential(
        container.uow(),
        container.signing,
        principal.organisation_id,
        body.credential,
        body.options,
        actor=principal.actor,
    )
    return JSONResponse({"verifiableCredential": signed}, status_code=201)


@router.post("/credentials/verify", summary="Verify a credential")
def verify_credential(body: VerifyCredentialRequest, container: ContainerDep) -> JSONResponse:
    result = verify_credential_api(container.uow(), container.signing, body.verifiableCredential)
    return JSONResponse(result.to_dict(), status_code=200 if result.verified else 400)


@router.post("/presentations/verify", summary="Verify a presentation and its credentials")
def verify_presentation(body: VerifyPresentationRequest, container: ContainerDep) -> JSONResponse:
    result = verify_presentation_api(
        container.uow(), container.signing, body.verifiablePresentation, body.options
    )
    return JSONResponse(result.to_dict(), status_code=200 if result.verified else 400)
