"""Certificates after issue: listing, re-issuing (a corrected name), revoking, suspending
and reinstating.

Nothing is ever deleted. A re-issued certificate is *superseded*: its status bit is set and it
points to its replacement, which says which certificate it supersedes. A revoked certificate
keeps its reason, which verification shows; revocation is final. A suspended certificate shows
its reason too, until it is reinstated. Each change sets or clears status-list bits (derived
from the status) and signs the changed lists in its own transaction, is audited and sends its
webhook event.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.messages import Message
from certmint.domain.status_lists import StatusPurpose
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.certificate_events import enqueue_certificate_events
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.issuance.award import award
from certmint.services.issuance.context import achievement_context
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork
from certmint.services.verification.status_lists import StatusListSigner
from certmint.storage.certificates import CertificateFilter

__all__ = [
    "get_certificate",
    "list_certificates",
    "reinstate_certificate",
    "reissue_certificate",
    "revoke_certificate",
    "suspend_certificate",
]

MAX_REASON = 1_000
_SHARED_LEARNER = Message(
    "this learner is also enrolled in courses you do not manage: an admin corrects their name"
)


def _reason(reason: str) -> str:
    reason = unicodedata.normalize("NFC", reason.strip())
    if not reason:
        raise InvalidInput(["reason: say why (it is kept in the audit log)"], "reason required")
    if len(reason) > MAX_REASON:
        raise InvalidInput([f"reason: at most {MAX_REASON} characters"], "reason too long")
    return reason


def get_certificate(uow: UnitOfWork, organisation_id: UUID, certificate_id: UUID) -> Certificate:
    with uow as tx:
        found = tx.certificates.get_for(organisation_id, certificate_id)
    if found is None:
        raise NotFound("certificate", certificate_id)
    return found


def list_certificates(
    uow: UnitOfWork,
    organisation_id: UUID,
    *,
    batch_id: UUID | None = None,
    achievement_id: UUID | None = None,
    learner_id: UUID | None = None,
    statuses: list[CertificateStatus] | None = None,
    text: str | None = None,
    course_ids: Collection[UUID] | None = None,
    limit: int = 100,
    after: UUID | None = None,
) -> list[Certificate]:
    """Certificates in id order matching every filter given (``text``: the number, or part of
    the learner's name or e-mail); ``course_ids`` keeps only those awarded in these courses (a
    course manager's)."""
    with uow as tx:
        narrowing: list[set[UUID]] = []
        if batch_id is not None:
            narrowing.append({a.id for a in tx.achievements.for_batch(organisation_id, batch_id)})
        if achievement_id is not None:
            narrowing.append({achievement_id})
        if course_ids is not None:
            narrowing.append(set(tx.achievements.ids_in_courses(course_ids)))
        where = CertificateFilter(
            achievement_ids=sorted(set.intersection(*narrowing)) if narrowing else None,
            learner_id=learner_id,
            statuses=statuses,
            text=text,
        )
        return tx.certificates.list(organisation_id, where, limit=limit, after=after)


def revoke_certificate(
    uow: UnitOfWork,
    principal: Principal,
    certificate_id: UUID,
    *,
    reason: str,
    signing: Signing,
    note: str | None = None,
) -> Certificate:
    """Revoke for good (an active or suspended certificate); the reason is shown to whoever
    verifies it, ``note`` (what the organisation keeps to itself) only in the audit log.
    ``signing`` re-signs the status lists and makes the webhook's verification link."""
    return _change_status(
        uow,
        principal,
        certificate_id,
        _REVOKE,
        reason=_reason(reason),
        signing=signing,
        note=note,
    )


def suspend_certificate(
    uow: UnitOfWork,
    principal: Principal,
    certificate_id: UUID,
    *,
    reason: str,
    signing: Signing,
    note: str | None = None,
) -> Certificate:
    """Suspend an active certificate until it is reinstated: its suspension bit is set and
    verification says "suspended" with the reason (``note``: the audit log's only). Raises
    ``Conflict`` for any other status (a revoked certificate stays revoked)."""
    return _change_status(
        uow,
        principal,
        certificate_id,
        _SUSPEND,
        reason=_reason(reason),
        signing=signing,
        note=note,
    )


def reinstate_certificate(
    uow: UnitOfWork,
    principal: Principal,
    certificate_id: UUID,
    *,
    signing: Signing,
    reason: str | None = None,
) -> Certificate:
    """Make a suspended certificate active again (its suspension bit is cleared); ``reason``,
    if given, goes to the audit log only. Raises ``Conflict`` unless it is suspended."""
    return _change_status(
        uow,
        principal,
        certificate_id,
        _REINSTATE,
        reason=_reason(reason) if reason is not None and reason.strip() else None,
        signing=signing,
    )


@dataclass(frozen=True)
class _Change:
    """A status change by hand: from which statuses, to which, and what it is called."""

    verb: str
    allowed_from: tuple[CertificateStatus, ...]
    to: CertificateStatus
    event: str
    keeps_reason: bool  # shown when verifying (revoked, suspended), or only in the audit log


_REVOKE = _Change(
    "revoked",
    (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED),
    CertificateStatus.REVOKED,
    "certificate.revoked",
    keeps_reason=True,
)
_SUSPEND = _Change(
    "suspended",
    (CertificateStatus.ACTIVE,),
    CertificateStatus.SUSPENDED,
    "certificate.suspended",
    keeps_reason=True,
)
_REINSTATE = _Change(
    "reinstated",
    (CertificateStatus.SUSPENDED,),
    CertificateStatus.ACTIVE,
    "certificate.reinstated",
    keeps_reason=False,
)


def _change_status(
    uow: UnitOfWork,
    principal: Principal,
    certificate_id: UUID,
    change: _Change,
    *,
    reason: str | None,
    signing: Signing,
    note: str | None = None,
) -> Certificate:
    """A certificate of the principal's courses (staff); ``reason`` is public for the
    statuses that show one; ``note`` is internal: the audit log keeps it, nothing public ever
    shows it."""
    authorization.require(principal, Action.WORK_WITH_COURSES)
    organisation_id, actor = principal.organisation_id, principal.actor
    now = datetime.now(UTC)
    note = note.strip() if note else None
    with uow as tx:
        certificate = authorization.certificate_for(tx, principal, certificate_id)
        if certificate.status not in change.allowed_from:
            allowed = " or ".join(s.value for s in change.allowed_from)
            final = (
                " (revocation is final)" if certificate.status is CertificateStatus.REVOKED else ""
            )
            raise Conflict(
                f"certificate {certificate_id} is {certificate.status}{final}: only {allowed}"
                f" certificates can be {change.verb}"
            )
        shown = reason if change.keeps_reason else None
        tx.certificates.set_status(certificate_id, change.to, reason=shown, at=now)
        # The bits follow the status: every list of the certificate may have changed (revoking
        # a suspended certificate clears one bit and sets another), and is signed again now.
        organisation = tx.organisations.get(organisation_id)
        if organisation is None:  # the certificate's foreign key makes this impossible
            raise NotFound("organisation", organisation_id)
        StatusListSigner(signing, organisation).changed(
            tx, tx.status_lists.lists_of(certificate_id), now
        )
        changed = replace(certificate, status=change.to, status_reason=shown, status_changed_at=now)
        enqueue_certificate_events(
            tx, organisation_id, change.event, [changed], links=signing.links, now=now
        )
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action=f"certificate.{change.verb}",
            subject_type="certificate",
            subject_id=certificate_id,
            reason=reason,
            details={"note": note} if note else None,
            at=now,
        )
        tx.commit()
    return changed


