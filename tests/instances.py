"""Whole instances for tests that run ``certmint`` in separate processes against one database
(SQLite file, or a throwaway PostgreSQL database), so that nothing is rolled back between
steps: what counts is what the database holds at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from certmint.storage.tables import CertificateRow, StatusListEntryRow
from tests.conftest import ThrowawayPostgres
from tests.factories import enrolment_csv, enrolment_row

__all__ = ["counts", "instance", "prepare", "run"]


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Iterator[dict[str, str]]:
    """Environment for a fresh instance: its own data directory and its own database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env["CERTMINT_HOME"] = str(tmp_path / "home")
    # A killed issuer's claim runs out soon, so that resuming does not wait the default minute.
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


def prepare(env: dict[str, str], tmp_path: Path, learners: int | Mapping[str, int]) -> None:
    """Initialise the instance, import ``learners`` completed learners into batch B1 (or as
    many into each batch named), publish a template and give every batch a "Completion"
    achievement for completing it."""
    batches = {"B1": learners} if isinstance(learners, int) else learners
    run(env, "init")
    csv = tmp_path / "roster.csv"
    rows = [
        enrolment_row(f"L{i:06d}" if batch == "B1" else f"{batch}-L{i:06d}", batch_id=batch)
        for batch, size in batches.items()
        for i in range(size)
    ]
    csv.write_bytes(enrolment_csv(rows))
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
    for batch in batches:
        run(
            env,
            "achievements",
            "add",
            "--batch",
            batch,
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
