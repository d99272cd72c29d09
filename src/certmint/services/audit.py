"""Recording state changes in the audit log (inside the caller's unit of work)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.domain.audit import AuditEvent
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["list_audit_events", "record"]


def record(
    uow: SqlAlchemyUnitOfWork,
    *,
    organisation_id: UUID,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: object,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add an event to the open unit of work: it commits, or vanishes, with the change itself."""
    uow.audit.add(
        AuditEvent(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            at=at or datetime.now(UTC),
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            reason=reason,
            details=details or {},
        )
    )


def list_audit_events(
    uow: SqlAlchemyUnitOfWork, organisation_id: UUID, *, limit: int = 100, offset: int = 0
) -> list[AuditEvent]:
    """The organisation's events, newest first."""
    with uow:
        return uow.audit.list(organisation_id, limit=limit, offset=offset)
