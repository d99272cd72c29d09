"""Bulk inserts: the same rows and the same errors whichever way they are written (on
PostgreSQL a COPY when it can stand in for the INSERT)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certmint.storage.bulk import bulk_insert, load_rows
from certmint.storage.tables import OrganisationRow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _organisation(slug: str, **more: object) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "slug": slug,
        "name": f"Name of {slug} — ünïcode",
        "url": "",
        "logo": b"\x89PNG\x00\xff",
        "is_default": False,
        "created_at": NOW,
    } | more


def test_rows_are_written_with_every_type_intact(session: Session) -> None:
    rows = [_organisation(f"bulk-{i}") for i in range(3)]
    bulk_insert(session, OrganisationRow, rows)
    stored = {
        r.slug: r
        for r in session.scalars(select(OrganisationRow).where(OrganisationRow.slug.like("bulk-%")))
    }
    for row in rows:
        got = stored[str(row["slug"])]
        assert (got.id, got.name, got.logo, got.is_default) == (
            row["id"],
            row["name"],
            row["logo"],
            False,
        )
        assert got.created_at == NOW  # aware UTC back


def test_a_column_left_out_gets_its_python_default(session: Session) -> None:
    row = _organisation("bulk-default")
    del row["url"], row["is_default"]  # defaults computed by SQLAlchemy, not the server
    bulk_insert(session, OrganisationRow, [row])
    got = session.scalars(select(OrganisationRow).where(OrganisationRow.slug == "bulk-default"))
    stored = got.one()
    assert (stored.url, stored.is_default) == ("", False)


def test_a_unique_violation_is_an_integrity_error(session: Session) -> None:
    row = _organisation("bulk-twice")
    with pytest.raises(IntegrityError):
        bulk_insert(session, OrganisationRow, [row, row | {"id": uuid.uuid4()}])


def test_plain_rows_load_into_a_staging_table(session: Session) -> None:
    session.execute(text("CREATE TEMPORARY TABLE staged (line INTEGER, name TEXT, note TEXT)"))
    rows = [(1, 'Zoë, "quoted"\tand\\back', None), (2, "अनन्या\nनई पंक्ति", "x")]
    load_rows(session, "staged", ("line", "name", "note"), rows)
    stored = session.execute(text("SELECT line, name, note FROM staged ORDER BY line")).all()
    assert [tuple(r) for r in stored] == rows
    session.execute(text("DROP TABLE staged"))
