"""Executors: who runs a planned job's chunks. One is chosen at start-up (``bootstrap``: in this
process for the embedded default, the broker's workers when one is configured) and every
trigger hands its jobs to it through ``services.issuance.requests``."""

from __future__ import annotations

from typing import Protocol

from certmint.services.issuance.outcome import IssueSummary, Progress
from certmint.services.issuance.planning import IssueJob

__all__ = ["Executor", "Running"]


class Running(Protocol):
    """A job handed to an executor, as whoever requested it sees it."""

    job: IssueJob

    @property
    def detached(self) -> bool:
        """True when the work goes on without this process (workers elsewhere run it), so the
        requester may leave without waiting."""
        ...

    def wait(self, progress: Progress | None = None) -> IssueSummary:
        """Until the job is done; what this executor issued of it (others racing it on the
        same job count their share as already held). Raises what stopped the work."""
        ...


class Executor(Protocol):
    """Runs the open chunks of planned jobs; ``start`` returns at once."""

    def start(self, job: IssueJob) -> Running: ...
