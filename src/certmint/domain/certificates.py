"""Certificates: one achievement issued to one learner, frozen at issue time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

__all__ = ["Certificate", "CertificateStatus", "certificate_number"]


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


# Crockford's base32 without I, L, O and U: nothing to misread when a number is typed in.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def certificate_number(year: int, random_bits: int) -> str:
    """The printed number: ``2026-7K3QX-9P2MB``, the year and 50 random bits.

    Random rather than sequential so numbers reveal nothing about volumes and need no shared
    counter between workers; the (organisation, number) unique constraint catches the rare
    collision (about one in 4,000 for a million certificates), which the caller retries.
    """
    chars = []
    for _ in range(10):
        chars.append(_NUMBER_ALPHABET[random_bits & 31])
        random_bits >>= 5
    code = "".join(chars)
    return f"{year}-{code[:5]}-{code[5:]}"
