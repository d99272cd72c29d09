"""The in-process executor (the embedded default): a job's chunks run on a thread of the
process that requested it, alongside any other process working on the same job.

A job cut short with its process (a restart, a SIGKILL) resumes when it is requested again:
its done chunks stay done (``services.issuance.jobs``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from certmint.domain.jobs import ChunkCounts, JobChunk
from certmint.services.issuance.chunks import Announce, issue_chunk
from certmint.services.issuance.jobs import (
    DEFAULT_LEASE,
    executor_name,
    job_progress,
    run_until_complete,
)
from certmint.services.issuance.outcome import (
    IssueSummary,
    Progress,
    fail_issue_job,
    finish_if_complete,
    summarise,
)
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuance.pipeline import run_pipelined
from certmint.services.issuance.planning import CHUNK_SIZE, IssueJob, IssueRequest, plan_issue
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = ["InProcessExecutor", "issue_achievement"]

#: Runs work in the background: a thread of its own by default; tests run it at once.
Runner = Callable[[Callable[[], None]], None]
POLL_SECONDS = 0.1
#: Jobs smaller than this run without the signing pool: starting its processes costs about a
#: second of CPU, more than signing a few hundred credentials.
PIPELINE_FROM = 2 * CHUNK_SIZE


def _in_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="certmint-issue", daemon=True).start()


def run_job(
    uow: UnitOfWork,
    job: IssueJob,
    *,
    lease: timedelta = DEFAULT_LEASE,
    progress: Progress | None = None,
    announce: Announce | None = None,
    pool: SigningPool | None = None,
) -> IssueSummary:
    """Run the planned job's chunks in this thread until every one is done, by anyone; what
    this run issued itself. With ``pool``, chunks sign there while this thread writes the
    previous one (``services.issuance.pipeline``)."""
    owner = executor_name()
    issued: dict[UUID, list[UUID]] = {}  # per chunk, from its latest attempt

    def work(tx: OpenUnitOfWork, chunk: JobChunk) -> ChunkCounts:
        counts, ids = issue_chunk(tx, job, chunk, announce)
        issued[chunk.id] = ids
        return counts

    kept: list[UUID] = []
    advance = None if progress is None else lambda p: progress(p.counts.considered, job.total)
    try:
        if pool is not None:
            final = run_pipelined(
                uow,
                job,
                owner,
                pool,
                lease=lease,
                announce=announce,
                committed=lambda _chunk, ids: kept.extend(ids),
                progress=advance,
            )
        else:
            final = run_until_complete(
                uow,
                job.job_id,
                owner,
                work,
                lease=lease,
                committed=lambda chunk: kept.extend(issued.pop(chunk.id)),
                progress=advance,
            )
    except BaseException as exc:
        fail_issue_job(uow, job.job_id, exc)
        raise
    finish_if_complete(uow, job)
    mine = job_progress(uow, job.job_id, owner=owner).counts
    return summarise(job.job_id, job.ctx.achievement.id, final.counts, mine, kept)


def issue_achievement(
    uow: UnitOfWork,
    signing: Signing,
    request: IssueRequest,
    *,
    lease: timedelta = DEFAULT_LEASE,
    progress: Progress | None = None,
    pool: SigningPool | None = None,
) -> IssueSummary:
    """Plan and run a job here and now, in the calling thread (the demo, benchmarks and tests;
    triggers go through ``services.issuance.requests``).

    A ``manual`` request is an award by hand: its learners, if enrolled in the batch, are
    awarded whatever the criteria say, and ``reason`` records why. Either way nobody gets a
    second current certificate of the same achievement.
    """
    job = plan_issue(uow, signing, request)
    return run_job(uow, job, lease=lease, progress=progress, pool=pool)


class _Run:
    """One job on the in-process executor: its latest progress, then its summary or error."""

    detached = False

    def __init__(self, job: IssueJob) -> None:
        self.job = job
        self.finished = threading.Event()
        self.done = (0, job.total)
        self.summary: IssueSummary | None = None
        self.error: BaseException | None = None

    def advance(self, done: int, total: int) -> None:
        self.done = (done, total)

    def wait(self, progress: Progress | None = None) -> IssueSummary:
        while not self.finished.wait(POLL_SECONDS if progress else None):
            if progress is not None:
                progress(*self.done)
        if progress is not None:
            progress(*self.done)
        if self.error is not None:
            raise self.error
        assert self.summary is not None
        return self.summary


class InProcessExecutor:
    """Runs each job on a thread of this process (``run``), one run per job at a time: a job
    requested again while it runs here is the same run."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        *,
        lease: timedelta = DEFAULT_LEASE,
        announce: Announce | None = None,
        pool: SigningPool | None = None,
        run: Runner = _in_thread,
    ) -> None:
        self._new_uow = new_uow
        self._lease = lease
        self._announce = announce
        self._pool = pool
        self._run = run
        self._lock = threading.Lock()
        self._running: dict[UUID, _Run] = {}

    def start(self, job: IssueJob) -> _Run:
        with self._lock:
            if job.job_id in self._running:
                return self._running[job.job_id]
            run = self._running[job.job_id] = _Run(job)

        def work() -> None:
            try:
                run.summary = run_job(
                    self._new_uow(),
                    job,
                    lease=self._lease,
                    progress=run.advance,
                    announce=self._announce,
                    pool=self._pool if job.total >= PIPELINE_FROM else None,
                )
            except BaseException as exc:  # handed to whoever waits for the run
                run.error = exc
            finally:
                with self._lock:
                    del self._running[job.job_id]
                run.finished.set()

        self._run(work)
        return run