def reissue_certificate(
    uow: UnitOfWork,
    signing: Signing,
    principal: Principal,
    certificate_id: UUID,
    *,
    reason: str,
    name: str | None = None,
    keep_issue_date: bool = False,
    then: Callable[[OpenUnitOfWork, Certificate], None] | None = None,
) -> Certificate:
    """A new certificate (new id, number and signature) replacing ``certificate_id``, with the
    learner's printed name corrected when ``name`` is given. The old one becomes superseded
    and points to the new one. ``keep_issue_date`` keeps the original validity start. ``then``
    runs in the same transaction with the new certificate (what the re-issue was for: both
    happen or neither does).

    The certificate must be one of the principal's courses (staff). A corrected name is the
    learner's record's new name, so the principal must be allowed to change the record
    (``authorization.learner_scope``): ``Forbidden`` for a course manager whose learner is also
    in other courses."""
    authorization.require(principal, Action.WORK_WITH_COURSES)
    organisation_id, actor = principal.organisation_id, principal.actor
    reason = _reason(reason)
    if name is not None:
        name = unicodedata.normalize("NFC", name.strip())
        if not name or not name.isprintable():
            raise InvalidInput(["name: must be printable text"], "name rejected")
    with uow as tx:
        old = authorization.certificate_for(tx, principal, certificate_id)
    ctx = achievement_context(uow, signing, organisation_id, old.achievement_id)
    now = datetime.now(UTC)
    with uow as tx:
        current = tx.certificates.get_for(organisation_id, certificate_id)
        if current is None or current.status is not CertificateStatus.ACTIVE:
            # A suspended one too: a replacement would quietly end the suspension.
            raise Conflict(
                f"certificate {certificate_id} is not active: only active ones are re-issued"
                " (reinstate a suspended one first)"
            )
        learner = tx.roster.get_learner(organisation_id, current.learner_id)
        enrolment = tx.roster.enrolment_of(ctx.batch.id, current.learner_id)
        if learner is None or enrolment is None:
            raise Conflict("the learner is no longer enrolled in the batch")
        if name is not None and name != learner.name:
            if not authorization.may_rewrite_learner(tx, principal, learner.id):
                raise Forbidden(_SHARED_LEARNER)
            tx.roster.rename_learner(learner.id, name)
            learner = replace(learner, name=name)
        # The old one steps aside first: "one current certificate" holds at every statement.
        tx.certificates.set_status(
            certificate_id, CertificateStatus.SUPERSEDED, reason=reason, at=now
        )
        (new,) = award(
            tx,
            ctx,
            signing,
            [(enrolment, learner)],
            now,
            supersedes=current.id,
            valid_from=current.valid_from if keep_issue_date else None,
        )
        tx.certificates.set_status(
            certificate_id,
            CertificateStatus.SUPERSEDED,
            reason=reason,
            at=now,
            superseded_by=new.id,
        )
        StatusListSigner(signing, ctx.organisation, ctx.key).changed(
            tx,
            [
                s
                for s in tx.status_lists.lists_of(certificate_id)
                if s.purpose is StatusPurpose.REVOCATION
            ],
            now,
        )
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action="certificate.reissued",
            subject_type="certificate",
            subject_id=certificate_id,
            reason=reason,
            details={"new_certificate_id": str(new.id), "name": learner.name},
            at=now,
        )
        if then is not None:
            then(tx, new)
        tx.commit()
    return new
