"""Issuance through a real broker: Redis, PostgreSQL and two ``certmint worker`` processes.

``certmint issue`` plans the job and queues one task per chunk; the workers claim the chunks;
the database holds exactly one certificate per eligible learner, whoever ran what.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from certmint.storage.tables import JobChunkRow, JobRow
from tests.conftest import ThrowawayPostgres, _postgres_server_url, require_service
from tests.instances import counts, prepare, run

pytestmark = pytest.mark.slow

LEARNERS = 3_000  # three chunks of 1,000 (and an empty last one)


@pytest.fixture
def on_broker(tmp_path: Path, redis_url: str) -> Iterator[dict[str, str]]:
    """A fresh instance on its own PostgreSQL database, with jobs going through Redis."""
    server = _postgres_server_url()
    if server is None:
        require_service("set CERTMINT_TEST_POSTGRES_URL to a PostgreSQL server")
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env["CERTMINT_HOME"] = str(tmp_path / "home")
    env["CERTMINT_BROKER_URL"] = redis_url
    with ThrowawayPostgres(server) as url:
        env["CERTMINT_DATABASE_URL"] = url
        yield env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "certmint", "worker", "--concurrency", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_ready(worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        assert worker.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)


def wait_for_job(env: dict[str, str], job_id: str) -> tuple[str, int]:
    """The job's final status and how many learners it found already holding a certificate."""
    engine = create_engine(env["CERTMINT_DATABASE_URL"])
    deadline = time.monotonic() + 120
    try:
        while True:
            with engine.connect() as connection:
                status = connection.scalar(select(JobRow.status).where(JobRow.id == job_id))
                held = connection.scalar(
                    select(func.sum(JobChunkRow.already_held)).where(JobChunkRow.job_id == job_id)
                )
            if status in ("succeeded", "failed"):
                return status, held or 0
            assert time.monotonic() < deadline, f"job {job_id} is still {status}"
            time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.mark.timeout(600)
def test_two_workers_issue_a_batch_exactly_once(on_broker: dict[str, str], tmp_path: Path) -> None:
    prepare(on_broker, tmp_path, LEARNERS)
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    workers = [start_worker(on_broker, log) for log in logs]
    try:
        for worker, log in zip(workers, logs, strict=True):
            wait_ready(worker, log)
        result = json.loads(run(on_broker, "issue", "--batch", "B1", "--json").stdout)[0]
        # Again, without waiting: a new job, queued, that the workers find has nothing to do.
        queued = json.loads(run(on_broker, "issue", "--batch", "B1", "--no-wait", "--json").stdout)
        again = wait_for_job(on_broker, queued[0]["job_id"])
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand
        for worker in workers:
            worker.wait(60)

    assert queued[0]["status"] == "queued" and again == ("succeeded", LEARNERS)
    assert (result["considered"], result["issued"], result["not_eligible"]) == (
        LEARNERS,
        LEARNERS,
        0,
    )
    # one certificate per learner, a place in the revocation and the suspension list each,
    # no place shared
    assert counts(on_broker) == (LEARNERS, LEARNERS, 2 * LEARNERS, 2 * LEARNERS)
    engine = create_engine(on_broker["CERTMINT_DATABASE_URL"])
    with engine.connect() as connection:
        job = connection.execute(select(JobRow).where(JobRow.id == result["job_id"])).one()
        chunks = connection.execute(
            select(JobChunkRow.status, JobChunkRow.owner).where(JobChunkRow.job_id == job.id)
        ).all()
    engine.dispose()
    assert (job.status, job.done, job.total) == ("succeeded", LEARNERS, LEARNERS)
    assert len(chunks) == LEARNERS // 1_000 + 1 and {status for status, _ in chunks} == {"done"}
    pids = {owner.split("/")[1] for _, owner in chunks}
    assert pids == {str(w.pid) for w in workers}, "both workers executed chunks"


def test_a_worker_needs_a_broker(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env["CERTMINT_HOME"] = str(tmp_path / "home")
    result = run(env, "worker", check=False)
    assert result.returncode == 1
    assert "CERTMINT_BROKER_URL" in result.stderr
