"""GET pages read in read-only units of work, so SQLite's write lock never holds them up.

A real SQLite file (not the suite's rolled-back connection): another connection takes the
write lock with ``BEGIN IMMEDIATE`` and holds it, as a bulk issuance job does chunk after
chunk; pages and API reads must still answer at once (a writing unit of work would wait the
30 s busy timeout and then fail).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from certmint.bootstrap import Container, bootstrap
from certmint.config import Settings
from certmint.domain.accounts import Role
from certmint.domain.ids import url_id
from certmint.rendering import FontSet
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.web.app import create_app
from tests.factories import enrolment_row, scenario
from tests.web.pages.admin.conftest import bearer

QUICK = 5.0  # seconds; far below the busy timeout a writing unit of work would wait


@pytest.fixture
def sqlite_file(tmp_path: Path, signing: Signing, fonts: FontSet) -> Iterator[Container]:
    settings = Settings(
        home=tmp_path, base_url=signing.links.base_url, verification_count_flush_seconds=86_400
    )
    container = bootstrap(settings, migrate=True)
    container.__dict__.update(signing=signing, fonts=fonts)
    yield container
    container.close()


class WriteLock:
    """Another connection holding SQLite's write lock on a thread until released."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._taken = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE organisations SET name = name")
            self._taken.set()
            self._release.wait(120)
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    def __enter__(self) -> None:
        self._thread.start()
        assert self._taken.wait(10), "could not take the write lock"

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._thread.join(10)


def test_get_pages_answer_while_another_connection_holds_the_write_lock(
    sqlite_file: Container, signing: Signing
) -> None:
    rows = [enrolment_row("L1", name="Asha Rao"), enrolment_row("L2", name="Vikram Nair")]
    built = scenario(sqlite_file.uow(), signing, rows)
    issued = issue_achievement(
        sqlite_file.uow(), signing, IssueRequest(built.organisation.id, built.achievement_id)
    )
    certificate = url_id(issued.certificate_ids[0])
    headers = bearer(sqlite_file.uow(), built.organisation.id, Role.ADMIN)
    pages = [
        "/admin",
        "/admin/certificates",
        f"/admin/certificates/{certificate}",
        f"/admin/batches/{url_id(built.batch_id)}",
        f"/admin/jobs/{url_id(issued.job_id)}/progress",
        "/admin/audit",
        "/api/v1/courses",
        f"/api/v1/certificates/{certificate}",
        f"/v/{certificate}",
    ]
    with TestClient(create_app(sqlite_file), base_url=signing.links.base_url) as client:
        assert client.get("/api/v1/me", headers=headers).status_code == 200  # token stamped
        with WriteLock(Path(sqlite_file.engine.url.database or "")):
            for url in pages:
                started = time.monotonic()
                response = client.get(url, headers=headers)
                took = time.monotonic() - started
                assert response.status_code == 200, f"{url}: {response.text[:300]}"
                assert took < QUICK, f"{url} waited {took:.1f} s for the write lock"
