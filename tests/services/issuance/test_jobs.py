"""Chunk claims: one executor per chunk, a lapsed lease taken over, a lost claim never counted."""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from certmint.domain.jobs import ChunkCounts, ChunkStatus, JobChunk
from certmint.services.issuance.chunks import issue_chunk, run_issue_chunk
from certmint.services.issuance.jobs import (
    claim_chunk,
    cyclic_gc_paused,
    job_progress,
    quiet_jobs,
    restart_quiet_job,
    run_claimed,
    run_until_complete,
)
from certmint.services.issuance.on_broker import requeue_quiet_issues
from certmint.services.issuance.planning import IssueJob, IssueRequest, plan_issue
from certmint.services.issuers.signing import Signing
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import upgrade_database
from certmint.storage.tables import AuditEventRow, CertificateRow, JobChunkRow, JobRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import ThrowawayPostgres
from tests.factories import enrolment_row, scenario

HOUR = timedelta(hours=1)
LAPSED = timedelta(seconds=-1)  # a claim whose holder is as good as dead


def planned(uow: SqlAlchemyUnitOfWork, signing: Signing, learners: int) -> IssueJob:
    rows = [enrolment_row(f"L{i}") for i in range(learners)]
    s = scenario(uow, signing, rows, criteria={"completed": True})
    return plan_issue(uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=2))


def issued(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CertificateRow)) or 0


