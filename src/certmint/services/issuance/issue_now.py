""" "Issue now" from the admin pages and the API: request a bulk issuance job for everyone in
the achievement's batch, and report its progress to whoever watches.

The job is planned before this returns (a page can follow it from the first moment) and runs
on the executor chosen at start-up (``services.issuance.requests``): a thread of the web
process, or the broker's workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.jobs import ChunkCounts, Job, JobStatus
from certmint.services import authorization
from certmint.services.errors import NotFound
from certmint.services.issuance.executors import Executor
from certmint.services.issuance.planning import CHUNK_SIZE, IssueRequest
from certmint.services.issuance.requests import request_issuance
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.dashboard import job_percent
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["IssueStatus", "issue_status", "progress_chunk", "start_issue"]

PROGRESS_STEPS = 20
_STOPPED = (JobStatus.FAILED, JobStatus.CANCELLED)


def progress_chunk(total: int) -> int:
    """A chunk size that moves a progress bar in about twenty steps, never above the bulk size
    (a chunk is one transaction) nor so small that transactions dominate."""
    return max(25, min(CHUNK_SIZE, -(-total // PROGRESS_STEPS)))


def start_issue(
    uow: UnitOfWork,
    signing: Signing,
    executor: Executor,
    principal: Principal,
    achievement_id: UUID,
) -> UUID:
    """Award the achievement to everyone in its batch who qualifies, in the background, if the
    principal may; returns the id of the job to follow (``issue_status``)."""
    with uow as tx:
        achievement = authorization.achievement_for(tx, principal, achievement_id)
        total = tx.roster.count_enrolments(achievement.batch_id)
    request = IssueRequest(
        principal.organisation_id,
        achievement.id,
        actor=principal.actor,
        chunk_size=progress_chunk(total),
    )
    return request_issuance(uow, signing, executor, request).job.job_id


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
        """Learners a failed or cancelled job never considered (a chunk fails whole: none of
        it is kept)."""
        return self.job.total - self.job.done if self.job.status in _STOPPED else 0

    @property
    def percent(self) -> int:
        return job_percent(self.job)

    @property
    def finished(self) -> bool:
        return self.job.status is JobStatus.SUCCEEDED or self.job.status in _STOPPED

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


def issue_status(uow: UnitOfWork, principal: Principal, job_id: UUID) -> IssueStatus:
    """A job of the principal's organisation, if it issues an achievement they manage."""
    with uow as tx:
        job = tx.jobs.get(principal.organisation_id, job_id)
        if job is None or "achievement_id" not in job.params:
            raise NotFound("job", job_id)
        try:
            achievement = authorization.achievement_for(
                tx, principal, UUID(job.params["achievement_id"])
            )
            course, batch = authorization.batch_for(tx, principal, achievement.batch_id)
        except NotFound:
            raise NotFound("job", job_id) from None
        counts = tx.jobs.progress(job.id).counts
    where = f"{course.name}, {batch.name}"
    label = f"{achievement.name} · {where}"
    return IssueStatus(job, achievement.id, batch.id, where, label, counts)
