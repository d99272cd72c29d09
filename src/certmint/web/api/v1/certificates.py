"""Certificates after issue: search, read, download, re-issue (a corrected name), revoke,
suspend and reinstate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.ids import parse_url_id, url_id
from certmint.services.authorization import certificate_for, load, managed_course_ids
from certmint.services.certificates.documents import FORMATS, DocumentFormat
from certmint.services.certificates.lifecycle import (
    list_certificates,
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.errors import InvalidInput
from certmint.services.links import Links
from certmint.services.verification.verify import PRINTED_FIELDS
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["CertificateOut", "router"]

router = APIRouter(tags=["certificates"])

Status = Literal["active", "suspended", "revoked", "superseded"]
FilterId = Annotated[str | None, Query(max_length=64, examples=[ID_EXAMPLE])]


class CertificateOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    number: str = Field(description="The printed number.", examples=["2026-7K3QX-9P2MB"])
    status: Status
    achievement_id: str = Field(examples=[ID_EXAMPLE])
    learner_id: str = Field(examples=[ID_EXAMPLE])
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    printed: dict[str, str] = Field(
        description="What the certificate prints.",
        examples=[{"recipient.name": "Asha Rao", "course.name": "Data Science"}],
    )
    supersedes: str | None = Field(description="The certificate this one replaced.")
    superseded_by: str | None = Field(description="The certificate that replaced this one.")
    status_reason: str | None = Field(description="Why it was revoked, suspended or replaced.")
    status_changed_at: datetime | None
    verification_url: str = Field(
        description="The public page its QR code opens.",
        examples=[f"https://certs.example.org/v/{ID_EXAMPLE}"],
    )

    @classmethod
    def of(cls, certificate: Certificate, links: Links) -> CertificateOut:
        values = certificate.snapshot.get("values", {})
        return cls(
            id=url_id(certificate.id),
            number=certificate.number,
            status=certificate.status.value,
            achievement_id=url_id(certificate.achievement_id),
            learner_id=url_id(certificate.learner_id),
            issued_at=certificate.issued_at,
            valid_from=certificate.valid_from,
            valid_until=certificate.valid_until,
            printed={k: values[k] for k in PRINTED_FIELDS if values.get(k)},
            supersedes=url_id(certificate.supersedes_id) if certificate.supersedes_id else None,
            superseded_by=url_id(certificate.superseded_by_id)
            if certificate.superseded_by_id
            else None,
            status_reason=certificate.status_reason,
            status_changed_at=certificate.status_changed_at,
            verification_url=links.verification(certificate.id),
        )


class ReissueIn(BaseModel):
    reason: str = Field(max_length=1_000, examples=["name misspelt"])
    name: str | None = Field(
        default=None, max_length=500, description="The corrected name to print."
    )
    keep_issue_date: bool = Field(default=False, description="Keep the original issue date.")


class RevokeIn(BaseModel):
    reason: str = Field(
        max_length=1_000, description="Shown to whoever verifies it.", examples=["issued in error"]
    )
    note: str | None = Field(
        default=None,
        max_length=2_000,
        description="An internal note: kept in the audit log, never shown to verifiers.",
        examples=["ticket #4411: exam board decision of 3 May"],
    )


@dataclass
class CertificateSearch:
    """The listing's filters; every one given must match."""

    batch_id: FilterId = None
    achievement_id: FilterId = None
    learner_id: FilterId = None
    status: Annotated[list[Status] | None, Query(max_length=4)] = None
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Search: the number, or part of the learner's name or e-mail address.",
            examples=["2026-7K3QX", "asha"],
        ),
    ] = None


class SuspendIn(BaseModel):
    reason: str = Field(
        max_length=1_000,
        description="Shown to whoever verifies it while it is suspended.",
        examples=["under review"],
    )
    note: str | None = Field(
        default=None,
        max_length=2_000,
        description="An internal note: kept in the audit log, never shown to verifiers.",
        examples=["ticket #4411: exam board decision of 3 May"],
    )


class ReinstateIn(BaseModel):
    reason: str | None = Field(
        default=None, max_length=1_000, description="Kept in the audit log only."
    )


def _filter_id(name: str, value: str | None) -> UUID | None:
    if value is None:
        return None
    found = parse_url_id(value)
    if found is None:
        raise InvalidInput([f"{name}: not an id"], "bad filter")
    return found


@router.get(
    "/certificates",
    response_model=Page[CertificateOut],
    summary="Search certificates",
    description="Every filter given must match. A course manager sees their courses' "
    "certificates only.",
    responses=problems(401, 403, 422),
)
def certificates(
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
    search: Annotated[CertificateSearch, Depends()],
) -> Page[CertificateOut]:
    rows = list_certificates(
        container.uow(),
        principal.organisation_id,
        batch_id=_filter_id("batch_id", search.batch_id),
        achievement_id=_filter_id("achievement_id", search.achievement_id),
        learner_id=_filter_id("learner_id", search.learner_id),
        statuses=[CertificateStatus(s) for s in search.status] if search.status else None,
        text=search.q,
        course_ids=managed_course_ids(principal),
        after=paging.after_uuid,
        limit=paging.fetch,
    )
    return page_of(
        request, rows, paging, lambda c: c.id, lambda c: CertificateOut.of(c, container.links)
    )


