"""Creating and finding organisations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from certmint.domain.organisations import Organisation, slugify
from certmint.services.audit import record
from certmint.services.errors import Conflict, NotFound
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["create_organisation", "find_organisation", "get_organisation"]


def create_organisation(
    uow: SqlAlchemyUnitOfWork,
    name: str,
    *,
    url: str = "",
    slug: str | None = None,
    default: bool = False,
    actor: str = "system",
) -> Organisation:
    name = name.strip()
    if not name:
        raise Conflict("an organisation needs a name")
    organisation = Organisation(
        id=uuid.uuid4(),
        slug=slugify(slug or name),
        name=name,
        url=url,
        is_default=default,
        created_at=datetime.now(UTC),
    )
    with uow:
        if uow.organisations.get_by_slug(organisation.slug):
            raise Conflict(f"an organisation with slug {organisation.slug!r} exists")
        if default and uow.organisations.get_default():
            raise Conflict("there is already a default organisation")
        uow.organisations.add(organisation)
        record(
            uow,
            organisation_id=organisation.id,
            actor=actor,
            action="organisation.created",
            subject_type="organisation",
            subject_id=organisation.id,
            details={"name": name, "slug": organisation.slug},
            at=organisation.created_at,
        )
        uow.commit()
    return organisation


def find_organisation(uow: SqlAlchemyUnitOfWork, slug: str | None = None) -> Organisation:
    """The organisation with this slug, or the default one when no slug is given."""
    with uow:
        found = uow.organisations.get_by_slug(slug) if slug else uow.organisations.get_default()
    if found is None:
        raise NotFound("organisation", slug or "(default)")
    return found


def get_organisation(uow: SqlAlchemyUnitOfWork, organisation_id: UUID) -> Organisation:
    with uow:
        found = uow.organisations.get(organisation_id)
    if found is None:
        raise NotFound("organisation", organisation_id)
    return found
