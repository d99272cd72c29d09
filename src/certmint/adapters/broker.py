"""The Celery broker as Certmint uses it: an application configured for chunk tasks, and the
queue that hands a job's chunks to the workers (one task per chunk). Imported only when
``CERTMINT_BROKER_URL`` is set (Celery is an optional dependency), so not re-exported by the
package.

Tasks are acknowledged late (after they return), so a task whose worker died before finishing
is delivered again soon after the chunk's lease runs out: Redis holds each delivered message
until it is acknowledged, and every worker regularly puts back those held longer than the
visibility timeout, the lease plus the wait of a task whose chunk another executor holds.
Redis's default of an hour would leave the job waiting for that long.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from celery import Celery

__all__ = [
    "ISSUE_CHUNK",
    "RESTORE_SWEEP_SECONDS",
    "RETRY_BUSY_SECONDS",
    "CeleryChunkQueue",
    "celery_app",
]

ISSUE_CHUNK = "certmint.issue_chunk"
#: How long a task whose chunk another executor holds waits before it looks again, at most.
RETRY_BUSY_SECONDS = 5.0
#: How often each idle worker looks for messages of dead workers to put back (Redis).
RESTORE_SWEEP_SECONDS = 5


def celery_app(broker_url: str, *, lease_seconds: float) -> Celery:
    """The application, for the workers (who register the tasks) and those who queue."""
    app = Celery("certmint", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a chunk is a second or two of work: don't hoard them
        task_ignore_result=True,  # progress lives in the database, not in a result backend
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": lease_seconds + RETRY_BUSY_SECONDS,
            "unacked_restore_interval": RESTORE_SWEEP_SECONDS,
            "unacked_restore_throttle": 1,  # sweep each time, not every tenth
        },
    )
    return app


class CeleryChunkQueue:
    """Hands a job's chunks to the workers: one task per chunk, sent over one broker
    connection (the application is made once and kept, so a web process does not build one
    per request)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def __call__(self, organisation_id: UUID, job_id: UUID, chunk_ids: Sequence[UUID]) -> None:
        with self.app.producer_or_acquire() as producer:
            for chunk_id in chunk_ids:
                self.app.send_task(
                    ISSUE_CHUNK,
                    args=[str(organisation_id), str(job_id), str(chunk_id)],
                    producer=producer,
                )

    def is_empty(self) -> bool:
        """No message waits in the chunk tasks' queue (those delivered and not acknowledged
        yet are not counted: their workers hold their chunks)."""
        with self.app.connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(
                queue=self.app.conf.task_default_queue
            )
            return not declared.message_count
