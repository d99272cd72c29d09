"""Outbox tables (e-mails, webhook deliveries): what is due, and claiming a row to send it.

Both tables have ``id``, ``status`` ("pending", "sending", then a final state), ``attempts``
and ``next_attempt_at``; a claim is an UPDATE that only succeeds for the state that was read,
so two senders never take the same row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

__all__ = ["PENDING", "SENDING", "claim_row", "due_rows"]

PENDING = "pending"
SENDING = "sending"  # claimed; a claim older than the caller's limit is taken over
R = TypeVar("R")


def due_rows(
    session: Session,
    row_type: type[R],
    now: datetime,
    stale_before: datetime,
    limit: int,
    *,
    only: ColumnElement[bool] | None = None,
) -> list[R]:
    """Rows to send now (``only``: a further condition they must meet)."""
    table: Any = row_type
    due = or_(
        (table.status == PENDING) & (table.next_attempt_at <= now),
        (table.status == SENDING) & (table.next_attempt_at <= stale_before),
    )
    return list(
        session.scalars(
            select(table)
            .where(due if only is None else due & only)
            .order_by(table.next_attempt_at)
            .limit(limit)
        )
    )


def claim_row(
    session: Session,
    row_type: type[Any],
    row_id: UUID,
    *,
    status: str,
    attempts: int,
    now: datetime,
) -> bool:
    """Mark a row as being sent; False when another sender claimed it first."""
    result = session.execute(
        update(row_type)
        .where(row_type.id == row_id, row_type.status == status, row_type.attempts == attempts)
        .values(status=SENDING, attempts=attempts + 1, next_attempt_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
