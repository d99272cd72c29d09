"""What the store raises on purpose, for the services to act on."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

__all__ = ["ConcurrentTransaction", "lost_to_a_concurrent_transaction"]

# SQLSTATEs of a transaction PostgreSQL refused for a concurrent one's sake: a unique
# violation, a serialisation failure, a deadlock. SQLite serialises writers, so there only a
# unique constraint can meet another transaction's rows.
_POSTGRES = {"23505", "40001", "40P01"}
_SQLITE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


class ConcurrentTransaction(RuntimeError):
    """The database refused a unit of work for a concurrent one's sake: a unique index that
    another transaction filled first, or a deadlock between two (PostgreSQL aborts one of
    them). Nothing of it was kept, and redoing the work, which reads afresh, may succeed: an
    executor that owns the work redoes it (``services.issuance.jobs.run_claimed``)."""


def lost_to_a_concurrent_transaction(exc: BaseException | None) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    driver = exc.orig
    return (
        getattr(driver, "sqlstate", None) in _POSTGRES
        or getattr(driver, "sqlite_errorname", None) in _SQLITE
    )
