"""Organisations' own e-mail templates (one per organisation and kind of e-mail)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certmint.domain.email_templates import EmailTemplate
from certmint.domain.notifications import NotificationKind
from certmint.storage.tables import EmailTemplateRow

__all__ = ["SqlAlchemyEmailTemplateRepository"]


class SqlAlchemyEmailTemplateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, organisation_id: UUID, kind: NotificationKind) -> EmailTemplateRow | None:
        return self._session.scalar(
            select(EmailTemplateRow).where(
                EmailTemplateRow.organisation_id == organisation_id,
                EmailTemplateRow.kind == kind.value,
            )
        )

    def get(self, organisation_id: UUID, kind: NotificationKind) -> EmailTemplate | None:
        row = self._row(organisation_id, kind)
        return None if row is None else EmailTemplate(row.subject, row.text_body, row.html_body)

    def put(
        self,
        organisation_id: UUID,
        kind: NotificationKind,
        template: EmailTemplate,
        at: datetime,
    ) -> None:
        """Add or replace the organisation's template for ``kind``."""
        row = self._row(organisation_id, kind)
        if row is None:
            row = EmailTemplateRow(organisation_id=organisation_id, kind=kind.value)
            self._session.add(row)
        row.subject = template.subject
        row.text_body = template.text
        row.html_body = template.html
        row.updated_at = at

    def remove(self, organisation_id: UUID, kind: NotificationKind) -> bool:
        """Delete the template (the organisation gets the default); whether there was one."""
        result = self._session.execute(
            delete(EmailTemplateRow).where(
                EmailTemplateRow.organisation_id == organisation_id,
                EmailTemplateRow.kind == kind.value,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
