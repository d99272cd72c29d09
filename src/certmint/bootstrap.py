"""Wiring: the one place where settings become an engine, a session factory and units of work,
and where the issuance executor is chosen (in this process, or a broker's workers).

Entry points (the CLI, the web app, a worker) call ``bootstrap`` once with their settings and
pass the container down; nothing is created at import time. A server hands the work it repeats
on its own to the scheduler adapter, which it reaches through here (``Periodic``, ``Scheduler``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from certmint.adapters import GuardedHttpClient, OutboundPolicy, Periodic, Scheduler
from certmint.config import ENV_FILE_NAME, Environment, Settings
from certmint.credentials import FileKeyStore, KeyStore
from certmint.environment import not_initialised
from certmint.rendering import FontSet
from certmint.services.certificates.documents import CertificateDocuments
from certmint.services.issuance.executors import Executor
from certmint.services.issuance.in_process import InProcessExecutor
from certmint.services.issuance.on_broker import BrokerExecutor
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.notifications.deliveries import Deliveries
from certmint.services.notifications.mail import SmtpMailer
from certmint.storage.certificates import CertificateStampReader
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import current_revision, head_revision, upgrade_database
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "Container",
    "Periodic",
    "Scheduler",
    "bootstrap",
    "keep_private",
    "open_instance",
    "outbound_client",
    "reading_by_default",
]

CACHE_FOLDER = "cache"  # under the home: rendered files, safe to share between processes

# What ``Container.uow()`` gives when the caller does not say: a writing unit of work, except
# inside ``reading_by_default()`` (the web layer's GET and HEAD requests).
_read_only_default: ContextVar[bool] = ContextVar("certmint_read_only_default", default=False)


@contextmanager
def reading_by_default() -> Iterator[None]:
    """Within this block (and the threads it hands work to, which copy the context) units of
    work are read-only unless asked for with ``read_only=False``: on SQLite they then never
    wait for the write lock, and one that tries to write fails at once
    (``storage.unit_of_work.ReadOnlyViolation``) instead of queueing behind a bulk job."""
    token = _read_only_default.set(True)
    try:
        yield
    finally:
        _read_only_default.reset(token)


@dataclass(frozen=True)
class Container:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]

    @cached_property
    def links(self) -> Links:
        """Every public URL of the instance (QR codes, DIDs, status lists, sign-in links)."""
        return Links(self.settings.base_url)

    @property
    def cache_dir(self) -> Path:
        """Where rendered files are cached (safe to share between processes)."""
        return self.settings.home / CACHE_FOLDER

    @cached_property
    def documents(self) -> CertificateDocuments:
        """Certificates' PDF, PNG and SVG files, rendered once and cached on disk."""
        return CertificateDocuments(lambda: self.fonts, self.links, self.cache_dir)

    @cached_property
    def key_store(self) -> KeyStore:
        """Private keys, sealed under the master secret (made on first use: commands that never
        sign work without one)."""
        return FileKeyStore(self.settings.home / "keys", self.settings.sealing_secret)

    @cached_property
    def fonts(self) -> FontSet:
        """Certmint's own font configuration (loaded once: it scans the font directories)."""
        return FontSet.load()

    @cached_property
    def signing(self) -> Signing:
        """Keys, the offline document loader and the fast RDFC path (compiled once)."""
        return Signing(self.key_store, self.links)

    @cached_property
    def mailer(self) -> SmtpMailer | None:
        """The SMTP server e-mails go through; None leaves them waiting in the outbox."""
        return SmtpMailer(self.settings.smtp_url) if self.settings.smtp_url else None

    @cached_property
    def http_client(self) -> GuardedHttpClient:
        """Every outbound request (webhooks, other issuers' DID documents and status lists)."""
        return outbound_client(self.settings)

    @cached_property
    def deliveries(self) -> Deliveries:
        """Sends the certificate e-mails and webhook events a committed chunk queued (the
        after-commit path of issuance, whoever triggered it)."""
        settings = self.settings
        return Deliveries(
            self.uow,
            self.http_client.post,
            self.mailer,
            sender=settings.mail_from,
            links=self.links,
            documents=self.documents if settings.mail_attach_pdf else None,
        )

    @cached_property
    def executor(self) -> Executor:
        """Who runs issue jobs, chosen once from the settings: with ``CERTMINT_BROKER_URL``,
        the broker's workers (``certmint worker``); else a thread of this process."""
        settings = self.settings
        if settings.broker_url:
            from certmint.adapters.broker import (  # noqa: PLC0415 - Celery is optional
                CeleryChunkQueue,
                celery_app,
            )

            app = celery_app(settings.broker_url, lease_seconds=settings.job_lease_seconds)
            return BrokerExecutor(self.uow, CeleryChunkQueue(app))
        return InProcessExecutor(
            self.uow,
            lease=timedelta(seconds=settings.job_lease_seconds),
            announce=self.deliveries.wake,
            pool=self.signing_pool,
        )

    @cached_property
    def signing_pool(self) -> SigningPool | None:
        """Processes that sign issuance's credentials while this one writes (one per core;
        started on first use); None on one core, where signing stays in the executor."""
        processes = os.cpu_count() or 1
        return SigningPool(processes) if processes > 1 else None

    @cached_property
    def certificate_stamps(self) -> CertificateStampReader:
        """Reads a certificate's status for the verification page's cache, on a small pool of
        autocommit connections of its own (see ``CertificateStampReader``)."""
        engine = create_database_engine(
            self.settings.effective_database_url,
            ping=False,
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
        )
        return CertificateStampReader(engine)

    def uow(self, *, read_only: bool | None = None) -> SqlAlchemyUnitOfWork:
        """A fresh unit of work; each use case opens and closes its own. ``read_only`` for work
        that never writes (SQLite then reads without taking the write lock); unsaid, it is
        read-only inside ``reading_by_default()`` and writing elsewhere."""
        if read_only is None:
            read_only = _read_only_default.get()
        return SqlAlchemyUnitOfWork(self.session_factory, read_only=read_only)

    def close(self) -> None:
        if "signing_pool" in self.__dict__ and self.signing_pool is not None:
            self.signing_pool.close()
        self.engine.dispose()
        if "certificate_stamps" in self.__dict__:
            self.certificate_stamps.engine.dispose()


