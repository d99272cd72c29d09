"""The broker's executor: a planned job's open chunks are handed to a queue whose workers run
them (``jobs/``: one task per chunk, ``services.issuance.chunks.run_issue_chunk``); whoever
requested the job may follow it or leave."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from uuid import UUID

from certmint.services.issuance.jobs import open_chunk_ids, quiet_jobs, restart_quiet_job
from certmint.services.issuance.outcome import IssueSummary, Progress, follow_issue
from certmint.services.issuance.planning import JOB_KIND, IssueJob
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["BrokerExecutor", "QueueChunks", "requeue_quiet_issues"]

log = logging.getLogger(__name__)

#: Hands chunks to a broker's workers: (organisation id, job id, chunk ids).
QueueChunks = Callable[[UUID, UUID, Sequence[UUID]], None]


class _Queued:
    """A job whose chunks wait for the workers."""

    detached = True

    def __init__(self, job: IssueJob, new_uow: Callable[[], UnitOfWork]) -> None:
        self.job = job
        self._new_uow = new_uow

    def wait(self, progress: Progress | None = None) -> IssueSummary:
        return follow_issue(self._new_uow(), self.job, progress=progress)


class BrokerExecutor:
    """Queues every chunk of a job not done yet. A job already under way is queued again as
    it stands: a task whose chunk is done does nothing, and one whose chunk a live executor
    holds waits for it, so repeating costs a few messages and resumes the chunks whose
    messages were lost."""

    def __init__(self, new_uow: Callable[[], UnitOfWork], queue: QueueChunks) -> None:
        self._new_uow = new_uow
        self._queue = queue

    def start(self, job: IssueJob) -> _Queued:
        organisation_id = job.ctx.organisation.id
        self._queue(organisation_id, job.job_id, open_chunk_ids(self._new_uow(), job.job_id))
        return _Queued(job, self._new_uow)


def requeue_quiet_issues(
    uow: UnitOfWork,
    queue: QueueChunks,
    quiet: timedelta,
    *,
    queue_is_empty: Callable[[], bool],
) -> list[UUID]:
    """Hand the chunks of every issue job untouched for ``quiet`` to ``queue`` again (their
    messages were lost: the broker restarted without its data, was flushed, dropped one); the
    jobs restarted. A job still waiting behind others' messages is silent too, so nothing is
    re-queued unless the broker's queue is empty (asked only when some job is quiet)."""
    quiet_ones = quiet_jobs(uow, JOB_KIND, quiet)
    if not quiet_ones:
        return []
    if not queue_is_empty():
        log.info(
            "%d job(s) untouched for %g s, but messages are waiting in the queue: "
            "theirs may be among them",
            len(quiet_ones),
            quiet.total_seconds(),
        )
        return []
    restarted = []
    for job in quiet_ones:
        chunk_ids = restart_quiet_job(uow, job, quiet)
        if chunk_ids is not None:
            log.warning(
                "job %s was untouched for %g s: re-queued its %d chunk(s)",
                job.id,
                quiet.total_seconds(),
                len(chunk_ids),
            )
            queue(job.organisation_id, job.id, chunk_ids)
            restarted.append(job.id)
    return restarted
