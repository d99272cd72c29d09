""" "Issue now" from the admin pages: start a bulk issuance job, run it in the background, and
report its progress to whoever watches.

The job is planned first (its row exists before this returns, so a page can follow it from
the first moment). With a broker (``queue``), its chunks are queued for the workers exactly as
``certmint issue`` queues them (``issuance.queue_issue``), and the page follows what the
workers record. Without one it is handed to ``run``, the caller's in-process executor (a
thread of the web process); a job already under way there is returned as it is and not
started twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.jobs import ChunkCounts, Job, JobStatus
from certmint.services import authorization
from certmint.services.errors import NotFound
from certmint.services.issuance.awards import (
    CHUNK_SIZE,
    QueueChunks,
    issue_achievement,
    plan_issue,
    queue_issue,
)
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.dashboard import job_percent
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["IssueStatus", "Runner", "issue_status", "progress_chunk", "start_issue"]

#: Runs work in the background (a thread in the web process).
Runner = Callable[[Callable[[], object]], None]
PROGRESS_STEPS = 20


def progress_chunk(total: int) -> int:
    """A chunk size that moves a progress bar in about twenty steps, never above the bulk size
    (a chunk is one transaction) nor so small that transactions dominate."""
    return max(25, min(CHUNK_SIZE, -(-total // PROGRESS_STEPS)))


def start_issue(
    new_uow: Callable[[], SqlAlchemyUnitOfWork],
    signing: Signing,
    principal: Principal,
    achievement_id: UUID,
    *,
    run: Runner,
    queue: QueueChunks | None = None,
) -> Job:
    """Award the achievement to everyone in its batch who qualifies, in the background: on
    the broker's workers when ``queue`` is given, else through ``run``.

    ``new_uow`` makes a unit of work for each thread. Returns the job to follow.
    """
    uow = new_uow()
    with uow:
        achievement = authorization.achievement_for(uow, principal, achievement_id)
        total = uow.roster.count_enrolments(achievement.batch_id)
    organisation_id, chunk_size = principal.organisation_id, progress_chunk(total)
    if queue is not None:
        queued = queue_issue(
            uow,
            signing,
            organisation_id,
            achievement.id,
            queue,
            actor=principal.actor,
            chunk_size=chunk_size,
        )
        return _job(uow, organisation_id, queued.job_id)
    planned = plan_issue(
        uow, signing, organisation_id, achievement.id, actor=principal.actor, chunk_size=chunk_size
    )
    job = _job(uow, organisation_id, planned.job_id)
    if job.done > 0:
        return job  # already under way in another thread or process

    def work() -> object:
        return issue_achievement(
            new_uow(), signing, organisation_id, achievement.id, actor=principal.actor
        )

    run(work)
    return job


def _job(uow: SqlAlchemyUnitOfWork, organisation_id: UUID, job_id: UUID) -> Job:
    with uow:
        job = uow.jobs.get(organisation_id, job_id)
    if job is None:
        raise NotFound("job", job_id)
    return job


@dataclass(frozen=True)
class IssueStatus:
    """A job as its starter follows it: how far it is, and what it did to whom so far (the
    counts of its finished chunks), so the outcome reads "4 issued, 8 not eligible" rather than
    "12 considered"."""

    job: Job
    achievement_id: UUID
    batch_id: UUID
    batch: str  # "Data Science, Spring"
    label: str  # "Completion · Data Science, Spring"
    counts: ChunkCounts

    @property
    def not_reached(self) -> int:
        """Learners a failed job never considered (a chunk fails whole: none of it is kept)."""
        return self.job.total - self.job.done if self.job.status is JobStatus.FAILED else 0

    @property
    def percent(self) -> int:
        return job_percent(self.job)

    @property
    def finished(self) -> bool:
        return self.job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    def to_dict(self) -> dict[str, object]:
        """The progress endpoint's JSON."""
        return {
            "status": self.job.status.value,
            "done": self.job.done,
            "total": self.job.total,
            "percent": self.percent,
            "finished": self.finished,
            "error": self.job.error is not None,
            "issued": self.counts.issued,
            "already_held": self.counts.already_held,
            "not_eligible": self.counts.not_eligible,
            "not_reached": self.not_reached,
        }


def issue_status(uow: SqlAlchemyUnitOfWork, principal: Principal, job_id: UUID) -> IssueStatus:
    """A job of the principal's organisation, if it issues an achievement they manage."""
    with uow:
        job = uow.jobs.get(principal.organisation_id, job_id)
        if job is None or "achievement_id" not in job.params:
            raise NotFound("job", job_id)
        try:
            achievement = authorization.achievement_for(
                uow, principal, UUID(job.params["achievement_id"])
            )
            course, batch = authorization.batch_for(uow, principal, achievement.batch_id)
        except NotFound:
            raise NotFound("job", job_id) from None
        counts = uow.jobs.progress(job.id).counts
    where = f"{course.name}, {batch.name}"
    label = f"{achievement.name} · {where}"
    return IssueStatus(job, achievement.id, batch.id, where, label, counts)
