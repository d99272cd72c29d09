"""Organisations (tenants and issuers) and their signing keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

__all__ = ["Organisation", "SigningKey", "slugify"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A URL- and DID-safe slug (``did:web`` path segments allow only these characters)."""
    slug = _NON_SLUG.sub("-", name.lower()).strip("-")
    return slug[:60].strip("-") or "org"


@dataclass(frozen=True, slots=True)
class Organisation:
    id: UUID
    slug: str
    name: str
    url: str
    is_default: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SigningKey:
    """Public half of an organisation's Ed25519 key; the private half stays in the key store."""

    id: UUID
    organisation_id: UUID
    key_id: str
    public_key_multibase: str
    created_at: datetime
    retired_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.retired_at is None
