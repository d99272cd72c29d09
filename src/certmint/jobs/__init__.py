"""Jobs on a broker: the Celery application, its chunk tasks and the worker (``certmint worker``).

Without ``CERTMINT_BROKER_URL`` nothing here is used: jobs run in the process that starts them.
With it, ``bootstrap`` chooses the broker's executor (``services.issuance.on_broker``), so every
trigger (``certmint issue``, "Issue now", the API, automatic issuance after an import) plans
its job and enqueues one task per chunk (``adapters.broker``), and any number of workers run
them through the same service code (``services.issuance.chunks``) as the in-process executor,
sending each chunk's e-mails and webhook events once it has committed.
"""

from __future__ import annotations

from certmint.jobs.celery_app import make_celery, run_worker

__all__ = ["make_celery", "run_worker"]
