"""The audit log: who changed what, when and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

__all__ = ["AuditEvent"]


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: UUID
    organisation_id: UUID
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
