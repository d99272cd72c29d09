"""Planning an issue job: its row and its chunks (keyset ranges of the batch's enrolments),
recorded before any work starts, so that every executor, and whoever follows the job, finds
the same plan; and loading a planned job again where its chunks run."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from certmint.domain.jobs import Job, JobStatus
from certmint.services.audit import record
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.issuance.context import AchievementContext, achievement_context
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import UnitOfWork
from certmint.storage.bulk import CHUNK

__all__ = ["CHUNK_SIZE", "JOB_KIND", "IssueJob", "IssueRequest", "load_issue_job", "plan_issue"]

CHUNK_SIZE = 1_000
JOB_KIND = "issue"


@dataclass(frozen=True)
class IssueRequest:
    """An issuance as a trigger asks for it, stated once for planning, requesting and running
    it. The job's stored ``params`` are made from it and read back into it (``from_job``):
    an unfinished job is found again by them, so they keep their shape."""

    organisation_id: UUID
    achievement_id: UUID
    _: KW_ONLY
    learner_ids: Collection[UUID] | None = None  # only these learners (None: the whole batch)
    manual: bool = False  # awarded whatever the criteria say, ``reason`` saying why
    reason: str | None = None
    actor: str = "system"
    #: Enrolments per chunk, for planning only: a planned job keeps the chunks it was cut into.
    chunk_size: int = field(default=CHUNK_SIZE, compare=False)

    def __post_init__(self) -> None:
        if self.manual and self.learner_ids is None:
            raise InvalidInput(["learner_ids: a manual award names its learners"], "award rejected")

    @cached_property
    def wanted(self) -> frozenset[UUID] | None:
        return frozenset(self.learner_ids) if self.learner_ids is not None else None

    @property
    def fetch_by_id(self) -> frozenset[UUID] | None:
        """The wanted learners when few enough to fetch by id instead of reading the batch."""
        wanted = self.wanted
        return wanted if wanted is not None and len(wanted) <= CHUNK else None

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "achievement_id": str(self.achievement_id),
            "manual": self.manual,
            "actor": self.actor,
            "reason": self.reason,
        }
        if self.wanted is not None:
            params["learner_ids"] = sorted(str(i) for i in self.wanted)
        return params

    @classmethod
    def from_job(cls, job: Job) -> IssueRequest:
        params = job.params
        return cls(
            job.organisation_id,
            UUID(params["achievement_id"]),
            learner_ids=(
                [UUID(i) for i in params["learner_ids"]] if "learner_ids" in params else None
            ),
            manual=params["manual"],
            reason=params.get("reason"),
            actor=params.get("actor", "system"),
        )


@dataclass(frozen=True)
class IssueJob:
    """An issue job as each of its chunks needs it: loaded once per executor, not per chunk."""

    job_id: UUID
    ctx: AchievementContext
    signing: Signing
    total: int
    request: IssueRequest


def plan_issue(uow: UnitOfWork, signing: Signing, request: IssueRequest) -> IssueJob:
    """Start the job with its chunks (keyset ranges of about ``request.chunk_size``
    enrolments), or find the unfinished one for the same work (one a killed process left, or
    one another command is running now) so that its remaining chunks are shared, not redone."""
    organisation_id = request.organisation_id
    ctx = achievement_context(uow, signing, organisation_id, request.achievement_id)
    wanted = request.wanted
    params = request.params
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
                actor=request.actor,
                action="job.created",
                subject_type="job",
                subject_id=job.id,
                details=params,
                at=now,
            )
        if not tx.jobs.has_chunks(job.id):
            bounds = tx.roster.enrolment_bounds(
                ctx.batch.id, request.chunk_size, learner_ids=request.fetch_by_id
            )
            tx.jobs.add_chunks(job.id, list(zip([None, *bounds], [*bounds, None], strict=True)))
        tx.jobs.started(job.id, now, job.total)
        tx.commit()
    return IssueJob(job.id, ctx, signing, job.total, request)


def load_issue_job(
    uow: UnitOfWork, signing: Signing, organisation_id: UUID, job_id: UUID
) -> IssueJob:
    """What a worker needs to run chunks of a job another process planned."""
    with uow as tx:
        job = tx.jobs.get(organisation_id, job_id)
    if job is None or job.kind != JOB_KIND:
        raise NotFound("job", job_id)
    request = IssueRequest.from_job(job)
    ctx = achievement_context(uow, signing, organisation_id, request.achievement_id)
    return IssueJob(job.id, ctx, signing, job.total, request)
