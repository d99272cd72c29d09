"""Name corrections: a learner asks for the printed name to be fixed; an admin approves, which
re-issues the certificate with the new name (``certificates.reissue_certificate``), or declines
with a reason. The learner sees the outcome on their page; every step is in the audit log.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.corrections import CorrectionStatus, NameCorrection
from certmint.domain.messages import Message
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.certificates.lifecycle import list_certificates, reissue_certificate
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "approval_blocker",
    "approve_correction",
    "blocked_corrections",
    "decline_correction",
    "learner_corrections",
    "list_corrections",
    "request_name_correction",
]

MAX_NAME = 200
MAX_TEXT = 1_000
_DECIDED_MEANWHILE = Message("the request was decided by someone else meanwhile")
_ALREADY = {
    CorrectionStatus.APPROVED: Message("this request was already approved"),
    CorrectionStatus.DECLINED: Message("this request was already declined"),
}
_STATUS_WORDS = {
    CertificateStatus.REVOKED: Message("revoked"),
    CertificateStatus.SUPERSEDED: Message("superseded"),
}


def request_name_correction(
    uow: UnitOfWork,
    principal: Principal,
    certificate_id: UUID,
    *,
    requested_name: str,
    note: str = "",
) -> NameCorrection:
    """A learner asks for the name on one of their current certificates to be corrected.
    ``Conflict`` if the certificate is not active or a request for it is already open."""
    requested_by = authorization.own_user_id(principal, Action.REQUEST_CORRECTION)
    name = unicodedata.normalize("NFC", requested_name.strip())
    note = unicodedata.normalize("NFC", note.strip())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        problem = Message("name: 1 to %(most)s printable characters", most=MAX_NAME)
        raise InvalidInput([problem], "request rejected")
    if len(note) > MAX_TEXT:
        problem = Message("note: at most %(most)s characters", most=MAX_TEXT)
        raise InvalidInput([problem], "request rejected")
    now = datetime.now(UTC)
    with uow as tx:
        certificate = authorization.certificate_for(tx, principal, certificate_id)
        current_name = str(certificate.snapshot["values"]["recipient.name"])
        if certificate.status is not CertificateStatus.ACTIVE:
            raise Conflict(Message("only a current certificate can be corrected"))
        if name == current_name:
            problem = Message("name: that is the name already printed")
            raise InvalidInput([problem], "request rejected")
        if tx.corrections.pending_for(certificate.id) is not None:
            raise Conflict(
                Message("a correction of this certificate is already waiting for a decision")
            )
        correction = NameCorrection(
            id=uuid.uuid4(),
            organisation_id=principal.organisation_id,
            certificate_id=certificate.id,
            learner_id=certificate.learner_id,
            requested_by=requested_by,
            current_name=current_name,
            requested_name=name,
            note=note,
            status=CorrectionStatus.PENDING,
            created_at=now,
        )
        tx.corrections.add(correction)
        _record(tx, principal, correction, "correction.requested", at=now, details={"name": name})
        tx.commit()
    return correction


def learner_corrections(uow: UnitOfWork, principal: Principal) -> list[NameCorrection]:
    """The learner's own requests, newest first, with their outcomes."""
    learner_id = authorization.own_learner_id(principal)
    with uow as tx:
        return tx.corrections.of_learner(principal.organisation_id, learner_id)


def list_corrections(
    uow: UnitOfWork, principal: Principal, *, pending_only: bool = False, limit: int = 200
) -> list[NameCorrection]:
    """The organisation's requests for an admin, newest first."""
    _admin(principal)
    statuses = [CorrectionStatus.PENDING] if pending_only else list(CorrectionStatus)
    with uow as tx:
        return tx.corrections.list(principal.organisation_id, statuses, limit)


def approve_correction(
    uow: UnitOfWork, signing: Signing, principal: Principal, correction_id: UUID
) -> Certificate:
    """Re-issue the certificate with the requested name and record the approval, in one
    transaction; returns the new certificate (the learner is e-mailed about it like any
    re-issue). The name is the person's: the learner's record takes it, and every other active
    certificate of theirs that prints another name is re-issued with it too (each in its own
    transaction, after the approval). Every re-issue keeps its certificate's issue date.

    A certificate that is not active cannot be re-issued: ``Conflict`` says why and what to do,
    and the request stays pending (a suspended certificate may be reinstated, after which the
    approval works; for a revoked, expired or replaced one the admin declines with a reason).
    """
    correction = _pending(uow, principal, correction_id)
    with uow as tx:
        certificate = tx.certificates.get_for(principal.organisation_id, correction.certificate_id)
    if certificate is not None and (blocker := approval_blocker(certificate)) is not None:
        raise Conflict(blocker)

    def decide(uow: OpenUnitOfWork, new: Certificate) -> None:
        now = new.issued_at
        if not uow.corrections.decide(
            correction.id,
            status=CorrectionStatus.APPROVED.value,
            decided_at=now,
            decided_by=principal.actor,
            new_certificate_id=new.id,
        ):  # the re-issue rolls back with it
            raise Conflict(_DECIDED_MEANWHILE)
        _record(
            uow, principal, correction, "correction.approved", at=now, details={"new": str(new.id)}
        )

    new = reissue_certificate(
        uow,
        signing,
        principal,
        correction.certificate_id,
        reason=CORRECTION_REASON,
        name=correction.requested_name,
        keep_issue_date=True,
        then=decide,
    )
    _correct_the_others(uow, signing, principal, new)
    return new


