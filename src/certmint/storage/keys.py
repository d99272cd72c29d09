"""Public halves of organisations' signing keys (private halves live in the key store)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.domain.organisations import SigningKey
from certmint.storage.tables import SigningKeyRow

__all__ = ["SqlAlchemySigningKeyRepository"]


def _key(row: SigningKeyRow) -> SigningKey:
    return SigningKey(
        id=row.id,
        organisation_id=row.organisation_id,
        key_id=row.key_id,
        public_key_multibase=row.public_key_multibase,
        created_at=row.created_at,
        retired_at=row.retired_at,
    )


class SqlAlchemySigningKeyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, key: SigningKey) -> None:
        self._session.add(
            SigningKeyRow(
                id=key.id,
                organisation_id=key.organisation_id,
                key_id=key.key_id,
                public_key_multibase=key.public_key_multibase,
                created_at=key.created_at,
                retired_at=key.retired_at,
            )
        )

    def list_for(self, organisation_id: UUID) -> list[SigningKey]:
        """Every key the organisation ever had, oldest first."""
        rows = self._session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.organisation_id == organisation_id)
            .order_by(SigningKeyRow.created_at, SigningKeyRow.id)
        )
        return [_key(row) for row in rows]

    def active_for(self, organisation_id: UUID) -> SigningKey | None:
        row = self._session.scalar(
            select(SigningKeyRow).where(
                SigningKeyRow.organisation_id == organisation_id,
                SigningKeyRow.retired_at.is_(None),
            )
        )
        return None if row is None else _key(row)

    def retire_active(self, organisation_id: UUID, at: datetime) -> None:
        self._session.execute(
            update(SigningKeyRow)
            .where(
                SigningKeyRow.organisation_id == organisation_id,
                SigningKeyRow.retired_at.is_(None),
            )
            .values(retired_at=at)
        )
