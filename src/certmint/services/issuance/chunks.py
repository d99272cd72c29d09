"""One chunk of an issue job: who in it is eligible, and their certificates, in the chunk's
transaction (``services.issuance.jobs`` claims it and commits the work with its done mark)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from certmint.domain.criteria import evaluate
from certmint.domain.jobs import ChunkCounts, ChunkStatus, JobChunk
from certmint.services.audit import record
from certmint.services.errors import NotFound
from certmint.services.issuance.award import award
from certmint.services.issuance.jobs import claim_chunk, run_claimed
from certmint.services.issuance.outcome import finish_if_complete
from certmint.services.issuance.planning import IssueJob
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["Announce", "issue_chunk", "run_issue_chunk"]

#: Called once a chunk that issued certificates has committed: their e-mails and webhook events
#: wait in the outbox, and this has them sent (``services.notifications.deliveries``).
Announce = Callable[[], None]


def issue_chunk(
    uow: SqlAlchemyUnitOfWork, job: IssueJob, chunk: JobChunk, announce: Announce | None = None
) -> tuple[ChunkCounts, list[UUID]]:
    """One chunk's issuance inside the open unit of work (the runner commits it). When it
    issued anything, ``announce`` runs once the commit has succeeded (never for work rolled
    back or redone), whoever triggered the job and whichever executor runs it."""
    ctx = job.ctx
    page = uow.roster.enrolments_page(
        ctx.batch.id,
        after=chunk.after,
        upto=chunk.upto,
        limit=None,
        learner_ids=job.fetch_by_id,
    )
    wanted = job.wanted
    pairs = [(e, lr) for e, lr in page if wanted is None or lr.id in wanted]
    held = uow.certificates.current_holders(ctx.achievement.id, [lr.id for _, lr in pairs])
    eligible = [
        (e, lr)
        for e, lr in pairs
        if lr.id not in held and (job.manual or evaluate(ctx.criterion, e, lr).awarded)
    ]
    now = datetime.now(UTC)
    issued = award(uow, ctx, job.signing, eligible, now)
    if issued:
        record(
            uow,
            organisation_id=ctx.organisation.id,
            actor=job.actor,
            action="certificates.issued",
            subject_type="achievement",
            subject_id=ctx.achievement.id,
            reason=job.reason,
            details={"job_id": str(job.job_id), "count": len(issued), "first": str(issued[0].id)},
            at=now,
        )
        if announce is not None:
            uow.after_commit(announce)
    counts = ChunkCounts(
        considered=len(pairs),
        issued=len(issued),
        already_held=len(held),
        not_eligible=len(pairs) - len(held) - len(eligible),
    )
    return counts, [c.id for c in issued]


def run_issue_chunk(
    uow: SqlAlchemyUnitOfWork,
    job: IssueJob,
    chunk_id: UUID,
    owner: str,
    lease: timedelta,
    *,
    announce: Announce | None = None,
) -> datetime | None:
    """Run one named chunk (a broker's task): None once it is done (now or earlier, by
    anyone), else the time another executor's claim on it runs out (try again then)."""
    chunk = claim_chunk(uow, owner, lease, chunk_id=chunk_id)
    if chunk is not None:
        run_claimed(
            uow,
            chunk,
            owner,
            lambda chunk_uow, c: issue_chunk(chunk_uow, job, c, announce)[0],
            lease,
        )
    else:
        with uow:
            current = uow.jobs.get_chunk(chunk_id)
        if current is None or current.job_id != job.job_id:
            raise NotFound("chunk", chunk_id)
        if current.status is not ChunkStatus.DONE:
            return current.lease_until or datetime.now(UTC)
    finish_if_complete(uow, job)
    return None
