"""Templates and their versions. Versions are written once; only publishing touches them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from certmint.domain.templates import Template, TemplateVersion, TemplateVersionStatus
from certmint.storage.pages import keyset
from certmint.storage.tables import TemplateRow, TemplateVersionRow

__all__ = ["SqlAlchemyTemplateRepository"]


def _template(row: TemplateRow) -> Template:
    return Template(row.id, row.organisation_id, row.name, row.created_at)


def _version(row: TemplateVersionRow) -> TemplateVersion:
    return TemplateVersion(
        id=row.id,
        template_id=row.template_id,
        number=row.number,
        status=TemplateVersionStatus(row.status),
        svg=row.svg,
        design=row.design,
        content_hash=row.content_hash,
        created_at=row.created_at,
        published_at=row.published_at,
    )


class SqlAlchemyTemplateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, template: Template) -> None:
        self._session.add(
            TemplateRow(
                id=template.id,
                organisation_id=template.organisation_id,
                name=template.name,
                created_at=template.created_at,
            )
        )
        # Flushed now: its first version refers to it and there is no ORM relationship that
        # would order the two inserts.
        self._session.flush()

    def add_version(self, version: TemplateVersion) -> None:
        self._session.add(
            TemplateVersionRow(
                id=version.id,
                template_id=version.template_id,
                number=version.number,
                status=version.status.value,
                svg=version.svg,
                design=version.design,
                content_hash=version.content_hash,
                created_at=version.created_at,
                published_at=version.published_at,
            )
        )

    def get(self, organisation_id: UUID, template_id: UUID) -> Template | None:
        row = self._session.get(TemplateRow, template_id)
        return None if row is None or row.organisation_id != organisation_id else _template(row)

    def get_version(
        self, organisation_id: UUID, version_id: UUID
    ) -> tuple[Template, TemplateVersion] | None:
        """A version with its template, only if it belongs to the organisation."""
        found = self._session.execute(
            select(TemplateRow, TemplateVersionRow)
            .join(TemplateVersionRow, TemplateVersionRow.template_id == TemplateRow.id)
            .where(
                TemplateVersionRow.id == version_id, TemplateRow.organisation_id == organisation_id
            )
        ).one_or_none()
        return None if found is None else (_template(found[0]), _version(found[1]))

    def versions(self, template_id: UUID) -> list[TemplateVersion]:
        rows = self._session.scalars(
            select(TemplateVersionRow)
            .where(TemplateVersionRow.template_id == template_id)
            .order_by(TemplateVersionRow.number)
        )
        return [_version(row) for row in rows]

    def latest_version(self, template_id: UUID) -> TemplateVersion | None:
        row = self._session.scalar(
            select(TemplateVersionRow)
            .where(TemplateVersionRow.template_id == template_id)
            .order_by(TemplateVersionRow.number.desc())
            .limit(1)
        )
        return None if row is None else _version(row)

    def next_number(self, template_id: UUID) -> int:
        latest = self._session.scalar(
            select(func.max(TemplateVersionRow.number)).where(
                TemplateVersionRow.template_id == template_id
            )
        )
        return (latest or 0) + 1

    def page(self, organisation_id: UUID, *, after: UUID | None, limit: int) -> list[Template]:
        query = select(TemplateRow).where(TemplateRow.organisation_id == organisation_id)
        rows = self._session.scalars(keyset(query, TemplateRow.id, after=after, limit=limit))
        return [_template(row) for row in rows]

    def versions_page(
        self, template_id: UUID, *, after: int | None, limit: int
    ) -> list[TemplateVersion]:
        """Versions by number (the cursor is the last number seen)."""
        query = select(TemplateVersionRow).where(TemplateVersionRow.template_id == template_id)
        rows = self._session.scalars(
            keyset(query, TemplateVersionRow.number, after=after, limit=limit)
        )
        return [_version(row) for row in rows]

    def list(self, organisation_id: UUID) -> list[Template]:
        rows = self._session.scalars(
            select(TemplateRow)
            .where(TemplateRow.organisation_id == organisation_id)
            .order_by(TemplateRow.created_at)
        )
        return [_template(row) for row in rows]

    def publish(self, version_id: UUID, content_hash: str, at: datetime) -> bool:
        """Freeze a draft; False when it was published already (by us or a concurrent call)."""
        result = self._session.execute(
            update(TemplateVersionRow)
            .where(
                TemplateVersionRow.id == version_id,
                TemplateVersionRow.status == TemplateVersionStatus.DRAFT.value,
            )
            .values(
                status=TemplateVersionStatus.PUBLISHED.value,
                content_hash=content_hash,
                published_at=at,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
