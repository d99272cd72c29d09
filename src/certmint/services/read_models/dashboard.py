"""The admin dashboard: each batch in scope with its learners and certificates, recent jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.certificates import CertificateStatus
from certmint.domain.courses import Batch, Course
from certmint.domain.jobs import Job
from certmint.services import authorization
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["BatchSummary", "Dashboard", "JobSummary", "dashboard", "job_percent"]


@dataclass(frozen=True)
class BatchSummary:
    course: Course
    batch: Batch
    learners: int
    certificates: dict[CertificateStatus, int] = field(default_factory=dict)

    @property
    def current(self) -> int:
        """Certificates that count today: active and suspended (not revoked or replaced)."""
        return self.certificates.get(CertificateStatus.ACTIVE, 0) + self.certificates.get(
            CertificateStatus.SUSPENDED, 0
        )


@dataclass(frozen=True)
class JobSummary:
    job: Job
    achievement: str  # "Completion · Data Science, Spring", or "" when no longer known

    @property
    def percent(self) -> int:
        return job_percent(self.job)


@dataclass(frozen=True)
class Dashboard:
    batches: list[BatchSummary]
    jobs: list[JobSummary]

    def total(self, status: CertificateStatus) -> int:
        return sum(b.certificates.get(status, 0) for b in self.batches)


def job_percent(job: Job) -> int:
    """How far a job is, 0-100 (a finished job is at 100 even when it had nothing to do)."""
    if job.finished_at is not None:
        return 100
    return min(100, job.done * 100 // job.total) if job.total else 0


def dashboard(uow: UnitOfWork, principal: Principal, *, jobs: int = 10) -> Dashboard:
    """What a staff member manages: the batches of their courses, and recent issuance jobs."""
    with uow as tx:
        pairs = [
            (course, batch)
            for course, batch in tx.roster.list_batches(principal.organisation_id)
            if authorization.manages_course(principal, course.id)
        ]
        batch_ids = [b.id for _, b in pairs]
        learners = tx.roster.enrolment_counts(batch_ids)
        certificates = tx.certificates.counts_by_batch(principal.organisation_id)
        names: dict[UUID, str] = {}
        for course, batch in pairs:
            for achievement in tx.achievements.for_batch(principal.organisation_id, batch.id):
                names[achievement.id] = f"{achievement.name} · {course.name}, {batch.name}"
        recent = tx.jobs.recent(principal.organisation_id, limit=jobs * 3)
    every_course = authorization.managed_course_ids(principal) is None
    in_scope = [
        JobSummary(job, names.get(UUID(job.params["achievement_id"]), ""))
        for job in recent
        if "achievement_id" in job.params
        and (every_course or UUID(job.params["achievement_id"]) in names)
    ]
    return Dashboard(
        [
            BatchSummary(course, batch, learners.get(batch.id, 0), certificates.get(batch.id, {}))
            for course, batch in pairs
        ],
        in_scope[:jobs],
    )