def keep_private(home: Path) -> None:
    """Make the data directory and what Certmint keeps in it private again (0700 directories,
    0600 files), for a home an older Certmint made under a lax umask; the SQLite files are
    seen to by ``storage.database``. Only a directory that is evidently Certmint's (it has
    ``certmint.env``) is touched."""
    if not (home / ENV_FILE_NAME).is_file():
        return
    for path, mode in (
        (home, 0o700),
        (home / "keys", 0o700),
        (home / CACHE_FOLDER, 0o700),
        (home / ENV_FILE_NAME, 0o600),
    ):
        with suppress(FileNotFoundError):
            if path.stat().st_mode & 0o077:
                path.chmod(mode)


def open_instance(settings: Settings, *, pooled: bool = True) -> Container:
    """The container of an initialised instance, for entry points that serve or change one.

    Raises ``EnvironmentProblem`` when there is none (nothing is created in its place: on
    SQLite the database file must exist already) or when its schema is not the current one.
    """
    database = make_url(settings.effective_database_url).database
    embedded = not settings.database_url
    if embedded and (not settings.home.is_dir() or not Path(str(database)).is_file()):
        raise not_initialised(settings)
    container = bootstrap(settings, pooled=pooled)
    try:
        if current_revision(container.engine) != head_revision():
            raise not_initialised(settings)
    except BaseException:
        container.close()
        raise
    return container


def bootstrap(settings: Settings, *, migrate: bool = False, pooled: bool = True) -> Container:
    """``pooled=False``: each unit of work opens a connection of its own and closes it, for a
    process that uses the database rarely and forks (a worker pool's parent: a child must not
    inherit its open connections)."""
    pool: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    keep_private(settings.home)
    engine = create_database_engine(settings.effective_database_url, **pool)
    if migrate:
        upgrade_database(engine)
    return Container(settings, engine, create_session_factory(engine))


def outbound_client(settings: Settings) -> GuardedHttpClient:
    """The guarded HTTP client under the operator's policy: https only in production, public
    addresses only unless ``CERTMINT_OUTBOUND_ALLOW_NETWORKS`` allows more. Needs no database
    (``certmint verify`` uses it without an instance)."""
    policy = OutboundPolicy(
        require_https=settings.environment is Environment.PRODUCTION,
        allowed_networks=settings.outbound_allow_networks,
    )
    return GuardedHttpClient(policy)
