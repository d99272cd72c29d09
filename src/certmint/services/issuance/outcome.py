"""A job's outcome: following it while executors run it, marking it finished or failed once,
and what one executor's run amounted to."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from certmint.domain.jobs import ChunkCounts, Job, JobProgress, JobStatus
from certmint.services.audit import record
from certmint.services.errors import Conflict, NotFound
from certmint.services.issuance.jobs import JobCancelled, mark_job
from certmint.services.issuance.planning import IssueJob
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "IssueSummary",
    "Progress",
    "fail_issue_job",
    "finish_if_complete",
    "follow_issue",
    "issue_progress",
    "summarise",
]

#: progress(done, total): called as the job advances.
Progress = Callable[[int, int], None]


@dataclass
class IssueSummary:
    """What an issuance run did; with ``learners``, only those were considered."""

    job_id: UUID
    achievement_id: UUID
    considered: int = 0
    issued: int = 0
    already_held: int = 0
    not_eligible: int = 0
    certificate_ids: list[UUID] = field(default_factory=list)


def summarise(
    job_id: UUID,
    achievement_id: UUID,
    everyone: ChunkCounts,
    mine: ChunkCounts,
    certificate_ids: list[UUID] | None = None,
) -> IssueSummary:
    """One executor's view of a finished job: what it issued itself; certificates issued by
    others (earlier, or racing it) were already held as far as it is concerned."""
    return IssueSummary(
        job_id,
        achievement_id,
        considered=everyone.considered,
        issued=mine.issued,
        already_held=everyone.already_held + everyone.issued - mine.issued,
        not_eligible=everyone.not_eligible,
        certificate_ids=certificate_ids or [],
    )


def issue_progress(uow: UnitOfWork, organisation_id: UUID, job_id: UUID) -> tuple[Job, JobProgress]:
    """A job and its chunks, for whoever follows it (the CLI's progress bar, the web page)."""
    with uow as tx:
        job = tx.jobs.get(organisation_id, job_id)
        if job is None:
            raise NotFound("job", job_id)
        return job, tx.jobs.progress(job_id)


def follow_issue(
    uow: UnitOfWork,
    job: IssueJob,
    *,
    progress: Progress | None = None,
    poll_seconds: float = 0.5,
) -> IssueSummary:
    """Wait while executors elsewhere (Celery workers) run the job's chunks, reporting its
    progress; the summary is the whole job's. Raises Conflict when an executor gave up, and
    JobCancelled when the job was cancelled."""
    while True:
        current, chunks = issue_progress(uow, job.ctx.organisation.id, job.job_id)
        if progress is not None:
            progress(chunks.counts.considered, job.total)
        if current.status is JobStatus.FAILED:
            raise Conflict(f"job {job.job_id} failed: {current.error}")
        if current.status is JobStatus.CANCELLED:
            raise JobCancelled(job.job_id, current.error or "")
        if chunks.complete:
            finish_if_complete(uow, job)
            return summarise(job.job_id, job.ctx.achievement.id, chunks.counts, chunks.counts)
        time.sleep(poll_seconds)


def fail_issue_job(uow: UnitOfWork, job_id: UUID, exc: BaseException) -> None:
    """Record why an executor gave up (its claim runs out; another run can finish the job)."""
    with uow as tx:
        mark_job(tx, job_id, JobStatus.FAILED, error=repr(exc)[:2000])
        tx.commit()


def finish_if_complete(uow: UnitOfWork, job: IssueJob) -> None:
    """When every chunk is done, mark the job succeeded and audit it, once whoever gets here."""
    with uow as tx:
        progress = tx.jobs.progress(job.job_id)
        if progress.complete and mark_job(tx, job.job_id, JobStatus.SUCCEEDED):
            counts = progress.counts
            record(
                tx,
                organisation_id=job.ctx.organisation.id,
                actor=job.request.actor,
                action="job.succeeded",
                subject_type="job",
                subject_id=job.job_id,
                reason=job.request.reason,
                details={
                    "issued": counts.issued,
                    "already_held": counts.already_held,
                    "not_eligible": counts.not_eligible,
                },
            )
        tx.commit()
