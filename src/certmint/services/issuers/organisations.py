"""Organisations as tenants: the instance's operator creates, renames, brands and suspends
them (each use case takes the acting principal and asks the policy for
``Action.OPERATE_INSTANCE``); everyone else finds them.

An organisation's slug is fixed once it is made: it is part of its DID
(``did:web:<host>:orgs:<slug>``), which every credential it issued names. A suspended
organisation issues nothing (``require_active`` raises ``OrganisationSuspended``); its
certificates, keys, DID document and status lists stay, so what it issued still verifies.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.credentials import KeyStore
from certmint.domain.accounts import Principal, Role, User
from certmint.domain.organisations import Organisation, SigningKey, is_colour, slugify
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.issuers.keys import add_first_key
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "LOGO_TYPES",
    "MAX_LOGO_BYTES",
    "OrganisationChanges",
    "OrganisationOverview",
    "OrganisationSuspended",
    "add_organisation",
    "change_organisation",
    "create_organisation",
    "find_organisation",
    "get_organisation",
    "list_organisations",
    "list_organisations_page",
    "organisation_logo",
    "organisation_overview",
    "require_active",
]

MAX_LOGO_BYTES = 512 * 1024
# The logo's first bytes -> its media type. No SVG: a logo is shown as an image on public
# pages, and raster images carry no script.
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


class OrganisationSuspended(Conflict):
    """The organisation is suspended, so it issues nothing (HTTP 409, exit code 4)."""

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(
            f"organisation {organisation.slug} is suspended: it issues nothing until the "
            "instance's operator reinstates it"
        )
        self.slug = organisation.slug


def require_active(organisation: Organisation) -> None:
    """Raise ``OrganisationSuspended`` unless the organisation may issue."""
    if organisation.suspended:
        raise OrganisationSuspended(organisation)


def create_organisation(
    uow: UnitOfWork,
    name: str,
    *,
    url: str = "",
    slug: str | None = None,
    default: bool = False,
    actor: str = "system",
) -> Organisation:
    """Store a new organisation (no signing key yet: ``add_organisation`` makes one)."""
    organisation = _checked(name, url=url, slug=slug, default=default)
    with uow as tx:
        _store(tx, organisation, actor)
        tx.commit()
    return organisation


def _checked(name: str, *, url: str, slug: str | None, default: bool) -> Organisation:
    name = name.strip()
    problems = _name_problems(name) + _url_problems(url)
    if slug is not None and not _SLUG.match(slug):
        problems.append("slug: 1 to 60 of a-z, 0-9 and -, not starting or ending with -")
    if problems:
        raise InvalidInput(problems, "organisation rejected")
    return Organisation(
        id=uuid.uuid4(),
        slug=slug or slugify(name),
        name=name,
        url=url.strip(),
        is_default=default,
        created_at=datetime.now(UTC),
    )


def _store(tx: OpenUnitOfWork, organisation: Organisation, actor: str) -> None:
    if tx.organisations.get_by_slug(organisation.slug):
        raise Conflict(f"an organisation with slug {organisation.slug!r} exists")
    if organisation.is_default and tx.organisations.get_default():
        raise Conflict("there is already a default organisation")
    tx.organisations.add(organisation)
    record(
        tx,
        organisation_id=organisation.id,
        actor=actor,
        action="organisation.created",
        subject_type="organisation",
        subject_id=organisation.id,
        details={"name": organisation.name, "slug": organisation.slug},
        at=organisation.created_at,
    )


def add_organisation(
    uow: UnitOfWork,
    key_store: KeyStore,
    principal: Principal,
    name: str,
    *,
    slug: str | None = None,
    url: str = "",
) -> Organisation:
    """A new tenant, ready to issue: the organisation and its signing key (so its DID
    document answers at once). Its admins are invited or added next."""
    authorization.require(principal, Action.OPERATE_INSTANCE)
    organisation = _checked(name, url=url, slug=slug, default=False)
    with uow as tx:  # one transaction: a key the store refuses leaves no organisation behind
        _store(tx, organisation, principal.actor)
        add_first_key(tx, key_store, organisation.id, actor=principal.actor)
        tx.commit()
    return organisation


def find_organisation(uow: UnitOfWork, slug: str | None = None) -> Organisation:
    """The organisation with this slug, or the default one when no slug is given."""
    with uow as tx:
        found = tx.organisations.get_by_slug(slug) if slug else tx.organisations.get_default()
    if found is None:
        raise NotFound("organisation", slug or "(default)")
    return found


def get_organisation(uow: UnitOfWork, organisation_id: UUID) -> Organisation:
    with uow as tx:
        found = tx.organisations.get(organisation_id)
    if found is None:
        raise NotFound("organisation", organisation_id)
    return found


def list_organisations(uow: UnitOfWork, principal: Principal) -> list[Organisation]:
    """Every organisation of the instance, oldest first."""
    authorization.require(principal, Action.OPERATE_INSTANCE)
    with uow as tx:
        return tx.organisations.list()


def list_organisations_page(
    uow: UnitOfWork, principal: Principal, *, after: UUID | None, limit: int
) -> list[Organisation]:
    """A page of the instance's organisations in id order (the API's listing)."""
    authorization.require(principal, Action.OPERATE_INSTANCE)
    with uow as tx:
        return tx.organisations.page(after=after, limit=limit)


@dataclass(frozen=True, slots=True)
class OrganisationOverview:
    """What the operator sees of one organisation: its settings, who administers it and its
    keys (never what it issued or to whom)."""

    organisation: Organisation
    admins: tuple[User, ...]
    course_managers: int
    keys: tuple[SigningKey, ...]


def organisation_overview(uow: UnitOfWork, principal: Principal, slug: str) -> OrganisationOverview:
    authorization.require(principal, Action.OPERATE_INSTANCE)
    with uow as tx:
        organisation = tx.organisations.get_by_slug(slug)
        if organisation is None:
            raise NotFound("organisation", slug)
        users = tx.users.list(organisation.id)
        keys = tx.signing_keys.list_for(organisation.id)
    by_role: dict[Role, list[User]] = defaultdict(list)
    for user in users:
        by_role[user.role].append(user)
    return OrganisationOverview(
        organisation, tuple(by_role[Role.ADMIN]), len(by_role[Role.COURSE_MANAGER]), tuple(keys)
    )


def organisation_logo(uow: UnitOfWork, slug: str) -> tuple[bytes, str]:
    """The logo and its media type; ``NotFound`` when the organisation has none."""
    with uow as tx:
        found = tx.organisations.logo(slug)
    if found is None:
        raise NotFound("logo of organisation", slug)
    return found


@dataclass(frozen=True, slots=True)
class OrganisationChanges:
    """What the operator changes; ``None`` leaves a setting as it is. An empty colour or
    sender goes back to the instance's own; ``logo=b""`` removes the logo."""

    name: str | None = None
    url: str | None = None
    primary_colour: str | None = None
    accent_colour: str | None = None
    email_sender: str | None = None
    logo: bytes | None = None
    suspended: bool | None = None
    suspension_shown: bool | None = None

    def problems(self) -> list[str]:
        problems = []
        if self.name is not None:
            problems += _name_problems(self.name.strip())
        if self.url is not None:
            problems += _url_problems(self.url)
        for label, colour in (
            ("primary colour", self.primary_colour),
            ("accent colour", self.accent_colour),
        ):
            if colour and not is_colour(colour.lower()):
                problems.append(f"{label}: #rrggbb, for example #1d4ed8")
        if self.email_sender and (
            len(self.email_sender) > 320 or not _EMAIL.match(self.email_sender.strip())
        ):
            problems.append(
                "e-mail sender: an e-mail address, for example certificates@example.org"
            )
        if self.logo:
            if len(self.logo) > MAX_LOGO_BYTES:
                problems.append(f"logo: at most {MAX_LOGO_BYTES // 1024} KB")
            elif _logo_type(self.logo) is None:
                problems.append("logo: a PNG or JPEG image")
        return problems


