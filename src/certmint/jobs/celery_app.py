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
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from uuid import UUID

from celery import Celery

from certmint.config import Settings
from certmint.jobs.tasks import ISSUE_CHUNK, RETRY_BUSY_SECONDS, register_tasks
from certmint.services.issuance import QueueChunks

__all__ = ["chunk_queue", "make_celery", "run_worker"]

#: How often each idle worker looks for messages of dead workers to put back (Redis).
RESTORE_SWEEP_SECONDS = 5


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("CERTMINT_BROKER_URL is not set: jobs run in-process")
    app = Celery("certmint", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a chunk is a second or two of work: don't hoard them
        task_ignore_result=True,  # progress lives in the database, not in a result backend
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.job_lease_seconds + RETRY_BUSY_SECONDS,
            "unacked_restore_interval": RESTORE_SWEEP_SECONDS,
            "unacked_restore_throttle": 1,  # sweep each time, not every tenth
        },
    )
    register_tasks(app, settings)
    return app


def chunk_queue(settings: Settings) -> QueueChunks:
    """How ``certmint issue``, "Issue now" and the API hand a job's chunks to the workers:
    one task per chunk, sent over one broker connection (the Celery application is made once
    and kept, so a web process does not build one per request)."""
    app = make_celery(settings)

    def enqueue(organisation_id: UUID, job_id: UUID, chunk_ids: Sequence[UUID]) -> None:
        with app.producer_or_acquire() as producer:
            for chunk_id in chunk_ids:
                app.send_task(
                    ISSUE_CHUNK,
                    args=[str(organisation_id), str(job_id), str(chunk_id)],
                    producer=producer,
                )

    return enqueue


def run_worker(settings: Settings, *, concurrency: int, loglevel: str = "INFO") -> None:
    """Run a worker in this process until it is stopped (one process for one task at a time,
    else a pool of ``concurrency`` processes)."""
    app = make_celery(settings)
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
