"""Shared fixtures: a real database per test session, a rolled-back transaction per test.

The suite runs on the database named by ``CERTMINT_TEST_DATABASE_URL`` (default: a SQLite file
in a temporary directory). For PostgreSQL give a server URL; the session creates a throwaway
database on it and drops it afterwards. Each test runs inside an outer transaction that is
rolled back (warehouse's ``db_session``), so tests never clean up by deleting rows.
Tests that need PostgreSQL itself use ``postgres_url`` or ``postgres_server``, and the Celery
tests ``redis_url``: the servers named by ``CERTMINT_TEST_POSTGRES_URL`` and
``CERTMINT_TEST_REDIS_URL``, else throwaway servers the session starts itself (tests/servers.py).
A missing service skips a test only when pytest is run by hand: under ``make test``
(``CERTMINT_TEST_EVERY_SERVICE``) and in CI (``CI``) it fails the test.
"""

from __future__ import annotations

import email
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher, profiles
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from certmint.credentials import InMemoryKeyStore
from certmint.rendering import FontSet
from certmint.services.identity import accounts
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.storage.database import create_database_engine
from certmint.storage.migrate import upgrade_database
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.servers import free_port, postgres_bin, run_postgres, run_redis

# make test installs every service the suite needs (and CI provides them): none may be missing.
EVERY_SERVICE = bool(os.environ.get("CI") or os.environ.get("CERTMINT_TEST_EVERY_SERVICE"))

# Property tests check answers, not speed: on a busy machine (CI, or a full suite beside
# another), slow example generation and slow examples are no failures.
settings.register_profile("certmint", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("certmint")


def require_service(reason: str) -> None:
    """Skip when pytest is run by hand; fail under ``make test`` and in CI, where a skipped
    service test must never pass as green."""
    if EVERY_SERVICE:
        pytest.fail(f"make test and CI provide every service, not this one: {reason}")
    pytest.skip(reason)


class ThrowawayPostgres:
    """A database created on a PostgreSQL server for one test session (or one test): empty, or
    a copy of the database at ``template`` (a URL on the same server nobody is connected to)."""

    def __init__(self, server_url: str, template: str | None = None) -> None:
        self.admin_url = make_url(server_url).set(database="postgres")
        self.name = f"certmint_test_{uuid.uuid4().hex[:12]}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
        self.template = make_url(template).database if template else None

    def __enter__(self) -> str:
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        copy = f' TEMPLATE "{self.template}"' if self.template else ""
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"{copy}'))
        return self.url

    def __exit__(self, *exc: object) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("CERTMINT_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        with ThrowawayPostgres(url) as throwaway:
            yield throwaway
        return
    if url:
        yield url
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'certmint.db'}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server's URL: ``CERTMINT_TEST_POSTGRES_URL`` (or the suite's database
    when that is PostgreSQL), else a throwaway server of the session's own."""
    for name in ("CERTMINT_TEST_POSTGRES_URL", "CERTMINT_TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            yield url
            return
    bin_dir = postgres_bin()
    if bin_dir is None:
        require_service("set CERTMINT_TEST_POSTGRES_URL or install postgresql")
        return
    with run_postgres(bin_dir) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """An empty PostgreSQL database, whatever the suite's main database is."""
    with ThrowawayPostgres(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the code under test release SAVEPOINTs; the outer transaction is rolled
    # back when the test ends.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(session_factory)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for assertions, seeing what the code under test wrote."""
    with session_factory() as session:
        yield session


@pytest.fixture
def certmint_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory, and no stray CERTMINT_* configuration from the environment."""
    for name in list(os.environ):
        if name.startswith("CERTMINT_") and not name.startswith("CERTMINT_TEST_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("CERTMINT_HOME", str(home))
    return home


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """argon2id with its cheapest parameters: real hashing and verifying, without a second of
    CPU per sign-in (``services.identity.accounts.password_hasher`` documents the production profile)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "password_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    """Certmint's font set, built once (building a fontconfig configuration takes ~0.2 s)."""
    return FontSet.load()


@pytest.fixture(scope="session")
def signing() -> Signing:
    """Signing with an in-memory key store (keys are made per test through the services)."""
    return Signing(InMemoryKeyStore(), Links("https://certs.example.org"))


class Inbox:
    """What a real SMTP server on loopback (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on loopback while the block runs: its inbox and its URL."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server: ``CERTMINT_TEST_REDIS_URL``, else a throwaway one of the session's own."""
    url = os.environ.get("CERTMINT_TEST_REDIS_URL")
    if url:
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        require_service("set CERTMINT_TEST_REDIS_URL or install redis-server")
        return
    with run_redis(server, tmp_path_factory.mktemp("redis")) as url:
        yield url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the suite's database (CERTMINT_TEST_DATABASE_URL): "
        "for a second pass on another database, without re-running the rest",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--database-tests-only``, deselect the tests whose fixtures never reach
    ``database_url``: they gave the same result in the first pass, whatever its database."""
    if not config.getoption("--database-tests-only"):
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        (keep if uses_database else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
