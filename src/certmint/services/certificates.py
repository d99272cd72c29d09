"""Certificates after issue: listing, re-issuing (a corrected name) and revoking.

Nothing is ever deleted. A re-issued certificate is *superseded*: its status bit is set and it
points to its replacement, which says which certificate it supersedes. A revoked certificate
keeps its reason, which verification shows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.status_lists import StatusPurpose
from certmint.services.audit import record
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.issuance import achievement_context, award
from certmint.services.signing import Signing
from certmint.services.webhooks import enqueue_certificate_events
from certmint.storage.certificates import CertificateFilter
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "get_certificate",
    "list_certificates",
    "reissue_certificate",
    "revoke_certificate",
]

MAX_REASON = 1_000


def _reason(reason: str) -> str:
    reason = unicodedata.normalize("NFC", reason.strip())
    if not reason:
        raise InvalidInput(["reason: say why (it is kept in the audit log)"], "reason required")
    if len(reason) > MAX_REASON:
        raise InvalidInput([f"reason: at most {MAX_REASON} characters"], "reason too long")
    return reason


def get_certificate(
    uow: SqlAlchemyUnitOfWork, organisation_id: UUID, certificate_id: UUID
) -> Certificate:
    with uow:
        found = uow.certificates.get_for(organisation_id, certificate_id)
    if found is None:
        raise NotFound("certificate", certificate_id)
    return found


def list_certificates(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    *,
    batch_id: UUID | None = None,
    learner_id: UUID | None = None,
    statuses: list[CertificateStatus] | None = None,
    limit: int = 100,
    after: UUID | None = None,
) -> list[Certificate]:
    with uow:
        achievement_ids = None
        if batch_id is not None:
            achievement_ids = [a.id for a in uow.achievements.for_batch(organisation_id, batch_id)]
        where = CertificateFilter(
            achievement_ids=achievement_ids, learner_id=learner_id, statuses=statuses
        )
        return uow.certificates.list(organisation_id, where, limit=limit, after=after)


def revoke_certificate(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    certificate_id: UUID,
    *,
    reason: str,
    actor: str,
    base_url: str,
) -> Certificate:
    """Revoke for good; the reason is shown to whoever verifies it. ``base_url`` makes the
    verification link in the ``certificate.revoked`` webhook."""
    reason = _reason(reason)
    now = datetime.now(UTC)
    with uow:
        certificate = uow.certificates.get_for(organisation_id, certificate_id)
        if certificate is None:
            raise NotFound("certificate", certificate_id)
        if certificate.status not in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED):
            raise Conflict(f"certificate {certificate_id} is {certificate.status}, not active")
        uow.certificates.set_status(
            certificate_id, CertificateStatus.REVOKED, reason=reason, at=now
        )
        uow.status_lists.touch([s.id for s in uow.status_lists.lists_of(certificate_id)], now)
        revoked = replace(
            certificate,
            status=CertificateStatus.REVOKED,
            status_reason=reason,
            status_changed_at=now,
        )
        enqueue_certificate_events(
            uow,
            organisation_id,
            "certificate.revoked",
            [revoked],
            base=base_url.rstrip("/"),
            now=now,
        )
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="certificate.revoked",
            subject_type="certificate",
            subject_id=certificate_id,
            reason=reason,
            at=now,
        )
        uow.commit()
    return revoked


def reissue_certificate(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    certificate_id: UUID,
    *,
    reason: str,
    actor: str,
    name: str | None = None,
    keep_issue_date: bool = False,
) -> Certificate:
    """A new certificate (new id, number and signature) replacing ``certificate_id``, with the
    learner's printed name corrected when ``name`` is given. The old one becomes superseded
    and points to the new one. ``keep_issue_date`` keeps the original validity start."""
    reason = _reason(reason)
    if name is not None:
        name = unicodedata.normalize("NFC", name.strip())
        if not name or not name.isprintable():
            raise InvalidInput(["name: must be printable text"], "name rejected")
    old = get_certificate(uow, organisation_id, certificate_id)
    ctx = achievement_context(uow, signing, organisation_id, old.achievement_id)
    now = datetime.now(UTC)
    with uow:
        current = uow.certificates.get_for(organisation_id, certificate_id)
        if current is None or current.status is not CertificateStatus.ACTIVE:
            raise Conflict(
                f"certificate {certificate_id} is not active: only active ones are re-issued"
            )
        learner = uow.roster.get_learner(organisation_id, current.learner_id)
        enrolment = uow.roster.enrolment_of(ctx.batch.id, current.learner_id)
        if learner is None or enrolment is None:
            raise Conflict("the learner is no longer enrolled in the batch")
        if name is not None and name != learner.name:
            uow.roster.rename_learner(learner.id, name)
            learner = replace(learner, name=name)
        # The old one steps aside first: "one current certificate" holds at every statement.
        uow.certificates.set_status(
            certificate_id, CertificateStatus.SUPERSEDED, reason=reason, at=now
        )
        (new,) = award(
            uow,
            ctx,
            signing,
            [(enrolment, learner)],
            now,
            supersedes=current.id,
            valid_from=current.valid_from if keep_issue_date else None,
        )
        uow.certificates.set_status(
            certificate_id,
            CertificateStatus.SUPERSEDED,
            reason=reason,
            at=now,
            superseded_by=new.id,
        )
        uow.status_lists.touch(
            [
                s.id
                for s in uow.status_lists.lists_of(certificate_id)
                if s.purpose is StatusPurpose.REVOCATION
            ],
            now,
        )
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="certificate.reissued",
            subject_type="certificate",
            subject_id=certificate_id,
            reason=reason,
            details={"new_certificate_id": str(new.id), "name": learner.name},
            at=now,
        )
        uow.commit()
    return new
