"""Organisations (tenants and issuers) and their signing keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

__all__ = ["Branding", "Organisation", "SigningKey", "is_colour", "slugify"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_COLOUR = re.compile(r"#[0-9a-f]{6}")


def slugify(name: str) -> str:
    """A URL- and DID-safe slug (``did:web`` path segments allow only these characters)."""
    slug = _NON_SLUG.sub("-", name.lower()).strip("-")
    return slug[:60].strip("-") or "org"


def is_colour(value: str) -> bool:
    """Whether ``value`` is a colour as branding keeps it: ``#rrggbb`` in lower case, nothing
    before or after (not even a newline). Pages and e-mails write colours into ``style``
    attributes as they are, so this is what keeps an operator's typing out of their CSS."""
    return _COLOUR.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Branding:
    """How an organisation's pages and e-mails look: two ``#rrggbb`` colours (empty: the
    instance's own) and whether it has a logo (served at ``/orgs/<slug>/logo``).

    A colour that is not ``#rrggbb`` is a ``ValueError`` here, whoever builds the value: the
    use cases check what people type first and say why (``OrganisationChanges.problems``)."""

    primary_colour: str = ""
    accent_colour: str = ""
    logo_type: str = ""  # image/png or image/jpeg; empty: no logo

    def __post_init__(self) -> None:
        for colour in (self.primary_colour, self.accent_colour):
            if colour and not is_colour(colour):
                raise ValueError(f"a branding colour must be #rrggbb, not {colour!r}")


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
