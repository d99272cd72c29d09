"""How often each certificate's verification page was opened: counters, added to in batches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certmint.storage.tables import CertificateRow, VerificationCountRow

__all__ = ["SqlAlchemyVerificationCountRepository"]


class SqlAlchemyVerificationCountRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, counts: Mapping[UUID, int]) -> None:
        """Add to each certificate's counter in one statement (an upsert: no read first, so
        concurrent flushes from several processes add up instead of overwriting)."""
        if not counts:
            return
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(VerificationCountRow).values(
            [{"certificate_id": k, "count": v} for k, v in sorted(counts.items())]
        )
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[VerificationCountRow.certificate_id],
                set_={"count": VerificationCountRow.count + statement.excluded.count},
            )
        )

    def for_certificates(
        self, organisation_id: UUID, certificate_ids: Iterable[UUID]
    ) -> dict[UUID, int]:
        """Counts of the organisation's certificates among ``certificate_ids`` (others: none)."""
        ids = list(certificate_ids)
        if not ids:
            return {}
        rows = self._session.execute(
            select(VerificationCountRow.certificate_id, VerificationCountRow.count)
            .join(CertificateRow, CertificateRow.id == VerificationCountRow.certificate_id)
            .where(
                CertificateRow.organisation_id == organisation_id,
                VerificationCountRow.certificate_id.in_(ids),
            )
        )
        return {certificate_id: int(count) for certificate_id, count in rows}
