"""Status list places held by credentials issued through the VC-API, which no certificate holds.

Such a place keeps its index from being given to a certificate (whose revocation would then
set the other credential's bit); its own bit is never set. Downgrading removes these places.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_list_entries", schema=None) as batch_op:
        batch_op.alter_column("certificate_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM status_list_entries WHERE certificate_id IS NULL")
    with op.batch_alter_table("status_list_entries", schema=None) as batch_op:
        batch_op.alter_column("certificate_id", existing_type=sa.Uuid(), nullable=False)
