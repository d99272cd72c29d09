"""Certificates keep their credential and snapshot as JSON text (PostgreSQL json, not jsonb).

``jsonb`` re-orders the keys of a signed credential and costs about three times as much to
store; nothing queries inside these documents. SQLite stores JSON as text either way.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = ("snapshot", "credential")


def _retype(target: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in _COLUMNS:
        op.execute(
            f"ALTER TABLE certificates ALTER COLUMN {column} TYPE {target} USING {column}::{target}"
        )


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")
