"""E-mails waiting in the outbox: to learners about their certificates, and to users about
their account (a sign-in link, an invitation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

__all__ = [
    "MAX_ATTEMPTS",
    "AccountMailKind",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "after_failure",
    "retry_delay",
]

MAX_ATTEMPTS = 8


class NotificationKind(StrEnum):
    ISSUED = "issued"
    REISSUED = "reissued"


class AccountMailKind(StrEnum):
    """E-mails about an account rather than a certificate. The link they carry is made only
    when the e-mail is sent, so no usable secret ever waits in the outbox."""

    SIGN_IN_LINK = "sign_in_link"  # asked for on /login; ``recipient`` is the address typed
    INVITATION = "invitation"  # a new account's first link; ``user_id`` names the account
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind's name; asked for on /login/forgot


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; back to pending if it never finishes
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS
    SKIPPED = "skipped"  # a link asked for an address with no account that may have one


@dataclass(frozen=True, slots=True)
class Notification:
    id: UUID
    organisation_id: UUID
    certificate_id: UUID | None  # None for an account e-mail
    kind: NotificationKind | AccountMailKind
    recipient: str
    status: NotificationStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None = None
    sent_at: datetime | None = None
    user_id: UUID | None = None  # the account an invitation is for


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4 ... minutes, at most six hours between tries."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def after_failure(attempts: int, now: datetime) -> tuple[bool, datetime]:
    """After the ``attempts``-th failed try of an e-mail or webhook: (give up?, next try)."""
    return attempts >= MAX_ATTEMPTS, now + retry_delay(attempts)