CORRECTION_REASON = "name corrected at the learner's request"
# A person's active certificates in one organisation: a course provider's whole catalogue.
MAX_CERTIFICATES_PER_LEARNER = 1_000


def _correct_the_others(
    uow: UnitOfWork, signing: Signing, principal: Principal, new: Certificate
) -> None:
    """The learner's other active certificates that print another name, re-issued with the
    corrected one. One that cannot be (its learner left the batch meanwhile) keeps its name and
    its reason goes to the audit log; the approval stands."""
    name = new.snapshot["values"]["recipient.name"]
    others = list_certificates(
        uow,
        principal.organisation_id,
        learner_id=new.learner_id,
        statuses=[CertificateStatus.ACTIVE],
        limit=MAX_CERTIFICATES_PER_LEARNER,
    )
    for certificate in others:
        if certificate.snapshot.get("values", {}).get("recipient.name") == name:
            continue
        try:
            reissue_certificate(
                uow,
                signing,
                principal,
                certificate.id,
                reason=CORRECTION_REASON,
                name=name,
                keep_issue_date=True,
            )
        except (Conflict, Forbidden) as exc:
            with uow as tx:
                record(
                    tx,
                    organisation_id=principal.organisation_id,
                    actor=principal.actor,
                    action="correction.not_carried_over",
                    subject_type="certificate",
                    subject_id=certificate.id,
                    reason=str(exc),
                )
                tx.commit()


def approval_blocker(certificate: Certificate) -> Message | None:
    """Why a correction of this certificate cannot be approved now, or None if it can."""
    status = certificate.status
    if status is CertificateStatus.ACTIVE:
        return None
    if status is CertificateStatus.SUSPENDED:
        return Message(
            "the certificate is suspended, so it cannot be re-issued with the new name: "
            "reinstate it and approve again, or decline the request"
        )
    return Message(
        "the certificate is %(status)s, so it can no longer be re-issued: "
        "decline the request with a reason for the learner",
        status=_STATUS_WORDS.get(status, status.value),
    )


def blocked_corrections(
    uow: UnitOfWork, principal: Principal, corrections: list[NameCorrection]
) -> dict[UUID, CertificateStatus]:
    """For the pending requests that cannot be approved now: their certificate's status."""
    _admin(principal)
    blocked = {}
    with uow as tx:
        for correction in corrections:
            if correction.status is not CorrectionStatus.PENDING:
                continue
            certificate = tx.certificates.get_for(
                principal.organisation_id, correction.certificate_id
            )
            if certificate is not None and approval_blocker(certificate) is not None:
                blocked[correction.id] = certificate.status
    return blocked


def decline_correction(
    uow: UnitOfWork, principal: Principal, correction_id: UUID, *, reason: str
) -> None:
    """Decline with a reason the learner will read."""
    reason = unicodedata.normalize("NFC", reason.strip())
    if not reason or len(reason) > MAX_TEXT:
        problem = Message("reason: 1 to %(most)s characters", most=MAX_TEXT)
        raise InvalidInput([problem], "decision rejected")
    correction = _pending(uow, principal, correction_id)
    now = datetime.now(UTC)
    with uow as tx:
        if not tx.corrections.decide(
            correction.id,
            status=CorrectionStatus.DECLINED.value,
            decided_at=now,
            decided_by=principal.actor,
            decision_reason=reason,
        ):
            raise Conflict(_DECIDED_MEANWHILE)
        _record(
            tx, principal, correction, "correction.declined", at=now, details={"reason": reason}
        )
        tx.commit()


def _admin(principal: Principal) -> None:
    authorization.require(principal, Action.DECIDE_CORRECTIONS)


def _pending(uow: UnitOfWork, principal: Principal, correction_id: UUID) -> NameCorrection:
    _admin(principal)
    with uow as tx:
        correction = tx.corrections.get(principal.organisation_id, correction_id)
    if correction is None:
        raise NotFound("name correction", correction_id)
    if correction.status is not CorrectionStatus.PENDING:
        raise Conflict(_ALREADY[correction.status])
    return correction


def _record(
    uow: OpenUnitOfWork,
    principal: Principal,
    correction: NameCorrection,
    action: str,
    *,
    at: datetime,
    details: dict[str, object],
) -> None:
    record(
        uow,
        organisation_id=principal.organisation_id,
        actor=principal.actor,
        action=action,
        subject_type="certificate",
        subject_id=correction.certificate_id,
        details={"correction_id": str(correction.id), **details},
        at=at,
    )
