"""Bitstring status lists: one per organisation and purpose, a new one when one fills."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

__all__ = ["MIN_STATUS_LIST_SIZE", "PublishedStatusList", "StatusList", "StatusPurpose"]

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


@dataclass(frozen=True, slots=True)
class PublishedStatusList:
    """A list as verifiers are served it: the credential signed when its bits last changed.

    ``credential`` is None for a list no one has signed yet (one made by a Certmint older than
    signing on change); ``signed_for`` is the ``updated_at`` it was signed for, so a copy that
    is behind its list, or names another base URL, is found and signed again at start-up.
    """

    status_list: StatusList
    credential: dict[str, Any] | None
    signed_for: datetime | None

    @property
    def current(self) -> bool:
        return self.credential is not None and self.signed_for == self.status_list.updated_at
