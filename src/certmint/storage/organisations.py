"""Organisations and their signing keys."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.domain.organisations import Branding, Organisation
from certmint.storage.pages import keyset
from certmint.storage.tables import OrganisationRow

__all__ = ["SqlAlchemyOrganisationRepository"]


def _organisation(row: OrganisationRow) -> Organisation:
    return Organisation(
        id=row.id,
        slug=row.slug,
        name=row.name,
        url=row.url,
        is_default=row.is_default,
        created_at=row.created_at,
        branding=Branding(row.primary_colour, row.accent_colour, row.logo_type),
        email_sender=row.email_sender,
        suspended_at=row.suspended_at,
        suspension_shown=row.suspension_shown,
    )


class SqlAlchemyOrganisationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, organisation: Organisation) -> None:
        self._session.add(
            OrganisationRow(
                id=organisation.id,
                slug=organisation.slug,
                name=organisation.name,
                url=organisation.url,
                is_default=organisation.is_default,
                created_at=organisation.created_at,
                primary_colour=organisation.branding.primary_colour,
                accent_colour=organisation.branding.accent_colour,
                email_sender=organisation.email_sender,
            )
        )
        # Flushed now: rows of other tables that refer to it (the audit event of its creation)
        # have no ORM relationship that would make SQLAlchemy insert this row first.
        self._session.flush()

    def get(self, organisation_id: UUID) -> Organisation | None:
        row = self._session.get(OrganisationRow, organisation_id)
        return None if row is None else _organisation(row)

    def get_by_slug(self, slug: str) -> Organisation | None:
        row = self._session.scalar(select(OrganisationRow).where(OrganisationRow.slug == slug))
        return None if row is None else _organisation(row)

    def get_default(self) -> Organisation | None:
        row = self._session.scalar(select(OrganisationRow).where(OrganisationRow.is_default))
        return None if row is None else _organisation(row)

    def page(self, *, after: UUID | None, limit: int) -> list[Organisation]:
        """Organisations in id order, after ``after`` (keyset pagination)."""
        rows = self._session.scalars(
            keyset(select(OrganisationRow), OrganisationRow.id, after=after, limit=limit)
        )
        return [_organisation(row) for row in rows]

    def list(self) -> list[Organisation]:
        rows = self._session.scalars(select(OrganisationRow).order_by(OrganisationRow.created_at))
        return [_organisation(row) for row in rows]

    def update(self, organisation_id: UUID, **values: Any) -> None:
        """Set columns of one organisation (``name``, ``url``, ``primary_colour``,
        ``accent_colour``, ``email_sender``, ``logo`` with ``logo_type``, ``suspended_at``,
        ``suspension_shown``)."""
        self._session.execute(
            update(OrganisationRow).where(OrganisationRow.id == organisation_id).values(**values)
        )

    def logo(self, slug: str) -> tuple[bytes, str] | None:
        """The organisation's logo and its media type, if it has one."""
        found = self._session.execute(
            select(OrganisationRow.logo, OrganisationRow.logo_type).where(
                OrganisationRow.slug == slug
            )
        ).one_or_none()
        if found is None or found[0] is None or not found[1]:
            return None
        return bytes(found[0]), found[1]
