"""Exactly once, for real: concurrent issuers and a SIGKILL half-way, on a committed database.

These run ``certmint`` in separate processes against one database (SQLite file, or the
PostgreSQL server of the suite), so nothing is rolled back between steps: what counts is what
the database holds at the end.
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
from sqlalchemy import create_engine, func, select, text

from certmint.storage.tables import CertificateRow, StatusListEntryRow
from tests.conftest import ThrowawayPostgres
from tests.factories import enrolment_csv, enrolment_row

pytestmark = pytest.mark.slow


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Iterator[dict[str, str]]:
    """Environment for a fresh instance: its own data directory and its own database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env["CERTMINT_HOME"] = str(tmp_path / "home")
    # A killed issuer's claim runs out soon, so that resuming does not wait the default 30 s.
    env["CERTMINT_JOB_LEASE_SECONDS"] = "3"
    if database_url.startswith("postgresql"):
        with ThrowawayPostgres(database_url) as url:
            env["CERTMINT_DATABASE_URL"] = url
            yield env
        return
    yield env


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "certmint", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def prepare(env: dict[str, str], tmp_path: Path, learners: int) -> None:
    run(env, "init")
    csv = tmp_path / "roster.csv"
    csv.write_bytes(enrolment_csv([enrolment_row(f"L{i:06d}") for i in range(learners)]))
    run(env, "import", "enrolments", str(csv))
    version = run(
        env,
        "templates",
        "create",
        "--layout",
        "classic-1-1",
        "--title",
        "Certificate",
        "--signature",
        "A. Director|Director",
        "--publish",
    ).stdout.strip()
    run(
        env,
        "achievements",
        "add",
        "--batch",
        "B1",
        "--template",
        version,
        "--name",
        "Completion",
        "--criteria",
        '{"completed": true}',
    )


def counts(env: dict[str, str]) -> tuple[int, int, int, int]:
    url = env.get("CERTMINT_DATABASE_URL") or f"sqlite:///{env['CERTMINT_HOME']}/certmint.db"
    engine = create_engine(url)
    with engine.connect() as connection:
        certificates = connection.scalar(select(func.count()).select_from(CertificateRow))
        learners = connection.scalar(select(func.count(func.distinct(CertificateRow.learner_id))))
        entries = connection.scalar(select(func.count()).select_from(StatusListEntryRow))
        distinct = connection.scalar(
            text(
                'SELECT count(*) FROM (SELECT DISTINCT status_list_id, "index" '
                "FROM status_list_entries) AS d"
            )
        )
    engine.dispose()
    return certificates or 0, learners or 0, entries or 0, distinct or 0


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
    assert min(issued) > 0, f"both issuers claimed chunks of the one job: {issued}"
    assert len({json.loads(out)[0]["job_id"] for out, _ in outputs}) == 1
    # two places per certificate (revocation and suspension lists), none shared
    assert counts(instance) == (3_000, 3_000, 6_000, 6_000)


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
    assert counts(instance) == (total, total, 2 * total, 2 * total)
