"""E-mails to learners about their certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

__all__ = [
    "MAX_ATTEMPTS",
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


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; back to pending if it never finishes
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


@dataclass(frozen=True, slots=True)
class Notification:
    id: UUID
    organisation_id: UUID
    certificate_id: UUID
    kind: NotificationKind
    recipient: str
    status: NotificationStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None = None
    sent_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4 ... minutes, at most six hours between tries."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def after_failure(attempts: int, now: datetime) -> tuple[bool, datetime]:
    """After the ``attempts``-th failed try of an e-mail or webhook: (give up?, next try)."""
    return attempts >= MAX_ATTEMPTS, now + retry_delay(attempts)
