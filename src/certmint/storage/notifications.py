"""The e-mail outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from certmint.domain.notifications import Notification, NotificationKind, NotificationStatus
from certmint.storage.bulk import bulk_insert
from certmint.storage.tables import NotificationRow

__all__ = ["SqlAlchemyNotificationRepository"]


def _notification(row: NotificationRow) -> Notification:
    return Notification(
        id=row.id,
        organisation_id=row.organisation_id,
        certificate_id=row.certificate_id,
        kind=NotificationKind(row.kind),
        recipient=row.recipient,
        status=NotificationStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )


class SqlAlchemyNotificationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, notifications: Sequence[Notification]) -> None:
        bulk_insert(
            self._session,
            NotificationRow,
            [
                {
                    "id": n.id,
                    "organisation_id": n.organisation_id,
                    "certificate_id": n.certificate_id,
                    "kind": n.kind.value,
                    "recipient": n.recipient,
                    "status": n.status.value,
                    "attempts": n.attempts,
                    "next_attempt_at": n.next_attempt_at,
                    "created_at": n.created_at,
                }
                for n in notifications
            ],
        )

    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[Notification]:
        """Pending ones whose time has come, and claims a crashed sender left behind."""
        rows = self._session.scalars(
            select(NotificationRow)
            .where(
                or_(
                    (NotificationRow.status == NotificationStatus.PENDING.value)
                    & (NotificationRow.next_attempt_at <= now),
                    (NotificationRow.status == NotificationStatus.SENDING.value)
                    & (NotificationRow.next_attempt_at <= stale_before),
                )
            )
            .order_by(NotificationRow.next_attempt_at)
            .limit(limit)
        )
        return [_notification(row) for row in rows]

    def claim(self, notification: Notification, now: datetime) -> bool:
        """Mark it as being sent; False when another sender claimed it first."""
        result = self._session.execute(
            update(NotificationRow)
            .where(
                NotificationRow.id == notification.id,
                NotificationRow.status == notification.status.value,
                NotificationRow.attempts == notification.attempts,
            )
            .values(
                status=NotificationStatus.SENDING.value,
                attempts=notification.attempts + 1,
                next_attempt_at=now,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def update(self, notification_id: UUID, **values: Any) -> None:
        if "status" in values:
            values["status"] = NotificationStatus(values["status"]).value
        self._session.execute(
            update(NotificationRow).where(NotificationRow.id == notification_id).values(**values)
        )

    def for_certificate(self, certificate_id: UUID) -> list[Notification]:
        rows = self._session.scalars(
            select(NotificationRow).where(NotificationRow.certificate_id == certificate_id)
        )
        return [_notification(row) for row in rows]
