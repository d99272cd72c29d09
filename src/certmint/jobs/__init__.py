"""Jobs on a broker: the Celery application, its chunk tasks and the worker (``certmint worker``).

Without ``CERTMINT_BROKER_URL`` nothing here is used: jobs run in the process that starts them.
With it, ``certmint issue`` plans a job, enqueues one task per chunk, and any number of workers
run them through the same service code (``services.jobs``) as the in-process executor.
"""

from __future__ import annotations

from certmint.jobs.celery_app import enqueue_issue_chunks, make_celery, run_worker

__all__ = ["enqueue_issue_chunks", "make_celery", "run_worker"]
