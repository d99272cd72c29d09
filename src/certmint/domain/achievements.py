"""What a batch awards: maps to the Open Badges 3.0 ``Achievement``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

__all__ = ["Achievement"]


@dataclass(frozen=True, slots=True)
class Achievement:
    """A published template version bound to a batch, with issuance criteria.

    ``criteria`` is the criteria language's JSON (see ``docs/criteria.md``); ``valid_for_days``
    sets each certificate's ``validUntil``.
    """

    id: UUID
    batch_id: UUID
    template_version_id: UUID
    name: str
    description: str
    criteria: dict[str, Any]
    signatories: tuple[tuple[str, str], ...]  # (name, designation) for {{signatory.N.*}}
    valid_for_days: int | None
    auto_issue: bool
    created_at: datetime
