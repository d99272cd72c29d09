"""Finding certificates for the people who manage them: search, filters, numbered pages, and
one certificate with its history. Scoped to the principal's organisation and courses.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.achievements import Achievement
from certmint.domain.audit import AuditEvent
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.courses import Batch, Course, Learner
from certmint.services import authorization
from certmint.services.errors import NotFound
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork
from certmint.storage.certificates import CertificateFilter

__all__ = [
    "AwardOption",
    "CertificateDetail",
    "CertificatePage",
    "authorised_certificate",
    "certificate_detail",
    "search_certificates",
]

PER_PAGE = 50


@dataclass(frozen=True)
class AwardOption:
    """An achievement in scope, as the filters offer it."""

    achievement: Achievement
    course: Course
    batch: Batch

    @property
    def label(self) -> str:
        return f"{self.achievement.name} · {self.course.name}, {self.batch.name}"


@dataclass(frozen=True)
class CertificatePage:
    certificates: list[Certificate]
    total: int
    page: int
    per_page: int
    awards: list[AwardOption]  # every achievement in scope (the filter's choices)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def label(self, certificate: Certificate) -> str:
        return next(
            (a.label for a in self.awards if a.achievement.id == certificate.achievement_id), ""
        )


def _awards(uow: OpenUnitOfWork, principal: Principal) -> list[AwardOption]:
    options: list[AwardOption] = []
    for course, batch in uow.roster.list_batches(principal.organisation_id):
        if authorization.manages_course(principal, course.id):
            options.extend(
                AwardOption(a, course, batch)
                for a in uow.achievements.for_batch(principal.organisation_id, batch.id)
            )
    return options


def search_certificates(
    uow: UnitOfWork,
    principal: Principal,
    *,
    text: str | None = None,
    status: CertificateStatus | None = None,
    achievement_id: UUID | None = None,
    batch_id: UUID | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CertificatePage:
    """Certificates matching every given filter, newest first; ``text`` matches the number or
    part of the learner's name or e-mail address. Filters outside the scope match nothing."""
    page = max(1, page)
    with uow as tx:
        awards = _awards(tx, principal)
        wanted = [
            a.achievement.id
            for a in awards
            if (achievement_id is None or a.achievement.id == achievement_id)
            and (batch_id is None or a.batch.id == batch_id)
        ]
        where = CertificateFilter(
            achievement_ids=wanted,
            statuses=[status] if status is not None else None,
            text=text,
        )
        total = tx.certificates.count(principal.organisation_id, where)
        found = tx.certificates.search(
            principal.organisation_id, where, limit=per_page, offset=(page - 1) * per_page
        )
    return CertificatePage(found, total, page, per_page, awards)


def authorised_certificate(
    uow: UnitOfWork, principal: Principal, certificate_id: UUID
) -> Certificate:
    """The certificate if the principal may see it, else ``NotFound``."""
    with uow as tx:
        return authorization.certificate_for(tx, principal, certificate_id)


@dataclass(frozen=True)
class CertificateDetail:
    certificate: Certificate
    learner: Learner
    course: Course
    batch: Batch
    achievement: Achievement
    events: list[AuditEvent]  # about this certificate, newest first


def certificate_detail(
    uow: UnitOfWork, principal: Principal, certificate_id: UUID
) -> CertificateDetail:
    with uow as tx:
        certificate = authorization.certificate_for(tx, principal, certificate_id)
        learner = tx.roster.get_learner(principal.organisation_id, certificate.learner_id)
        achievement = tx.achievements.get(principal.organisation_id, certificate.achievement_id)
        found = (
            tx.roster.get_batch(principal.organisation_id, achievement.batch_id)
            if achievement is not None
            else None
        )
        related = [str(i) for i in (certificate.id, certificate.supersedes_id) if i is not None]
        events = tx.audit.list(principal.organisation_id, limit=50, subject_ids=related)
    if learner is None or achievement is None or found is None:
        raise NotFound("certificate", certificate_id)
    return CertificateDetail(certificate, learner, found[0], found[1], achievement, events)
