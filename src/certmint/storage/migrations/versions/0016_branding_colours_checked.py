"""Branding colours are ``#rrggbb`` or empty (the instance's own): a stored one that is
neither is emptied.

Until this revision the check let a trailing newline through (``"#123456\\n"`` typed at the
command line; SQLite keeps it, although the column is 7 characters long); the domain now
refuses such a value, so an organisation keeping one could not be loaded. Organisations are
few, so they are read and checked here. Nothing to undo.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:50:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_COLOUR = re.compile(r"#[0-9a-f]{6}")
_ORGANISATIONS = sa.table(
    "organisations",
    sa.column("id", sa.Uuid()),
    sa.column("primary_colour", sa.String()),
    sa.column("accent_colour", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _ORGANISATIONS.c.id, _ORGANISATIONS.c.primary_colour, _ORGANISATIONS.c.accent_colour
        )
    )
    for id_, *colours in rows.all():
        kept = [c if not c or _COLOUR.fullmatch(c) else "" for c in colours]
        if kept != colours:
            connection.execute(
                sa.update(_ORGANISATIONS)
                .where(_ORGANISATIONS.c.id == id_)
                .values(primary_colour=kept[0], accent_colour=kept[1])
            )


def downgrade() -> None:
    """Nothing to restore: the emptied values were ones the code refuses."""
