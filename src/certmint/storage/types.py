"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Dialect, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["JsonDocument", "JsonText", "UTCDateTime"]

JsonDocument = JSON().with_variant(JSONB(), "postgresql")

#: JSON kept as written, never queried inside: a certificate's signed credential and its
#: printed snapshot. PostgreSQL's ``json`` keeps the issued text (``jsonb`` would re-order the
#: keys of a signed document) and costs about a third of ``jsonb`` to store, which counts when
#: a bulk issuance writes a thousand credentials per chunk.
JsonText = JSON()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out.

    SQLite has no time zones and would hand back naive values; refusing naive input keeps a
    local-time bug from being stored silently.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
