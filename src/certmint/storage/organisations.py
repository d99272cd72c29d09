"""Organisations and their signing keys."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.organisations import Organisation
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

    def list(self) -> list[Organisation]:
        rows = self._session.scalars(select(OrganisationRow).order_by(OrganisationRow.created_at))
        return [_organisation(row) for row in rows]
