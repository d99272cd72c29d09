"""Verification for anyone, no token needed: a credential's JSON, an uploaded file (a
certificate PDF, a picture of its QR code), or a certificate by id; each gets the ordered step
report (format, signature, issuer key, status, validity dates).

Nothing is fetched from the network: this instance's DID documents and status lists are
resolved locally, so another issuer's credential fails its issuer-key step here (``certmint
verify`` can fetch). Reports hold only what the credential itself says.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel, Field

from certmint.credentials import VerificationReport
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.verification.verify import (
    CertificateVerification,
    FileVerification,
    Instance,
    Verdict,
    verify_certificate,
    verify_file,
)
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath
from certmint.web.deps import ContainerDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["verification"])

MAX_UPLOAD = 2_000_000


class Check(BaseModel):
    name: Literal["format", "signature", "issuer_key", "status", "validity"]
    outcome: Literal["passed", "failed", "skipped", "not_applicable"]
    detail: str = Field(examples=["Ed25519 signature verified (eddsa-rdfc-2022)"])


class CertificateResult(BaseModel):
    """What a certificate of this instance shows publicly: only what it prints."""

    verdict: Verdict
    certificate_id: str | None = Field(examples=[ID_EXAMPLE])
    printed: dict[str, str] = Field(examples=[{"recipient.name": "Asha Rao"}])
    signatories: list[dict[str, str]]
    status_reason: str | None
    status_changed_at: str | None
    superseded_by: str | None
    supersedes: str | None


class VerificationOut(BaseModel):
    verified: bool = Field(description="True only when no step failed or was skipped.")
    source: str = Field(
        description="What was checked: credential, pdf attachment, baked png, baked svg, qr code, "
        "certificate.",
        examples=["pdf attachment"],
    )
    checks: list[Check] = Field(description="The steps in order; empty if nothing was readable.")
    certificate: CertificateResult | None = Field(
        default=None, description="For a certificate of this instance: its verdict."
    )
    problem: str | None = Field(default=None, description="Why the input could not be read.")


class CredentialIn(BaseModel):
    credential: dict[str, Any] = Field(description="A signed credential (VC 2.0 / OB 3.0).")


def _checks(report: VerificationReport | None) -> list[Check]:
    if report is None:
        return []
    return [
        Check(name=c.name, outcome=c.outcome.value, detail=str(c.detail))  # type: ignore[arg-type]
        for c in report.checks
    ]


def _certificate(result: CertificateVerification) -> VerificationOut:
    summary = {k: v for k, v in result.to_dict().items() if k != "report"}
    return VerificationOut(
        verified=result.verdict == "valid",
        source="certificate",
        checks=_checks(result.report),
        certificate=CertificateResult(**summary),
    )


def _file(result: FileVerification) -> VerificationOut:
    if result.certificate is not None:
        return _certificate(result.certificate).model_copy(update={"source": result.source})
    return VerificationOut(
        verified=result.verified,
        source=result.source or "unreadable",
        checks=_checks(result.report),
        problem=str(result.problem) if result.problem else None,
    )


def _verify_bytes(data: bytes, container: ContainerDep) -> VerificationOut:
    result = verify_file(
        data,
        loader=container.signing.loader,
        instance=Instance(container.uow(), container.signing),
    )
    return _file(result)


@router.post(
    "/verifications",
    response_model=VerificationOut,
    summary="Verify a credential",
    description="Send the credential's JSON; the answer is the step report. A credential "
    "that fails verification is still a 200 with `verified: false`.",
    responses=problems(422),
)
def verify_credential(body: CredentialIn, container: ContainerDep) -> VerificationOut:
    data = json.dumps(body.credential).encode("utf-8")
    if len(data) > MAX_UPLOAD:
        raise InvalidInput([f"credential: at most {MAX_UPLOAD} bytes"], "too large")
    return _verify_bytes(data, container)


@router.post(
    "/verifications/file",
    response_model=VerificationOut,
    summary="Verify a certificate PDF or image",
    description="Upload (multipart, field `file`) a certificate PDF (its attached credential "
    "is checked), its PNG or SVG (the baked credential is checked), a picture or scan of its QR "
    "code, or a credential JSON file.",
    responses=problems(422),
)
def verify_upload(file: UploadFile, container: ContainerDep) -> VerificationOut:
    data = file.file.read(MAX_UPLOAD + 1)  # a sync handler: verifying is CPU work
    if len(data) > MAX_UPLOAD:
        raise InvalidInput([f"file: at most {MAX_UPLOAD} bytes"], "too large")
    return _verify_bytes(data, container)


@router.get(
    "/verifications/{certificate_id}",
    response_model=VerificationOut,
    summary="Verify a certificate by id",
    description="What the certificate's QR page says, as JSON. An unknown id is a 404.",
    responses=problems(404, 422),
)
def verify_by_id(certificate_id: IdPath, container: ContainerDep) -> VerificationOut:
    result = verify_certificate(container.uow(), container.signing, certificate_id)
    if result.verdict == "not_found":
        raise NotFound("certificate", certificate_id)
    return _certificate(result)
