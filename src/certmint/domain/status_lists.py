"""Bitstring status lists: one per organisation and purpose, a new one when one fills."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

__all__ = ["MIN_STATUS_LIST_SIZE", "StatusList", "StatusPurpose"]

# https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding: at least 131,072 entries,
# so that one set bit does not single out a holder.
MIN_STATUS_LIST_SIZE = 131_072


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


@dataclass(frozen=True, slots=True)
class StatusList:
    id: UUID
    organisation_id: UUID
    purpose: StatusPurpose
    sequence: int
    size: int
    created_at: datetime
    updated_at: datetime
