"""Running a job's chunks: claim one, do it in one transaction that also marks it done, repeat.

The same steps serve every executor: the process that started the job runs
``run_until_complete``; a Celery worker runs ``run_claimed`` for the chunk its task names. A
claim is committed on its own with a lease, so other executors skip the chunk while its holder
works (the work's transaction also holds the chunk, however long it takes), and take it over
once the lease has run out with its holder gone (it died). The work and the "done"
mark commit together, and "done" is only written while the claim is still the executor's own:
a chunk is never counted twice, and the database's unique indexes keep a chunk redone after a
takeover from duplicating anything.

A chunk is written only while its job may run: once its organisation is suspended, the next
chunk's transaction (whichever executor runs it) writes nothing and cancels the job
(``run_claimed``); reinstating the organisation does not resume it.

A job whose executors are all gone (its broker's messages lost) is found by its silence
(``quiet_jobs``) and restarted once (``restart_quiet_job``), whoever else is looking.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

from certmint.domain.jobs import ChunkCounts, Job, JobChunk, JobProgress, JobStatus
from certmint.services.audit import record
from certmint.services.errors import Conflict
from certmint.services.unit_of_work import ConcurrentTransaction, OpenUnitOfWork, UnitOfWork

__all__ = [
    "DEFAULT_LEASE",
    "SUSPENDED",
    "JobCancelled",
    "claim_chunk",
    "executor_name",
    "job_progress",
    "mark_job",
    "open_chunk_ids",
    "quiet_jobs",
    "restart_quiet_job",
    "run_claimed",
    "run_until_complete",
    "wait_seconds",
]

log = logging.getLogger(__name__)

#: How long a claim stays another executor's; a chunk of 1,000 certificates takes a second or
#: two, so only a dead (or stuck) executor lets it run out.
DEFAULT_LEASE = timedelta(seconds=60)
MAX_CHUNK_ATTEMPTS = 5
POLL_SECONDS = 0.5

#: Why a job was cancelled, as its page and its API say it.
SUSPENDED = "the organisation was suspended"

#: Does a chunk's work inside the open unit of work (without committing); says what it did.
ChunkWork = Callable[[OpenUnitOfWork, JobChunk], ChunkCounts]


class JobCancelled(Conflict):
    """The job was cancelled (``reason``): no chunk of it is written any more, by anyone;
    requesting the issuance again starts a new job for the rest."""

    def __init__(self, job_id: UUID, reason: str) -> None:
        super().__init__(f"job {job_id} was cancelled: {reason}")
        self.job_id = job_id
        self.reason = reason


def executor_name() -> str:
    """Who holds a claim: host and process, plus a random part so that two runs in the same
    process are told apart."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"


def claim_chunk(
    uow: UnitOfWork,
    owner: str,
    lease: timedelta,
    *,
    job_id: UUID | None = None,
    chunk_id: UUID | None = None,
) -> JobChunk | None:
    """Claim (and commit the claim of) the job's next claimable chunk, or exactly ``chunk_id``."""
    now = datetime.now(UTC)
    with uow as tx:
        chunk = tx.jobs.claim_chunk(
            job_id=job_id, chunk_id=chunk_id, owner=owner, now=now, lease_until=now + lease
        )
        tx.commit()
    return chunk