def test_a_job_is_planned_as_keyset_chunks(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    job = planned(uow, signing, 5)
    chunks = session.scalars(
        select(JobChunkRow).where(JobChunkRow.job_id == job.job_id).order_by(JobChunkRow.seq)
    ).all()
    # 5 enrolments in ranges of 2: (-, b2], (b2, b4], (b4, -)
    assert [c.seq for c in chunks] == [0, 1, 2]
    assert chunks[0].after_id is None and chunks[-1].upto_id is None
    assert chunks[0].upto_id == chunks[1].after_id and chunks[1].upto_id == chunks[2].after_id
    assert {c.status for c in chunks} == {ChunkStatus.PENDING.value}


def test_claimed_chunks_are_skipped_by_other_executors(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    job = planned(uow, signing, 5)
    first = claim_chunk(uow, "a", HOUR, job_id=job.job_id)
    second = claim_chunk(uow, "b", HOUR, job_id=job.job_id)
    assert first is not None and second is not None
    assert (first.seq, second.seq) == (0, 1)
    assert claim_chunk(uow, "c", HOUR, chunk_id=first.id) is None  # held, lease running


def test_a_lapsed_claim_is_taken_over_and_the_old_holder_cannot_finish_it(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    job = planned(uow, signing, 5)
    dead = claim_chunk(uow, "dead", LAPSED, job_id=job.job_id)
    assert dead is not None
    assert run_issue_chunk(uow, job, dead.id, "taker", HOUR) is None  # taken over and done
    assert issued(session) == 2
    with uow:
        taken = uow.jobs.get_chunk(dead.id)
    assert taken is not None and (taken.owner, taken.attempts) == ("taker", 2)

    worked: list[JobChunk] = []

    def work(chunk_uow: SqlAlchemyUnitOfWork, chunk: JobChunk) -> ChunkCounts:
        worked.append(chunk)
        return issue_chunk(chunk_uow, job, chunk)[0]

    assert run_claimed(uow, dead, "dead", work) is None  # the late holder cannot finish it
    assert worked == []  # nor even start on it
    assert issued(session) == 2
    assert job_progress(uow, job.job_id).counts.considered == 2  # counted once


def test_a_busy_chunk_says_when_to_try_again(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    job = planned(uow, signing, 5)
    held = claim_chunk(uow, "a", HOUR, job_id=job.job_id)
    assert held is not None
    retry_at = run_issue_chunk(uow, job, held.id, "b", HOUR)
    assert retry_at is not None and retry_at == held.lease_until


def test_progress_counts_done_chunks_and_the_job_completes_once(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    job = planned(uow, signing, 5)
    with uow:
        chunk_ids = uow.jobs.open_chunk_ids(job.job_id)
    for chunk_id in chunk_ids:
        assert run_issue_chunk(uow, job, chunk_id, "worker", HOUR) is None
    progress = job_progress(uow, job.job_id)
    assert (progress.chunks, progress.done_chunks, progress.complete) == (3, 3, True)
    assert (progress.counts.considered, progress.counts.issued) == (5, 5)
    row = session.get(JobRow, job.job_id)
    assert row is not None and (row.status, row.done) == ("succeeded", 5)
    # a redelivered task finds its chunk done and changes nothing
    assert run_issue_chunk(uow, job, chunk_ids[0], "again", HOUR) is None
    assert issued(session) == 5
    # an in-process run over the finished job has nothing left to claim
    assert run_until_complete(uow, job.job_id, "late", lambda *_: ChunkCounts()).complete


QUIET = timedelta(minutes=1)


def backdate(session: Session, job: IssueJob, by: timedelta = 2 * QUIET) -> None:
    """As if the job had been started ``by`` ago, and every chunk finished long ago."""
    long_ago = datetime.now(UTC) - by
    session.execute(update(JobRow).where(JobRow.id == job.job_id).values(started_at=long_ago))
    session.execute(
        update(JobChunkRow)
        .where(JobChunkRow.job_id == job.job_id, JobChunkRow.finished_at.is_not(None))
        .values(finished_at=long_ago)
    )
    session.commit()


def requeued(session: Session, job: IssueJob) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(
                AuditEventRow.action == "job.requeued", AuditEventRow.subject_id == str(job.job_id)
            )
        )
        or 0
    )


def test_a_job_nobody_touches_is_restarted_once_with_its_open_chunks(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    job = planned(uow, signing, 5)
    assert quiet_jobs(uow, "issue", QUIET) == []  # just started
    backdate(session, job)
    (quiet,) = quiet_jobs(uow, "issue", QUIET)
    assert quiet.id == job.job_id
    with uow:
        chunk_ids = uow.jobs.open_chunk_ids(job.job_id)
    assert restart_quiet_job(uow, quiet, QUIET) == chunk_ids
    # a second sweeper that saw it quiet too finds it restarted: nothing to do
    assert restart_quiet_job(uow, quiet, QUIET) is None
    assert quiet_jobs(uow, "issue", QUIET) == []
    assert requeued(session, job) == 1


def test_a_held_or_lately_finished_chunk_keeps_the_job_from_looking_quiet(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    job = planned(uow, signing, 5)
    held = claim_chunk(uow, "a", HOUR, job_id=job.job_id)
    assert held is not None
    backdate(session, job)
    assert quiet_jobs(uow, "issue", QUIET) == []  # a live claim
    assert run_claimed(uow, held, "a", lambda u, c: issue_chunk(u, job, c)[0]) is not None
    session.execute(update(JobRow).where(JobRow.id == job.job_id).values(started_at=None))
    session.commit()
    assert quiet_jobs(uow, "issue", QUIET) == []  # a chunk finished just now
    dead = claim_chunk(uow, "dead", LAPSED, job_id=job.job_id)
    assert dead is not None
    backdate(session, job)
    assert quiet_jobs(uow, "issue", QUIET) == []  # a claim ran out just now: its message is due
    assert [j.id for j in quiet_jobs(uow, "issue", timedelta(0))] == [job.job_id]


def test_a_restarted_job_whose_chunks_are_all_done_is_finished_by_its_last_task(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    """An executor died between the last chunk's commit and marking the job finished."""
    job = planned(uow, signing, 5)
    for seq in range(3):
        chunk = claim_chunk(uow, "a", HOUR, job_id=job.job_id)
        assert chunk is not None and chunk.seq == seq
        assert run_claimed(uow, chunk, "a", lambda u, c: issue_chunk(u, job, c)[0]) is not None
    backdate(session, job)
    (quiet,) = quiet_jobs(uow, "issue", QUIET)
    (last,) = restart_quiet_job(uow, quiet, QUIET) or []
    assert run_issue_chunk(uow, job, last, "b", HOUR) is None
    row = session.get(JobRow, job.job_id)
    assert row is not None and (row.status, row.done) == ("succeeded", 5)
    assert issued(session) == 5


def test_quiet_jobs_are_requeued_only_when_no_message_waits_in_the_queue(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    job = planned(uow, signing, 5)
    sent: list[tuple[UUID, UUID, Sequence[UUID]]] = []
    asked: list[bool] = []

    def queue_is(empty: bool) -> bool:
        asked.append(empty)
        return empty

    def queue(organisation_id: UUID, job_id: UUID, chunk_ids: Sequence[UUID]) -> None:
        sent.append((organisation_id, job_id, chunk_ids))

    assert requeue_quiet_issues(uow, queue, QUIET, queue_is_empty=lambda: queue_is(True)) == []
    assert asked == []  # nothing quiet: the broker is not even asked
    backdate(session, job)
    # the job may just be waiting behind other jobs' messages
    assert requeue_quiet_issues(uow, queue, QUIET, queue_is_empty=lambda: queue_is(False)) == []
    assert sent == [] and requeued(session, job) == 0
    assert requeue_quiet_issues(uow, queue, QUIET, queue_is_empty=lambda: queue_is(True)) == [
        job.job_id
    ]
    with uow:
        chunk_ids = uow.jobs.open_chunk_ids(job.job_id)
    assert sent == [(job.ctx.organisation.id, job.job_id, chunk_ids)] and len(chunk_ids) == 3
    # restarted: not quiet again until another QUIET has passed
    assert requeue_quiet_issues(uow, queue, QUIET, queue_is_empty=lambda: queue_is(True)) == []
    assert len(sent) == 1 and asked == [False, True]


def test_the_cyclic_collector_is_paused_while_chunks_run_and_resumed_after_the_last() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def chunk_on_a_thread() -> None:
        with cyclic_gc_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=chunk_on_a_thread)
    thread.start()
    inside.wait(10)
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other chunk still runs
    release.set()
    thread.join()
    assert gc.isenabled()


def test_a_chunk_runs_with_the_collector_paused(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    job = planned(uow, signing, 2)
    chunk = claim_chunk(uow, "a", HOUR, job_id=job.job_id)
    assert chunk is not None
    seen: list[bool] = []

    def work(chunk_uow: SqlAlchemyUnitOfWork, c: JobChunk) -> ChunkCounts:
        seen.append(gc.isenabled())
        return issue_chunk(chunk_uow, job, c)[0]

    assert run_claimed(uow, chunk, "a", work, HOUR) is not None
    assert seen == [False] and gc.isenabled()


def test_on_postgresql_a_holder_at_work_keeps_its_chunk_past_its_lease(
    signing: Signing, postgres_server: str
) -> None:
    """The cause of one issuer doing a whole batch while another's work was thrown away: a
    chunk that outlasted its lease went to the next executor to finish one. Now the work's
    transaction holds the chunk's row, and claimers skip it, lease or not."""
    with ThrowawayPostgres(postgres_server) as url:
        engine = create_database_engine(url)
        upgrade_database(engine)
        sessions = create_session_factory(engine)
        try:
            job = planned(SqlAlchemyUnitOfWork(sessions), signing, 5)
            # a lease that runs out while the chunk is worked on (renewed as lapsed, too)
            slow = claim_chunk(SqlAlchemyUnitOfWork(sessions), "slow", LAPSED, job_id=job.job_id)
            assert slow is not None
            others: list[JobChunk | None] = []

            def work(chunk_uow: SqlAlchemyUnitOfWork, chunk: JobChunk) -> ChunkCounts:
                # meanwhile others claim: this chunk by name (a broker's task), or any
                others.append(
                    claim_chunk(SqlAlchemyUnitOfWork(sessions), "eager", HOUR, chunk_id=chunk.id)
                )
                others.append(
                    claim_chunk(SqlAlchemyUnitOfWork(sessions), "eager", HOUR, job_id=job.job_id)
                )
                return issue_chunk(chunk_uow, job, chunk)[0]

            counts = run_claimed(SqlAlchemyUnitOfWork(sessions), slow, "slow", work, LAPSED)
            assert counts is not None and counts.issued == 2  # kept: the work was not lost
            held, other = others
            assert held is None  # the chunk at work was skipped...
            assert other is not None and other.seq == slow.seq + 1  # ...for the next one
            progress = job_progress(SqlAlchemyUnitOfWork(sessions), job.job_id)
            assert (progress.done_chunks, progress.counts.issued) == (1, 2)
        finally:
            engine.dispose()