def change_organisation(
    uow: UnitOfWork, principal: Principal, slug: str, changes: OrganisationChanges
) -> Organisation:
    """Rename, rebrand, suspend or reinstate an organisation (the operator's use case); each
    change is audit-logged in the organisation's own log."""
    authorization.require(principal, Action.OPERATE_INSTANCE)
    actor = principal.actor
    if problems := changes.problems():
        raise InvalidInput(problems, "organisation not changed")
    now = datetime.now(UTC)
    with uow as tx:
        organisation = tx.organisations.get_by_slug(slug)
        if organisation is None:
            raise NotFound("organisation", slug)
        values = _values(organisation, changes, now)
        if values:
            tx.organisations.update(organisation.id, **values)
            record(
                tx,
                organisation_id=organisation.id,
                actor=actor,
                action=_action(values),
                subject_type="organisation",
                subject_id=organisation.id,
                details={k: _shown(k, v) for k, v in values.items()},
                at=now,
            )
            tx.commit()
        changed = tx.organisations.get(organisation.id)
    assert changed is not None
    return changed


def _values(
    organisation: Organisation, changes: OrganisationChanges, now: datetime
) -> dict[str, Any]:
    """The columns that change."""
    wanted: dict[str, Any] = {
        "name": None if changes.name is None else changes.name.strip(),
        "url": None if changes.url is None else changes.url.strip(),
        "primary_colour": None
        if changes.primary_colour is None
        else changes.primary_colour.lower(),
        "accent_colour": None if changes.accent_colour is None else changes.accent_colour.lower(),
        "email_sender": None if changes.email_sender is None else changes.email_sender.strip(),
        "suspension_shown": changes.suspension_shown,
    }
    current = {
        "name": organisation.name,
        "url": organisation.url,
        "primary_colour": organisation.branding.primary_colour,
        "accent_colour": organisation.branding.accent_colour,
        "email_sender": organisation.email_sender,
        "suspension_shown": organisation.suspension_shown,
    }
    values = {k: v for k, v in wanted.items() if v is not None and v != current[k]}
    if changes.suspended is not None and changes.suspended != organisation.suspended:
        values["suspended_at"] = now if changes.suspended else None
    if changes.logo is not None:
        values["logo"] = changes.logo or None
        values["logo_type"] = _logo_type(changes.logo) or ""
    return values


def _action(values: dict[str, Any]) -> str:
    if "suspended_at" in values:
        return "organisation.suspended" if values["suspended_at"] else "organisation.reinstated"
    return "organisation.changed"


def _shown(column: str, value: Any) -> Any:
    """How the audit log keeps a changed value (a logo by its size)."""
    if column == "logo":
        return len(value or b"")
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _logo_type(image: bytes) -> str | None:
    return next((kind for magic, kind in LOGO_TYPES.items() if image.startswith(magic)), None)


def _name_problems(name: str) -> list[str]:
    if not name or len(name) > 200 or not name.isprintable():
        return ["name: 1 to 200 printable characters"]
    return []


def _url_problems(url: str) -> list[str]:
    url = url.strip()
    if url and (len(url) > 500 or not url.startswith(("https://", "http://")) or " " in url):
        return ["url: an http(s) address of at most 500 characters"]
    return []
