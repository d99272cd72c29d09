"""Who may act: roles, and API tokens for integrations (an LMS, a wallet, a test suite)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

__all__ = ["ApiToken", "Role"]


class Role(StrEnum):
    ADMIN = "admin"  # everything in the organisation
    COURSE_MANAGER = "course_manager"  # the courses they are given (web app, issue 6)


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token's record. The secret itself is shown once and only its SHA-256 is kept;
    ``prefix`` (its first characters) lets people tell tokens apart in lists."""

    id: UUID
    organisation_id: UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