class _CollectorPause:
    """Hold off Python's cyclic garbage collector while a chunk runs.

    A chunk keeps a thousand credentials (tens of thousands of dicts and lists) alive until it
    commits, and allocates millions more that plain reference counting frees. The collector
    kept re-scanning the survivors: a sixth of a bulk issuance's CPU time went to it. A chunk
    is bounded, so the few cycles it leaves (sessions, tracebacks) wait for the collector to
    run after it. Counted, so that chunks overlapping on threads resume it after the last one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._resume:
                    gc.enable()


cyclic_gc_paused = _CollectorPause()


def run_claimed(
    uow: UnitOfWork,
    chunk: JobChunk,
    owner: str,
    work: ChunkWork,
    lease: timedelta = DEFAULT_LEASE,
) -> ChunkCounts | None:
    """Do a claimed chunk and mark it done in one transaction. A transaction that loses a race
    (a concurrent writer took a status index first, or a deadlock between two writers aborted
    this one) is redone; None when
    the claim was lost to another executor meanwhile (nothing of this run is kept).

    The transaction first renews the claim, which keeps it for as long as the work takes,
    lease or not: on PostgreSQL the renewal locks the chunk's row until commit, and claimers
    skip locked rows; on SQLite the transaction holds the only write lock. Only a dead
    executor's chunk (its transaction gone with it) becomes claimable when the lease runs out.
    Without this, an executor whose chunk outlasted its lease (a busy machine, a short lease)
    lost it to the next one to finish a chunk, which redid it while the first one's work was
    thrown away, chunk after chunk. And a claim already lost (the lease ran out while waiting
    for the transaction, on SQLite) is let go before any work is done.

    A job that may not run (its organisation was suspended, or it was cancelled for that)
    writes nothing more: the job is cancelled and ``JobCancelled`` raised, so that every
    executor stops at its next chunk, in this one place.
    """
    for attempt in range(1, MAX_CHUNK_ATTEMPTS + 1):
        try:
            with cyclic_gc_paused(), uow as tx:
                if not tx.jobs.renew_claim(chunk, owner, datetime.now(UTC) + lease):
                    log.warning("chunk %s of job %s was taken over", chunk.seq, chunk.job_id)
                    return None
                if not tx.jobs.may_run(chunk.job_id):
                    break  # rolled back: nothing of the chunk is written
                counts = work(tx, chunk)
                if not tx.jobs.finish_chunk(chunk, owner, counts, datetime.now(UTC)):
                    log.warning("chunk %s of job %s was taken over", chunk.seq, chunk.job_id)
                    return None
                tx.commit()
                return counts
        except ConcurrentTransaction:
            log.info("chunk %s lost a race (attempt %d); redoing it", chunk.seq, attempt)
    else:
        raise Conflict(
            f"a chunk kept colliding with concurrent work after {MAX_CHUNK_ATTEMPTS} tries"
        )
    with uow as tx:  # once, whoever gets here first; a job cancelled earlier stays so
        mark_job(tx, chunk.job_id, JobStatus.CANCELLED, error=SUSPENDED)
        tx.commit()
    raise JobCancelled(chunk.job_id, SUSPENDED)


def open_chunk_ids(uow: UnitOfWork, job_id: UUID) -> list[UUID]:
    """The job's chunks not done yet (what to hand to a broker; the last one when all are
    done, so that its task marks the job finished)."""
    with uow as tx:
        return tx.jobs.open_chunk_ids(job_id)


def quiet_jobs(uow: UnitOfWork, kind: str, quiet: timedelta) -> list[Job]:
    """Unfinished jobs of ``kind`` that nobody has touched for ``quiet``: not (re)started, no
    chunk finished, and no claim renewed or running out within that time. Nobody holds their
    open chunks, and nobody has run one lately."""
    with uow as tx:
        return tx.jobs.quiet(kind, datetime.now(UTC) - quiet)


def restart_quiet_job(uow: UnitOfWork, job: Job, quiet: timedelta) -> list[UUID] | None:
    """Restart a quiet job (as running it again would): its chunks to hand to a broker, or
    None when it was touched meanwhile, by another executor or by another sweeper that
    restarted it first. The restart counts as touching it, so it is restarted once per
    ``quiet`` at most, however many sweepers look."""
    now = datetime.now(UTC)
    with uow as tx:
        if not tx.jobs.restart_if_quiet(job.id, now - quiet, now):
            return None
        chunk_ids = tx.jobs.open_chunk_ids(job.id)
        record(
            tx,
            organisation_id=job.organisation_id,
            actor="system",
            action="job.requeued",
            subject_type="job",
            subject_id=job.id,
            reason=f"untouched for {quiet.total_seconds():g} s with chunks left to run",
            details={"chunks": len(chunk_ids)},
            at=now,
        )
        tx.commit()
    return chunk_ids


def job_progress(uow: UnitOfWork, job_id: UUID, *, owner: str | None = None) -> JobProgress:
    with uow as tx:
        return tx.jobs.progress(job_id, owner=owner)


def run_until_complete(
    uow: UnitOfWork,
    job_id: UUID,
    owner: str,
    work: ChunkWork,
    *,
    lease: timedelta = DEFAULT_LEASE,
    committed: Callable[[JobChunk], None] | None = None,
    progress: Callable[[JobProgress], None] | None = None,
) -> JobProgress:
    """Run the job's chunks in this process until every one is done, by anyone: claim the
    next, run it; when the rest are claimed by others, wait for them (or for a dead
    holder's lease to run out, then take its chunk over). ``committed`` hears of each chunk
    this process did; ``progress`` of the whole job after each step."""
    while True:
        chunk = claim_chunk(uow, owner, lease, job_id=job_id)
        if (
            chunk is not None
            and run_claimed(uow, chunk, owner, work, lease) is not None
            and committed
        ):
            committed(chunk)
        current = job_progress(uow, job_id)
        if progress is not None:
            progress(current)
        if current.complete:
            return current
        if chunk is None:
            time.sleep(wait_seconds(current))


def wait_seconds(progress: JobProgress) -> float:
    """How long to wait for chunks others hold: until the earliest lease runs out, at most
    ``POLL_SECONDS``."""
    """Until the earliest lease runs out, polling meanwhile for chunks finished by others."""
    if progress.earliest_lease is None:
        return POLL_SECONDS
    left = (progress.earliest_lease - datetime.now(UTC)).total_seconds()
    return min(POLL_SECONDS, max(left, 0.0) + 0.01)


def mark_job(
    tx: OpenUnitOfWork, job_id: UUID, status: JobStatus, *, error: str | None = None
) -> bool:
    """Set a job's final status (inside the open unit of work); False when it already had it
    (another executor finished it first), so the caller records the outcome once."""
    return tx.jobs.finish(job_id, status, datetime.now(UTC), error=error)
