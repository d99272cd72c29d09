"""Failed sign-ins counted per key (the SHA-256 of an e-mail address or a client)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certmint.domain.accounts import Throttle
from certmint.storage.tables import SignInThrottleRow

__all__ = ["SqlAlchemySignInThrottleRepository"]


class SqlAlchemySignInThrottleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_many(self, keys: Iterable[str]) -> dict[str, Throttle]:
        rows = self._session.scalars(
            select(SignInThrottleRow).where(SignInThrottleRow.key.in_(sorted(set(keys))))
        )
        return {
            row.key: Throttle(row.failures, row.last_failure_at, row.locked_until) for row in rows
        }

    def put(self, key: str, throttle: Throttle) -> None:
        """Insert or replace (an upsert: two failures at once never collide on the key)."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {
            "failures": throttle.failures,
            "last_failure_at": throttle.last_failure_at,
            "locked_until": throttle.locked_until,
        }
        statement = insert(SignInThrottleRow).values(key=key, **values)
        self._session.execute(
            statement.on_conflict_do_update(index_elements=[SignInThrottleRow.key], set_=values)
        )

    def clear(self, key: str) -> None:
        self._session.execute(delete(SignInThrottleRow).where(SignInThrottleRow.key == key))
