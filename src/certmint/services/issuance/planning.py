"""Planning an issue job: its row and its chunks (keyset ranges of the batch's enrolments),
recorded before any work starts, so that every executor, and whoever follows the job, finds
the same plan; and loading a planned job again where its chunks run."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.domain.jobs import Job, JobStatus
from certmint.services.audit import record
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.issuance.context import AchievementContext, achievement_context
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import UnitOfWork
from certmint.storage.bulk import CHUNK

__all__ = ["CHUNK_SIZE", "JOB_KIND", "IssueJob", "load_issue_job", "plan_issue"]

CHUNK_SIZE = 1_000
JOB_KIND = "issue"


@dataclass(frozen=True)
class IssueJob:
    """An issue job as each of its chunks needs it: loaded once per executor, not per chunk."""

    job_id: UUID
    ctx: AchievementContext
    signing: Signing
    total: int
    wanted: frozenset[UUID] | None  # only these learners (None: the whole batch)
    manual: bool
    reason: str | None
    actor: str

    @property
    def fetch_by_id(self) -> frozenset[UUID] | None:
        """The wanted learners when few enough to fetch by id instead of reading the batch."""
        return _few(self.wanted)


def _few(wanted: frozenset[UUID] | None) -> frozenset[UUID] | None:
    return wanted if wanted is not None and len(wanted) <= CHUNK else None


def plan_issue(
    uow: UnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    achievement_id: UUID,
    *,
    learner_ids: Sequence[UUID] | None = None,
    manual: bool = False,
    reason: str | None = None,
    actor: str = "system",
    chunk_size: int = CHUNK_SIZE,
) -> IssueJob:
    """Start the job with its chunks (keyset ranges of about ``chunk_size`` enrolments), or
    find the unfinished one for the same work (one a killed process left, or one another
    command is running now) so that its remaining chunks are shared, not redone."""
    if manual and learner_ids is None:
        raise InvalidInput(["learner_ids: a manual award names its learners"], "award rejected")
    ctx = achievement_context(uow, signing, organisation_id, achievement_id)
    wanted = frozenset(learner_ids) if learner_ids is not None else None
    params: dict[str, Any] = {
        "achievement_id": str(achievement_id),
        "manual": manual,
        "actor": actor,
        "reason": reason,
    }
    if wanted is not None:
        params["learner_ids"] = sorted(str(i) for i in wanted)
    now = datetime.now(UTC)
    with uow as tx:
        tx.jobs.serialise_planning(organisation_id)
        job = tx.jobs.unfinished(organisation_id, JOB_KIND, params)
        if job is None:
            total = len(wanted) if wanted is not None else tx.roster.count_enrolments(ctx.batch.id)
            job = Job(
                uuid.uuid4(),
                organisation_id,
                JOB_KIND,
                params,
                JobStatus.QUEUED,
                total,
                0,
                0,
                None,
                now,
                None,
                None,
            )
            tx.jobs.add(job)
            record(
                tx,
                organisation_id=organisation_id,
                actor=actor,
                action="job.created",
                subject_type="job",
                subject_id=job.id,
                details=params,
                at=now,
            )
        if not tx.jobs.has_chunks(job.id):
            bounds = tx.roster.enrolment_bounds(ctx.batch.id, chunk_size, learner_ids=_few(wanted))
            tx.jobs.add_chunks(job.id, list(zip([None, *bounds], [*bounds, None], strict=True)))
        tx.jobs.started(job.id, now, job.total)
        tx.commit()
    return IssueJob(job.id, ctx, signing, job.total, wanted, manual, reason, actor)


def load_issue_job(
    uow: UnitOfWork, signing: Signing, organisation_id: UUID, job_id: UUID
) -> IssueJob:
    """What a worker needs to run chunks of a job another process planned."""
    with uow as tx:
        job = tx.jobs.get(organisation_id, job_id)
    if job is None or job.kind != JOB_KIND:
        raise NotFound("job", job_id)
    params = job.params
    ctx = achievement_context(uow, signing, organisation_id, UUID(params["achievement_id"]))
    wanted = frozenset(UUID(i) for i in params["learner_ids"]) if "learner_ids" in params else None
    return IssueJob(
        job.id,
        ctx,
        signing,
        job.total,
        wanted,
        params["manual"],
        params.get("reason"),
        params.get("actor", "system"),
    )
