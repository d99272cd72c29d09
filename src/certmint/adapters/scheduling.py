"""Work a server process repeats on its own (writing view counts, sending and purging e-mail).

One scheduler per process runs every job, one at a time, on the event loop's thread pool:
the jobs share the database, and run one after another they never hold two of its
connections at once or race each other. A failed run is logged and tried again at its next
turn (the database or the mail server may be away for a moment); cancelling the task that
runs the scheduler stops it between runs or abandons the wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Periodic", "Scheduler"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """``run`` (blocking: it runs on a worker thread) every ``every`` seconds, the first time
    ``first`` seconds after the start (``every`` when not given)."""

    name: str
    every: float
    run: Callable[[], object]
    first: float | None = None


class Scheduler:
    def __init__(self, jobs: Sequence[Periodic], clock: Callable[[], float] = time.monotonic):
        self.jobs = tuple(jobs)
        self._clock = clock

    async def run(self) -> None:
        """Run the jobs as they fall due, until cancelled."""
        start = self._clock()
        due = [start + (job.first if job.first is not None else job.every) for job in self.jobs]
        while self.jobs:
            turn = min(range(len(self.jobs)), key=due.__getitem__)
            await asyncio.sleep(max(0.0, due[turn] - self._clock()))
            job = self.jobs[turn]
            try:
                await asyncio.to_thread(job.run)
            except Exception:
                log.exception("%s failed; will try again in %g s", job.name, job.every)
            due[turn] = self._clock() + job.every
