"""The verification page's status read: outside any unit of work, and surviving a dropped
connection (its engine does not ping)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from certmint.domain.accounts import Principal
from certmint.domain.certificates import CertificateStatus
from certmint.services.certificates.lifecycle import revoke_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.certificates import CertificateStampReader
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import upgrade_database
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import ThrowawayPostgres
from tests.factories import enrolment_row, scenario

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: the reader sees only what was committed."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'stamps.db'}"
    else:
        with ThrowawayPostgres(request.getfixturevalue("postgres_server")) as throwaway:
            yield throwaway


@pytest.fixture
def server_url(postgres_server: str) -> Iterator[str]:
    with ThrowawayPostgres(postgres_server) as throwaway:
        yield throwaway


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = create_database_engine(url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def reader(url: str, engine: Engine) -> Iterator[CertificateStampReader]:
    reader = CertificateStampReader(create_database_engine(url, ping=False, **AUTOCOMMIT))
    yield reader
    reader.engine.dispose()


def test_the_reader_sees_committed_status_changes_at_once(
    engine: Engine, reader: CertificateStampReader, signing: Signing
) -> None:
    uow = SqlAlchemyUnitOfWork(create_session_factory(engine))
    s = scenario(uow, signing, [enrolment_row("L1")], criteria={"completed": True})
    [certificate_id] = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    assert reader(certificate_id) == (CertificateStatus.ACTIVE, None, None)
    revoked = revoke_certificate(
        uow, Principal.at_shell(s.organisation.id), certificate_id, reason="fraud", signing=signing
    )
    assert reader(certificate_id) == (CertificateStatus.REVOKED, revoked.status_changed_at, None)
    assert reader(s.organisation.id) is None  # an id, but not a certificate's


def test_a_connection_the_server_dropped_is_replaced_without_failing_the_read(
    server_url: str,
) -> None:
    engine = create_database_engine(server_url)
    upgrade_database(engine)
    reader = CertificateStampReader(create_database_engine(server_url, ping=False, **AUTOCOMMIT))
    unknown = uuid.uuid4()
    try:
        assert reader(unknown) is None  # the reader's pool now holds a live connection
        with engine.connect() as connection:
            dropped = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        assert dropped >= 1
        assert reader(unknown) is None
    finally:
        reader.engine.dispose()
        engine.dispose()
