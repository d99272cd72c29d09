"""The scheduler runs each job at its interval, one at a time, and outlives a failed run."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import suppress

import pytest

from certmint.adapters import Periodic, Scheduler


def _run_for(scheduler: Scheduler, seconds: float) -> None:
    async def run() -> None:
        task = asyncio.create_task(scheduler.run())
        await asyncio.sleep(seconds)
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    asyncio.run(run())


def test_jobs_run_at_their_own_intervals_one_at_a_time() -> None:
    runs: list[str] = []
    busy = threading.Lock()
    overlapped: list[str] = []

    def job(name: str) -> None:
        if not busy.acquire(blocking=False):
            overlapped.append(name)
            return
        try:
            runs.append(name)
            time.sleep(0.01)
        finally:
            busy.release()

    scheduler = Scheduler(
        [
            Periodic("often", 0.05, lambda: job("often")),
            Periodic("once", 3600, lambda: job("once"), first=0.05),
        ]
    )
    _run_for(scheduler, 0.6)
    assert overlapped == []
    assert runs.count("once") == 1
    assert 4 <= runs.count("often") <= 12
    assert runs[0] == "often"  # listed first, due at the same moment


def test_a_failing_job_is_logged_tried_again_and_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempts: list[int] = []
    other: list[int] = []

    def failing() -> None:
        attempts.append(1)
        raise OSError("the database is away")

    scheduler = Scheduler(
        [Periodic("failing", 0.05, failing), Periodic("other", 0.05, lambda: other.append(1))]
    )
    _run_for(scheduler, 0.4)
    assert len(attempts) >= 3 and len(other) >= 3
    assert "failing failed; will try again in 0.05 s" in caplog.text


def test_no_jobs_ends_at_once() -> None:
    asyncio.run(asyncio.wait_for(Scheduler([]).run(), timeout=1))
