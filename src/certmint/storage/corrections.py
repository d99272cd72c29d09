"""Name-correction requests."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.domain.corrections import CorrectionStatus, NameCorrection
from certmint.storage.tables import NameCorrectionRow

__all__ = ["SqlAlchemyCorrectionRepository"]


def _correction(row: NameCorrectionRow) -> NameCorrection:
    return NameCorrection(
        id=row.id,
        organisation_id=row.organisation_id,
        certificate_id=row.certificate_id,
        learner_id=row.learner_id,
        requested_by=row.requested_by,
        current_name=row.current_name,
        requested_name=row.requested_name,
        note=row.note,
        status=CorrectionStatus(row.status),
        created_at=row.created_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decision_reason=row.decision_reason,
        new_certificate_id=row.new_certificate_id,
    )


class SqlAlchemyCorrectionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, correction: NameCorrection) -> None:
        self._session.add(
            NameCorrectionRow(
                id=correction.id,
                organisation_id=correction.organisation_id,
                certificate_id=correction.certificate_id,
                learner_id=correction.learner_id,
                requested_by=correction.requested_by,
                current_name=correction.current_name,
                requested_name=correction.requested_name,
                note=correction.note,
                status=correction.status.value,
                created_at=correction.created_at,
            )
        )

    def get(self, organisation_id: UUID, correction_id: UUID) -> NameCorrection | None:
        row = self._session.get(NameCorrectionRow, correction_id)
        if row is None or row.organisation_id != organisation_id:
            return None
        return _correction(row)

    def pending_for(self, certificate_id: UUID) -> NameCorrection | None:
        row = self._session.scalar(
            select(NameCorrectionRow).where(
                NameCorrectionRow.certificate_id == certificate_id,
                NameCorrectionRow.status == CorrectionStatus.PENDING.value,
            )
        )
        return None if row is None else _correction(row)

    def of_learner(self, organisation_id: UUID, learner_id: UUID) -> list[NameCorrection]:
        rows = self._session.scalars(
            select(NameCorrectionRow)
            .where(
                NameCorrectionRow.organisation_id == organisation_id,
                NameCorrectionRow.learner_id == learner_id,
            )
            .order_by(NameCorrectionRow.created_at.desc())
        )
        return [_correction(row) for row in rows]

    def list(
        self, organisation_id: UUID, statuses: list[CorrectionStatus], limit: int
    ) -> list[NameCorrection]:
        rows = self._session.scalars(
            select(NameCorrectionRow)
            .where(
                NameCorrectionRow.organisation_id == organisation_id,
                NameCorrectionRow.status.in_([s.value for s in statuses]),
            )
            .order_by(NameCorrectionRow.created_at.desc())
            .limit(limit)
        )
        return [_correction(row) for row in rows]

    def decide(self, correction_id: UUID, **values: Any) -> bool:
        """Record a decision on a pending request; False if it was no longer pending (another
        admin decided first)."""
        result = self._session.execute(
            update(NameCorrectionRow)
            .where(
                NameCorrectionRow.id == correction_id,
                NameCorrectionRow.status == CorrectionStatus.PENDING.value,
            )
            .values(**values)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
