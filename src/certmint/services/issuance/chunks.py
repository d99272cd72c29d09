"""One chunk of an issue job: who in it is eligible, and their certificates, in the chunk's
transaction (``services.issuance.jobs`` claims it and commits the work with its done mark)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from certmint.domain.certificates import Certificate
from certmint.domain.courses import Enrolment, Learner
from certmint.domain.criteria import evaluate
from certmint.domain.jobs import ChunkCounts, ChunkStatus, JobChunk
from certmint.services.audit import record
from certmint.services.errors import NotFound
from certmint.services.issuance.award import award
from certmint.services.issuance.jobs import claim_chunk, run_claimed
from certmint.services.issuance.outcome import finish_if_complete
from certmint.services.issuance.planning import IssueJob
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = ["Announce", "Eligible", "eligible_in", "issue_chunk", "record_issued", "run_issue_chunk"]

#: Called once a chunk that issued certificates has committed: their e-mails and webhook events
#: wait in the outbox, and this has them sent (``services.notifications.deliveries``).
Announce = Callable[[], None]


def issue_chunk(
    tx: OpenUnitOfWork, job: IssueJob, chunk: JobChunk, announce: Announce | None = None
) -> tuple[ChunkCounts, list[UUID]]:
    """One chunk's issuance inside the open unit of work (the runner commits it). When it
    issued anything, ``announce`` runs once the commit has succeeded (never for work rolled
    back or redone), whoever triggered the job and whichever executor runs it."""
    found = eligible_in(tx, job, chunk)
    now = datetime.now(UTC)
    issued = award(tx, job.ctx, job.signing, found.eligible, now)
    record_issued(tx, job, issued, now, announce)
    return found.counts(len(issued)), [c.id for c in issued]


@dataclass(frozen=True)
class Eligible:
    """Who in a chunk gets a certificate, and why the others do not."""

    considered: int
    already_held: int
    eligible: list[tuple[Enrolment, Learner]]

    def counts(self, issued: int) -> ChunkCounts:
        return ChunkCounts(
            considered=self.considered,
            issued=issued,
            already_held=self.already_held,
            not_eligible=self.considered - self.already_held - len(self.eligible),
        )


def eligible_in(tx: OpenUnitOfWork, job: IssueJob, chunk: JobChunk) -> Eligible:
    """The chunk's wanted learners who do not hold the achievement and meet the criteria (or
    all of them, for an award by hand), read inside the open unit of work."""
    ctx = job.ctx
    page = tx.roster.enrolments_page(
        ctx.batch.id,
        after=chunk.after,
        upto=chunk.upto,
        limit=None,
        learner_ids=job.request.fetch_by_id,
    )
    wanted = job.request.wanted
    pairs = [(e, lr) for e, lr in page if wanted is None or lr.id in wanted]
    held = tx.certificates.current_holders(ctx.achievement.id, [lr.id for _, lr in pairs])
    eligible = [
        (e, lr)
        for e, lr in pairs
        if lr.id not in held and (job.request.manual or evaluate(ctx.criterion, e, lr).awarded)
    ]
    return Eligible(len(pairs), len(held), eligible)


def record_issued(
    tx: OpenUnitOfWork,
    job: IssueJob,
    issued: Sequence[Certificate],
    now: datetime,
    announce: Announce | None,
) -> None:
    """Audit what the chunk issued and have its e-mails and webhook events sent once it has
    committed (inside the open unit of work)."""
    if not issued:
        return
    ctx = job.ctx
    record(
        tx,
        organisation_id=ctx.organisation.id,
        actor=job.request.actor,
        action="certificates.issued",
        subject_type="achievement",
        subject_id=ctx.achievement.id,
        reason=job.request.reason,
        details={"job_id": str(job.job_id), "count": len(issued), "first": str(issued[0].id)},
        at=now,
    )
    if announce is not None:
        tx.after_commit(announce)


def run_issue_chunk(
    uow: UnitOfWork,
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
            lambda tx, c: issue_chunk(tx, job, c, announce)[0],
            lease,
        )
    else:
        with uow as tx:
            current = tx.jobs.get_chunk(chunk_id)
        if current is None or current.job_id != job.job_id:
            raise NotFound("chunk", chunk_id)
        if current.status is not ChunkStatus.DONE:
            return current.lease_until or datetime.now(UTC)
    finish_if_complete(uow, job)
    return None
