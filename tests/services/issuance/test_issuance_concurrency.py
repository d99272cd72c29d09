"""Exactly once, for real: concurrent issuers and a SIGKILL half-way, on a committed database.

These run ``certmint`` in separate processes against one database (SQLite file, or the
PostgreSQL server of the suite), so nothing is rolled back between steps: what counts is what
the database holds at the end.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.instances import counts, instance, prepare, run

__all__ = ["instance"]  # the fixture, used by name

# Several processes and 20,000 certificates: minutes on a busy machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_two_issuers_at_once_never_duplicate(instance: dict[str, str], tmp_path: Path) -> None:
    prepare(instance, tmp_path, 3_000)
    command = [sys.executable, "-m", "certmint", "issue", "--batch", "B1", "--json"]
    workers = [
        subprocess.Popen(
            command, env=instance, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    issued = [json.loads(out)[0]["issued"] for out, _ in outputs]
    assert sum(issued) == 3_000  # between them, each learner exactly once
    jobs = {json.loads(out)[0]["job_id"] for out, _ in outputs}
    if "CERTMINT_DATABASE_URL" in instance:  # PostgreSQL: both work on the one job at once
        assert len(jobs) == 1 and min(issued) > 0, f"both issuers did chunks: {issued}"
    else:
        # An issuer that only got to plan after the job had finished (the first one's chunks
        # hold SQLite's write lock back to back) starts a new job and finds nothing left to do.
        assert len(jobs) == 1 or sorted(issued) == [0, 3_000]
    # one place per certificate (in the revocation list), none shared
    assert counts(instance) == (3_000, 3_000, 3_000, 3_000)


def test_sigkill_half_way_then_resume(instance: dict[str, str], tmp_path: Path) -> None:
    total = 20_000
    prepare(instance, tmp_path, total)
    worker = subprocess.Popen(
        [sys.executable, "-m", "certmint", "issue", "--batch", "B1"],
        env=instance,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while counts(instance)[0] < total // 2:  # wait until about half are in
        assert worker.poll() is None, "the issuer finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    partial = counts(instance)[0]
    assert total // 2 <= partial < total

    resumed = json.loads(run(instance, "issue", "--batch", "B1", "--json").stdout)[0]
    assert resumed["issued"] == total - partial
    assert resumed["already_held"] == partial
    assert counts(instance) == (total, total, total, total)  # one list place each, none shared
