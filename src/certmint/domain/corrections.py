"""A learner's request to correct the name printed on a certificate, and its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

__all__ = ["CorrectionStatus", "NameCorrection"]


class CorrectionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # the certificate was re-issued with the requested name
    DECLINED = "declined"  # with the admin's reason, shown to the learner


@dataclass(frozen=True, slots=True)
class NameCorrection:
    """``current_name`` is the name printed when the request was made; an approval re-issues
    the certificate as ``new_certificate_id`` with ``requested_name``."""

    id: UUID
    organisation_id: UUID
    certificate_id: UUID
    learner_id: UUID
    requested_by: UUID  # the learner's user account
    current_name: str
    requested_name: str
    note: str
    status: CorrectionStatus
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None  # an audit actor ("user:<id>", "cli")
    decision_reason: str | None = None
    new_certificate_id: UUID | None = None
