"""Organisations (tenants and issuers) and their signing keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

__all__ = ["Branding", "Organisation", "SigningKey", "slugify"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A URL- and DID-safe slug (``did:web`` path segments allow only these characters)."""
    slug = _NON_SLUG.sub("-", name.lower()).strip("-")
    return slug[:60].strip("-") or "org"


@dataclass(frozen=True, slots=True)
class Branding:
    """How an organisation's pages and e-mails look: two ``#rrggbb`` colours (empty: the
    instance's own) and whether it has a logo (served at ``/orgs/<slug>/logo``)."""

    primary_colour: str = ""
    accent_colour: str = ""
    logo_type: str = ""  # image/png or image/jpeg; empty: no logo


@dataclass(frozen=True, slots=True)
class Organisation:
    """A tenant and issuer. The instance's operator creates, renames, brands and suspends
    organisations; a suspended one issues nothing, and its certificates still verify (its
    pages say it is suspended when ``suspension_shown``)."""

    id: UUID
    slug: str
    name: str
    url: str
    is_default: bool
    created_at: datetime
    branding: Branding = Branding()
    email_sender: str = ""  # the From address of its e-mails; empty: the instance's
    suspended_at: datetime | None = None
    suspension_shown: bool = False

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None


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
