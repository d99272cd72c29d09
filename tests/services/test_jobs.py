"""Chunk claims: one executor per chunk, a lapsed lease taken over, a lost claim never counted."""

from __future__ import annotations

import gc
import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certmint.domain.jobs import ChunkCounts, ChunkStatus, JobChunk
from certmint.services.issuance import IssueJob, issue_chunk, plan_issue, run_issue_chunk
from certmint.services.jobs import (
    claim_chunk,
    cyclic_gc_paused,
    job_progress,
    run_claimed,
    run_until_complete,
)
from certmint.services.signing import Signing
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import upgrade_database
from certmint.storage.tables import CertificateRow, JobChunkRow, JobRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import ThrowawayPostgres, _postgres_server_url, require_service
from tests.factories import enrolment_row, scenario

HOUR = timedelta(hours=1)
LAPSED = timedelta(seconds=-1)  # a claim whose holder is as good as dead


def planned(uow: SqlAlchemyUnitOfWork, signing: Signing, learners: int) -> IssueJob:
    rows = [enrolment_row(f"L{i}") for i in range(learners)]
    s = scenario(uow, signing, rows, criteria={"completed": True})
    return plan_issue(uow, signing, s.organisation.id, s.achievement_id, chunk_size=2)


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


def test_on_postgresql_a_holder_at_work_keeps_its_chunk_past_its_lease(signing: Signing) -> None:
    """The cause of one issuer doing a whole batch while another's work was thrown away: a
    chunk that outlasted its lease went to the next executor to finish one. Now the work's
    transaction holds the chunk's row, and claimers skip it, lease or not."""
    server = _postgres_server_url()
    if server is None:
        require_service("set CERTMINT_TEST_POSTGRES_URL to a PostgreSQL server")
        return
    with ThrowawayPostgres(server) as url:
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
