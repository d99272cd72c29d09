"""API tokens (only the SHA-256 of each secret is stored)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.domain.accounts import ApiToken, Role
from certmint.storage.tables import ApiTokenRow

__all__ = ["SqlAlchemyTokenRepository"]


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        organisation_id=row.organisation_id,
        name=row.name,
        role=Role(row.role),
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        course_ids=None if row.course_ids is None else frozenset(UUID(c) for c in row.course_ids),
        operator=row.operator,
    )


class SqlAlchemyTokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, token: ApiToken, secret_hash: str) -> None:
        self._session.add(
            ApiTokenRow(
                id=token.id,
                organisation_id=token.organisation_id,
                name=token.name,
                role=token.role.value,
                prefix=token.prefix,
                secret_hash=secret_hash,
                created_at=token.created_at,
                course_ids=(
                    None if token.course_ids is None else sorted(map(str, token.course_ids))
                ),
                operator=token.operator,
            )
        )

    def by_secret_hash(self, secret_hash: str) -> ApiToken | None:
        row = self._session.scalar(
            select(ApiTokenRow).where(ApiTokenRow.secret_hash == secret_hash)
        )
        return None if row is None else _token(row)

    def list(self, organisation_id: UUID) -> list[ApiToken]:
        rows = self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.organisation_id == organisation_id)
            .order_by(ApiTokenRow.created_at)
        )
        return [_token(row) for row in rows]

    def update(self, token_id: UUID, **values: datetime) -> None:
        self._session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(**values)
        )
