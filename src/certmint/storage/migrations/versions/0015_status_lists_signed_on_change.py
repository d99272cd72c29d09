"""Status lists keep their signed credential, made when a bit changes, not when one is served.

A page view or a verifier's fetch then reads the signed copy and never needs the private key.
Lists made before have none yet: a server signs them when it starts (as it does any copy that
is behind its list). Downgrading drops the copies; the older code signs on demand.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credential", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("signed_for", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.drop_column("signed_for")
        batch_op.drop_column("credential")
