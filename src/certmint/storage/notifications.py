"""The e-mail outbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from certmint.domain.notifications import (
    AccountMailKind,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from certmint.storage.bulk import bulk_insert
from certmint.storage.outbox import claim_row, due_rows
from certmint.storage.tables import NotificationRow

__all__ = ["SqlAlchemyNotificationRepository"]


def _notification(row: NotificationRow) -> Notification:
    return Notification(
        id=row.id,
        organisation_id=row.organisation_id,
        certificate_id=row.certificate_id,
        kind=(
            AccountMailKind(row.kind)
            if row.kind in AccountMailKind._value2member_map_
            else NotificationKind(row.kind)
        ),
        recipient=row.recipient,
        status=NotificationStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
        user_id=row.user_id,
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
                    "user_id": n.user_id,
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

    def due(
        self,
        now: datetime,
        stale_before: datetime,
        limit: int,
        kinds: Collection[str] | None = None,
    ) -> list[Notification]:
        """Pending ones whose time has come, and claims a crashed sender left behind (of these
        ``kinds`` only, when given)."""
        only = None if kinds is None else NotificationRow.kind.in_(sorted(kinds))
        rows = due_rows(self._session, NotificationRow, now, stale_before, limit, only=only)
        return [_notification(row) for row in rows]

    def count_since(self, organisation_id: UUID, kind: str, recipient: str, since: datetime) -> int:
        """How many e-mails of this kind were queued for this recipient since then."""
        return (
            self._session.scalar(
                select(func.count())
                .select_from(NotificationRow)
                .where(
                    NotificationRow.recipient == recipient,
                    NotificationRow.organisation_id == organisation_id,
                    NotificationRow.kind == kind,
                    NotificationRow.created_at >= since,
                )
            )
            or 0
        )

    def claim(self, notification: Notification, now: datetime) -> bool:
        return claim_row(
            self._session,
            NotificationRow,
            notification.id,
            status=notification.status.value,
            attempts=notification.attempts,
            now=now,
        )

    def update(self, notification_id: UUID, **values: Any) -> None:
        if "status" in values:
            values["status"] = NotificationStatus(values["status"]).value
        self._session.execute(
            update(NotificationRow).where(NotificationRow.id == notification_id).values(**values)
        )

    def skip_waiting(self, user_id: UUID, kind: str) -> None:
        """Drop the account e-mails of this kind still waiting to be sent to a user (an
        invitation sent again replaces them)."""
        self._session.execute(
            update(NotificationRow)
            .where(
                NotificationRow.user_id == user_id,
                NotificationRow.kind == kind,
                NotificationRow.status == NotificationStatus.PENDING.value,
            )
            .values(status=NotificationStatus.SKIPPED.value)
        )

    def delete_finished(self, kinds: Collection[str], created_before: datetime) -> int:
        """Delete the e-mails of these ``kinds`` created before then that are finished (sent,
        skipped or given up); pending ones and those being sent stay. Returns how many."""
        finished = (NotificationStatus.SENT, NotificationStatus.SKIPPED, NotificationStatus.FAILED)
        result = self._session.execute(
            delete(NotificationRow).where(
                NotificationRow.kind.in_(sorted(kinds)),
                NotificationRow.status.in_([s.value for s in finished]),
                NotificationRow.created_at < created_before,
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def for_certificate(self, certificate_id: UUID) -> list[Notification]:
        rows = self._session.scalars(
            select(NotificationRow).where(NotificationRow.certificate_id == certificate_id)
        )
        return [_notification(row) for row in rows]
