"""The Celery application: made from settings, never at import time.

Tasks are acknowledged late (after they return), so a task whose worker died before finishing
is delivered again, and soon after the chunk's lease runs out:

* a process of a ``--concurrency`` pool that dies is noticed by its parent, which rejects its
  task back to the queue at once (``task_reject_on_worker_lost``);
* a whole worker that vanishes (SIGKILL, a lost host) cannot say anything. Redis holds each
  delivered message until it is acknowledged, and every worker regularly puts back those held
  longer than the visibility timeout. A live worker holds a message while it runs the chunk
  (within the lease) or waits a few seconds for a chunk another executor holds, so the timeout
  is the lease plus that wait: a message older than that belongs to a dead worker. Redis's
  default of an hour would leave the job waiting for that long.

That is safe because a chunk task is idempotent: a chunk already done is left alone, one still
held by a live executor is retried once its lease runs out, and a chunk's work commits with its
done mark only while the claim is still the executor's own.

Messages can also be lost outright: Redis restarted without persistence, a FLUSHDB, a message
dropped. Then no worker ever hears of the job's remaining chunks. So every worker's main
process looks, every quarter of ``quiet_after``, for jobs that nobody has touched for that long
(the visibility timeout plus a restore sweep: by then even a dead worker's message would have
come back) and, if the queue is empty (else their messages may just be waiting behind others),
restarts them: re-queues their open chunks, once, whichever worker gets there first
(``services.issuance.on_broker.requeue_quiet_issues``).
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

from celery import Celery, bootsteps

from certmint.adapters.broker import (
    RESTORE_SWEEP_SECONDS,
    RETRY_BUSY_SECONDS,
    CeleryChunkQueue,
    celery_app,
)
from certmint.bootstrap import bootstrap
from certmint.config import Settings
from certmint.jobs.tasks import register_tasks
from certmint.services.issuance.on_broker import requeue_quiet_issues

__all__ = ["make_celery", "quiet_after", "run_worker"]

log = logging.getLogger(__name__)


def quiet_after(settings: Settings) -> timedelta:
    """How long a job must go untouched before its messages count as lost: a live worker
    holds a message for at most the visibility timeout, and a dead one's is back within a
    restore sweep after that."""
    return timedelta(
        seconds=settings.job_lease_seconds + RETRY_BUSY_SECONDS + RESTORE_SWEEP_SECONDS
    )


def make_celery(settings: Settings) -> Celery:
    """The application with the chunk tasks registered (a worker's)."""
    if not settings.broker_url:
        raise ValueError("CERTMINT_BROKER_URL is not set: jobs run in-process")
    app = celery_app(settings.broker_url, lease_seconds=settings.job_lease_seconds)
    register_tasks(app, settings)
    return app


def _quiet_job_sweep(app: Celery, settings: Settings) -> type[bootsteps.StartStopStep]:
    """A worker step: on the worker's timer (in its main process, between tasks when it has
    no pool), re-queue the chunks of jobs whose messages were lost."""
    quiet = quiet_after(settings)
    queue = CeleryChunkQueue(app)

    class QuietJobSweep(bootsteps.StartStopStep):  # type: ignore[misc]
        requires = ("celery.worker.components:Timer",)

        def __init__(self, parent: Any, **kwargs: Any) -> None:
            super().__init__(parent, **kwargs)
            self.timer_ref: Any = None
            self.container: Any = None

        def start(self, parent: Any) -> None:
            # Connections only while sweeping: a pool's parent forks its children later.
            self.container = bootstrap(settings, pooled=False)
            self.timer_ref = parent.timer.call_repeatedly(
                quiet.total_seconds() / 4, self.sweep, priority=10
            )

        def stop(self, parent: Any) -> None:
            if self.timer_ref is not None:
                self.timer_ref.cancel()
            if self.container is not None:
                self.container.close()

        def sweep(self) -> None:
            try:
                requeue_quiet_issues(
                    self.container.uow(),
                    queue,
                    quiet,
                    queue_is_empty=queue.is_empty,
                )
            except Exception:  # the database or the broker is away: try again next time
                log.exception("looking for quiet jobs failed")

    return QuietJobSweep


def run_worker(settings: Settings, *, concurrency: int, loglevel: str = "INFO") -> None:
    """Run a worker in this process until it is stopped (one process for one task at a time,
    else a pool of ``concurrency`` processes)."""
    app = make_celery(settings)
    app.steps["worker"].add(_quiet_job_sweep(app, settings))
    pool = ["--pool", "solo"] if concurrency == 1 else ["--concurrency", str(concurrency)]
    app.worker_main(
        [
            "worker",
            "--loglevel",
            loglevel,
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"certmint-{os.getpid()}@%h",
            *pool,
        ]
    )
