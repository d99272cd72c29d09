"""The append-only audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from certmint.domain.audit import AuditEvent
from certmint.storage.search import contains
from certmint.storage.tables import AuditEventRow

__all__ = ["AuditFilter", "SqlAlchemyAuditLog"]


@dataclass(frozen=True)
class AuditFilter:
    """Which events a reader wants (all optional, combined with AND): by who, by the kind of
    thing changed, and ``text`` found in the action, the reason or the subject's id."""

    actor: str | None = None
    subject_type: str | None = None
    text: str | None = None

    def apply(self, query: Select[AuditEventRow]) -> Select[AuditEventRow]:
        if self.actor:
            query = query.where(AuditEventRow.actor == self.actor)
        if self.subject_type:
            query = query.where(AuditEventRow.subject_type == self.subject_type)
        text = self.text.strip() if self.text else ""
        if text:
            query = query.where(
                or_(
                    contains(AuditEventRow.action, text),
                    contains(AuditEventRow.reason, text),
                    contains(AuditEventRow.subject_id, text),
                )
            )
        return query


class SqlAlchemyAuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, event: AuditEvent) -> None:
        self._session.add(
            AuditEventRow(
                id=event.id,
                organisation_id=event.organisation_id,
                at=event.at,
                actor=event.actor,
                action=event.action,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                reason=event.reason,
                details=event.details,
            )
        )

    def list(
        self,
        organisation_id: UUID,
        *,
        limit: int = 100,
        offset: int = 0,
        subject_ids: Sequence[str] | None = None,
        where: AuditFilter | None = None,
    ) -> list[AuditEvent]:
        """Newest first; with ``subject_ids``, only the events about those subjects."""
        query = (
            select(AuditEventRow)
            .where(AuditEventRow.organisation_id == organisation_id)
            .order_by(AuditEventRow.at.desc(), AuditEventRow.id)
            .limit(limit)
            .offset(offset)
        )
        if subject_ids is not None:
            query = query.where(AuditEventRow.subject_id.in_(subject_ids))
        if where is not None:
            query = where.apply(query)
        rows = self._session.scalars(query)
        return [
            AuditEvent(
                id=row.id,
                organisation_id=row.organisation_id,
                at=row.at,
                actor=row.actor,
                action=row.action,
                subject_type=row.subject_type,
                subject_id=row.subject_id,
                reason=row.reason,
                details=row.details,
            )
            for row in rows
        ]
