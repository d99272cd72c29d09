"""Chunk tasks: each worker process opens its own container from settings and keeps, per job,
what every chunk of it shares (the achievement, the unsealed key), so a chunk pays only for its
own learners."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from celery import Celery, Task

from certmint.adapters.broker import ISSUE_CHUNK, RETRY_BUSY_SECONDS
from certmint.bootstrap import Container, bootstrap
from certmint.config import Settings
from certmint.services.issuance.chunks import run_issue_chunk
from certmint.services.issuance.jobs import JobCancelled, executor_name
from certmint.services.issuance.outcome import fail_issue_job
from certmint.services.issuance.planning import IssueJob, load_issue_job

__all__ = ["register_tasks"]

log = logging.getLogger(__name__)


class _Process:
    """This worker process's container and claim name (made after the fork, never shared)."""

    def __init__(self, settings: Settings) -> None:
        self.container: Container = bootstrap(settings)
        self.owner = executor_name()
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        self.issue_job = lru_cache(maxsize=8)(self._load)

    def _load(self, organisation_id: UUID, job_id: UUID) -> IssueJob:
        return load_issue_job(self.container.uow(), self.container.signing, organisation_id, job_id)


def register_tasks(app: Celery, settings: Settings) -> None:
    processes: dict[int, _Process] = {}

    def current() -> _Process:
        pid = os.getpid()
        if pid not in processes:
            processes.clear()  # a forked child must not reuse its parent's connections
            processes[pid] = _Process(settings)
        return processes[pid]

    @app.task(name=ISSUE_CHUNK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
    def issue_chunk(self: Task[Any, Any], organisation_id: str, job_id: str, chunk_id: str) -> None:
        process = current()
        job = process.issue_job(UUID(organisation_id), UUID(job_id))
        try:
            retry_at = run_issue_chunk(
                process.container.uow(),
                job,
                UUID(chunk_id),
                process.owner,
                process.lease,
                announce=process.container.deliveries.wake,  # the e-mails and webhook events
            )
        except JobCancelled as cancelled:  # its organisation was suspended: nothing to retry
            log.info("chunk %s of job %s not run: %s", chunk_id, job_id, cancelled)
            return
        except Exception as exc:
            log.exception("chunk %s of job %s failed", chunk_id, job_id)
            fail_issue_job(process.container.uow(), job.job_id, exc)
            raise
        if retry_at is not None:  # another executor holds it: look again soon (done by then,
            # or its lease has run out and the chunk is ours to take over)
            wait = (retry_at - datetime.now(UTC)).total_seconds()
            raise self.retry(countdown=min(max(wait, 1.0), RETRY_BUSY_SECONDS))