def _scoped(certificate_id: str, principal: Principal, container: ContainerDep) -> Certificate:
    return load(
        container.uow(), certificate_for, principal, parse_id("certificate", certificate_id)
    )


@router.get(
    "/certificates/{certificate_id}",
    response_model=CertificateOut,
    summary="Get a certificate",
    responses=problems(401, 403, 404, 422),
)
def certificate(
    certificate_id: IdPath, principal: StaffDep, container: ContainerDep
) -> CertificateOut:
    return CertificateOut.of(_scoped(certificate_id, principal, container), container.links)


@router.get(
    "/certificates/{certificate_id}/download",
    summary="Download a certificate",
    description="`pdf` (with the signed credential attached), `png`, `svg`, or `ob3`: the "
    "signed Open Badges 3.0 credential as JSON.",
    response_class=Response,
    responses={
        200: {
            "description": "The file.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media, _suffix in FORMATS.values()
            },
        },
        **problems(401, 403, 404, 422),
    },
)
def download(
    certificate_id: IdPath,
    principal: StaffDep,
    container: ContainerDep,
    format: Annotated[DocumentFormat, Query()] = DocumentFormat.PDF,
) -> Response:
    found = _scoped(certificate_id, principal, container)
    document = container.documents.document(
        container.uow(), found.id, format, organisation_id=principal.organisation_id
    )
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/certificates/{certificate_id}/reissue",
    status_code=201,
    response_model=CertificateOut,
    summary="Re-issue a certificate",
    description="A new certificate (new id, number and signature) replaces this one, with the "
    "learner's name corrected when `name` is given; the old one becomes superseded and its "
    "page links to the new one. Only active certificates are re-issued (else 409). A course "
    "manager corrects the name only of a learner enrolled in their courses alone (else 403).",
    responses=problems(401, 403, 404, 409, 422),
)
def reissue(
    certificate_id: IdPath, body: ReissueIn, principal: StaffDep, container: ContainerDep
) -> CertificateOut:
    new = reissue_certificate(
        container.uow(),
        container.signing,
        principal,
        parse_id("certificate", certificate_id),
        reason=body.reason,
        name=body.name,
        keep_issue_date=body.keep_issue_date,
    )
    return CertificateOut.of(new, container.links)


@router.post(
    "/certificates/{certificate_id}/revoke",
    response_model=CertificateOut,
    summary="Revoke a certificate",
    description="For good; the reason is shown on its verification page. Revoking a "
    "certificate that is not active is a 409.",
    responses=problems(401, 403, 404, 409, 422),
)
def revoke(
    certificate_id: IdPath, body: RevokeIn, principal: StaffDep, container: ContainerDep
) -> CertificateOut:
    return _change_status(
        revoke_certificate, certificate_id, body.reason, principal, container, note=body.note
    )


@router.post(
    "/certificates/{certificate_id}/suspend",
    response_model=CertificateOut,
    summary="Suspend a certificate",
    description="Until it is reinstated, verification says *suspended* with the reason. Only "
    "an active certificate is suspended (else 409).",
    responses=problems(401, 403, 404, 409, 422),
)
def suspend(
    certificate_id: IdPath, body: SuspendIn, principal: StaffDep, container: ContainerDep
) -> CertificateOut:
    return _change_status(
        suspend_certificate, certificate_id, body.reason, principal, container, note=body.note
    )


@router.post(
    "/certificates/{certificate_id}/reinstate",
    response_model=CertificateOut,
    summary="Reinstate a suspended certificate",
    description="It verifies as valid again. Only a suspended certificate is reinstated (else "
    "409).",
    responses=problems(401, 403, 404, 409, 422),
)
def reinstate(
    certificate_id: IdPath, body: ReinstateIn, principal: StaffDep, container: ContainerDep
) -> CertificateOut:
    return _change_status(reinstate_certificate, certificate_id, body.reason, principal, container)


def _change_status(
    change: Callable[..., Certificate],
    certificate_id: str,
    reason: str | None,
    principal: Principal,
    container: ContainerDep,
    **note: str | None,
) -> CertificateOut:
    """Revoke, suspend and reinstate differ only in the service that changes the status (and
    whether it takes an internal ``note``); each checks the certificate is the principal's."""
    changed = change(
        container.uow(),
        principal,
        parse_id("certificate", certificate_id),
        reason=reason,
        signing=container.signing,
        **note,
    )
    return CertificateOut.of(changed, container.links)
