"""The unit of work as use cases see it: two types, so mypy tells who owns the transaction.

A ``UnitOfWork`` is not yet open: it has no repositories, only ``with``. A use case takes one,
opens it once and works in what opening returns, an ``OpenUnitOfWork``: the repositories,
``commit`` and ``after_commit``. A helper that works inside its caller's transaction takes an
``OpenUnitOfWork``, so handing it one that is not open (or opening it again) is a type error,
not a ``RuntimeError`` at run time::

    def rename(uow: UnitOfWork, ...) -> None:
        with uow as tx:
            _check(tx, ...)
            tx.roster.rename_learner(...)
            tx.commit()

    def _check(tx: OpenUnitOfWork, ...) -> None: ...

``storage.unit_of_work.SqlAlchemyUnitOfWork`` is the implementation (one session; leaving the
block without ``commit()`` rolls back; ``after_commit`` callbacks run once the commit has
succeeded). A block the database refused for a concurrent transaction's sake (a unique index
another one filled first, a deadlock) ends in ``ConcurrentTransaction``: nothing was kept, and
the work may be redone.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from certmint.storage.accounts import SqlAlchemyUserRepository
from certmint.storage.achievements import SqlAlchemyAchievementRepository
from certmint.storage.audit import SqlAlchemyAuditLog
from certmint.storage.certificates import SqlAlchemyCertificateRepository
from certmint.storage.corrections import SqlAlchemyCorrectionRepository
from certmint.storage.email_templates import SqlAlchemyEmailTemplateRepository
from certmint.storage.errors import ConcurrentTransaction
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

__all__ = ["ConcurrentTransaction", "OpenUnitOfWork", "UnitOfWork"]


class OpenUnitOfWork(Protocol):
    """A transaction in progress: its repositories, and the commit that ends it."""

    organisations: SqlAlchemyOrganisationRepository
    roster: SqlAlchemyRosterRepository
    audit: SqlAlchemyAuditLog
    signing_keys: SqlAlchemySigningKeyRepository
    templates: SqlAlchemyTemplateRepository
    achievements: SqlAlchemyAchievementRepository
    certificates: SqlAlchemyCertificateRepository
    status_lists: SqlAlchemyStatusListRepository
    jobs: SqlAlchemyJobRepository
    tokens: SqlAlchemyTokenRepository
    notifications: SqlAlchemyNotificationRepository
    webhooks: SqlAlchemyWebhookRepository
    email_templates: SqlAlchemyEmailTemplateRepository
    users: SqlAlchemyUserRepository
    verification_counts: SqlAlchemyVerificationCountRepository
    corrections: SqlAlchemyCorrectionRepository
    sign_in_throttles: SqlAlchemySignInThrottleRepository

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the commit has succeeded (never after a rollback)."""


class UnitOfWork(Protocol):
    """A transaction still to open, once: ``with uow as tx``."""

    def __enter__(self) -> OpenUnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
