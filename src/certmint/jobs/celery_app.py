"""The Celery application: made from settings, never at import time.

Tasks are acknowledged late (after they return) and a task whose worker process died is
rejected back to the broker (``task_reject_on_worker_lost``), so a lost worker's chunk is
delivered again. That is safe because a chunk task is idempotent: a chunk already done is
left alone, and one still held by a live executor is retried once its lease runs out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from uuid import UUID

from celery import Celery

from certmint.config import Settings
from certmint.jobs.tasks import ISSUE_CHUNK, register_tasks
from certmint.services.issuance import QueueChunks

__all__ = ["chunk_queue", "make_celery", "run_worker"]

#: A message taken by a worker that vanished without a trace (a lost host, not just a killed
#: process) goes back to the queue after this long.
VISIBILITY_TIMEOUT_SECONDS = 600


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
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
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
