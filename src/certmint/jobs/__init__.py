"""Jobs on a broker: the Celery application, its chunk tasks and the worker (``certmint worker``).

Without ``CERTMINT_BROKER_URL`` nothing here is used: jobs run in the process that starts them.
With it, ``certmint issue``, the admin pages' "Issue now" and the API plan a job and enqueue
one task per chunk (``services.issuance.awards.queue_issue``), and any number of workers
run them through the same service code (``services.issuance.jobs``) as the in-process executor.
"""

from __future__ import annotations

from certmint.jobs.celery_app import chunk_queue, make_celery, run_worker

__all__ = ["chunk_queue", "make_celery", "run_worker"]
