"""The SQLAlchemy unit of work: one session, its repositories, one commit.

Leaving the ``with`` block without ``commit()`` rolls back. Callbacks registered with
``after_commit`` (queueing a Celery task, sending a webhook) run only once the commit has
succeeded, so no job is ever queued for rows that were rolled back.

A read-only unit of work (``read_only=True``; the web layer's default for GET and HEAD) refuses
to write: an INSERT, UPDATE or DELETE, or a flush of changed objects, raises
``ReadOnlyViolation`` at once, in tests as in production, rather than quietly taking SQLite's
write lock in the middle of a deferred transaction (where it fails with "database is locked" as
soon as a bulk job writes).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from certmint.storage.accounts import SqlAlchemyUserRepository
from certmint.storage.achievements import SqlAlchemyAchievementRepository
from certmint.storage.audit import SqlAlchemyAuditLog
from certmint.storage.certificates import SqlAlchemyCertificateRepository
from certmint.storage.corrections import SqlAlchemyCorrectionRepository
from certmint.storage.database import READ_ONLY
from certmint.storage.email_templates import SqlAlchemyEmailTemplateRepository
from certmint.storage.errors import ConcurrentTransaction, lost_to_a_concurrent_transaction
from certmint.storage.jobs import SqlAlchemyJobRepository
from certmint.storage.keys import SqlAlchemySigningKeyRepository
from certmint.storage.notifications import SqlAlchemyNotificationRepository
from certmint.storage.organisations import SqlAlchemyOrganisationRepository
from certmint.storage.roster import SqlAlchemyRosterRepository
from certmint.storage.sign_in_throttles import SqlAlchemySignInThrottleRepository
from certmint.storage.status_lists import SqlAlchemyStatusListRepository
from certmint.storage.templates import SqlAlchemyTemplateRepository
from certmint.storage.tokens import SqlAlchemyTokenRepository
from certmint.storage.verification_counts import SqlAlchemyVerificationCountRepository
from certmint.storage.webhooks import SqlAlchemyWebhookRepository

__all__ = ["ReadOnlyViolation", "SqlAlchemyUnitOfWork"]


class ReadOnlyViolation(RuntimeError):
    """A read-only unit of work was asked to write: the caller must ask for a writing one
    (``container.uow(read_only=False)``), as a GET that writes must do explicitly."""


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.session.info.get(
        READ_ONLY
    ):
        raise ReadOnlyViolation(f"a read-only unit of work may not run {state.statement}")


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    ):
        raise ReadOnlyViolation("a read-only unit of work may not add, change or delete rows")


class SqlAlchemyUnitOfWork:
    """One session and its repositories (set when the block opens: what the services'
    ``OpenUnitOfWork`` protocol lists), committed once."""

    def __init__(self, session_factory: sessionmaker[Session], *, read_only: bool = False) -> None:
        """``read_only``: the work only reads, so SQLite need not take the write lock."""
        self._session_factory = session_factory
        self._read_only = read_only
        self._session: Session | None = None
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._session = self._session_factory()
        if self._read_only:
            session.info[READ_ONLY] = True
            session.connection(execution_options={READ_ONLY: True})
        self.organisations = SqlAlchemyOrganisationRepository(session)
        self.roster = SqlAlchemyRosterRepository(session)
        self.audit = SqlAlchemyAuditLog(session)
        self.signing_keys = SqlAlchemySigningKeyRepository(session)
        self.templates = SqlAlchemyTemplateRepository(session)
        self.achievements = SqlAlchemyAchievementRepository(session)
        self.certificates = SqlAlchemyCertificateRepository(session)
        self.status_lists = SqlAlchemyStatusListRepository(session)
        self.jobs = SqlAlchemyJobRepository(session)
        self.tokens = SqlAlchemyTokenRepository(session)
        self.notifications = SqlAlchemyNotificationRepository(session)
        self.webhooks = SqlAlchemyWebhookRepository(session)
        self.email_templates = SqlAlchemyEmailTemplateRepository(session)
        self.users = SqlAlchemyUserRepository(session)
        self.verification_counts = SqlAlchemyVerificationCountRepository(session)
        self.corrections = SqlAlchemyCorrectionRepository(session)
        self.sign_in_throttles = SqlAlchemySignInThrottleRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        self._after_commit.clear()
        session.rollback()
        session.close()
        if lost_to_a_concurrent_transaction(exc):
            raise ConcurrentTransaction(str(exc)) from exc

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._session

    def commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit.clear()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)
