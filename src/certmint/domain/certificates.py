"""Certificates: one achievement issued to one learner, frozen at issue time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

__all__ = ["Certificate", "CertificateStatus"]


class CertificateStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class Certificate:
    """The issued record. ``snapshot`` is the printed data as it was at issue time, so a later
    edit of a learner, course or template never changes a certificate already issued.
    """

    id: UUID
    number: str
    organisation_id: UUID
    achievement_id: UUID
    learner_id: UUID
    template_version_id: UUID
    status: CertificateStatus
    snapshot: dict[str, Any]
    credential: dict[str, Any]
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    supersedes_id: UUID | None = None
    superseded_by_id: UUID | None = None
    status_reason: str | None = None
    status_changed_at: datetime | None = None
