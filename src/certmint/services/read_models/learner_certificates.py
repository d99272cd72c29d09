"""A signed-in learner's own certificates ("My certificates"), with what sharing them needs.

Everything here is for a learner principal and only about their own learner records: another
learner's certificate id is ``NotFound`` (``services.authorization``). One person's learning
profile spans organisations: ``learning_profile`` lists, grouped by issuer, the certificates of
every learner account that is theirs (``authorization.own_learner_records``). What is shown
comes from each certificate's frozen snapshot, exactly as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.ids import url_id
from certmint.domain.organisations import Organisation
from certmint.domain.sharing import linkedin_add_to_profile_url
from certmint.services import authorization
from certmint.services.links import Links
from certmint.services.unit_of_work import UnitOfWork
from certmint.storage.certificates import CertificateFilter

__all__ = [
    "IssuerCertificates",
    "LearnerCertificate",
    "learner_certificate",
    "learner_certificates",
    "learning_profile",
]

# Printed fields a learner's page shows (the snapshot's placeholder names).
PRINTED = (
    "recipient.name",
    "achievement.name",
    "course.name",
    "batch.name",
    "issuer.name",
    "issued_on",
    "valid_until",
    "certificate.number",
)
MAX_CERTIFICATES = 1_000  # far beyond what one learner holds; the page lists them all


@dataclass(frozen=True, slots=True)
class LearnerCertificate:
    id: UUID
    reference: str  # the short id in /v/<reference> URLs
    status: CertificateStatus
    printed: dict[str, str]
    issued_at: datetime
    issued_on: date  # the day it says it was issued (a re-issue that keeps the date keeps it)
    valid_until: datetime | None
    verification_url: str  # the share link (what the QR code holds)
    linkedin_url: str
    current_reference: str | None  # a superseded certificate: the one that replaces it now

    @property
    def expired(self) -> bool:
        return self.valid_until is not None and self.valid_until <= datetime.now(UTC)


def learner_certificates(
    uow: UnitOfWork, principal: Principal, *, links: Links
) -> list[LearnerCertificate]:
    """Every certificate of the principal's learner record, newest first."""
    learner_id = authorization.own_learner_id(principal)
    with uow as tx:
        mine = tx.certificates.list(
            principal.organisation_id,
            CertificateFilter(learner_id=learner_id),
            limit=MAX_CERTIFICATES,
        )
    by_id = {c.id: c for c in mine}
    shown = [_view(c, by_id, links) for c in mine]
    return sorted(shown, key=lambda c: c.issued_at, reverse=True)


@dataclass(frozen=True, slots=True)
class IssuerCertificates:
    """One organisation's certificates in a learner's list. ``acting``: the organisation the
    session acts in, whose certificates have pages of their own here (corrections, sharing);
    the others open on their verification pages."""

    organisation: Organisation
    certificates: tuple[LearnerCertificate, ...]
    acting: bool


def learning_profile(
    uow: UnitOfWork, principal: Principal, *, links: Links
) -> list[IssuerCertificates]:
    """Every certificate of the principal's learner records in every organisation, grouped by
    issuer (the acting organisation first), newest first in each; issuers with none left out."""
    with uow as tx:
        records = authorization.own_learner_records(tx, principal)
        found = [
            (
                organisation,
                tx.certificates.list(
                    organisation.id,
                    CertificateFilter(learner_id=learner_id),
                    limit=MAX_CERTIFICATES,
                ),
            )
            for organisation, learner_id in records
        ]
    groups = []
    for organisation, certificates in found:
        by_id = {c.id: c for c in certificates}
        shown = sorted(
            (_view(c, by_id, links) for c in certificates),
            key=lambda c: c.issued_at,
            reverse=True,
        )
        if shown:
            acting = organisation.id == principal.organisation_id
            groups.append(IssuerCertificates(organisation, tuple(shown), acting))
    return groups


def learner_certificate(
    uow: UnitOfWork, principal: Principal, certificate_id: UUID, *, links: Links
) -> LearnerCertificate:
    """One of the principal's certificates; ``NotFound`` for anyone else's."""
    learner_id = authorization.own_learner_id(principal)
    with uow as tx:
        certificate = authorization.certificate_for(tx, principal, certificate_id)
        mine = tx.certificates.list(
            principal.organisation_id,
            CertificateFilter(learner_id=learner_id),
            limit=MAX_CERTIFICATES,
        )
    return _view(certificate, {c.id: c for c in mine}, links)


def _view(
    certificate: Certificate, by_id: dict[UUID, Certificate], links: Links
) -> LearnerCertificate:
    values = certificate.snapshot["values"]
    printed = {key: str(values.get(key, "")) for key in PRINTED}
    link = links.verification(certificate.id)
    current = certificate
    while current.superseded_by_id is not None and current.superseded_by_id in by_id:
        current = by_id[current.superseded_by_id]
    return LearnerCertificate(
        id=certificate.id,
        reference=url_id(certificate.id),
        status=certificate.status,
        printed=printed,
        issued_at=certificate.issued_at,
        issued_on=certificate.valid_from.date(),
        valid_until=certificate.valid_until,
        verification_url=link,
        linkedin_url=linkedin_add_to_profile_url(
            name=printed["achievement.name"],
            organisation=printed["issuer.name"],
            issued_on=certificate.valid_from.date(),
            certificate_url=link,
            certificate_id=certificate.number,
        ),
        current_reference=url_id(current.id) if current is not certificate else None,
    )
