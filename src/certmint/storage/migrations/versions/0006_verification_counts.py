"""Verification counts per certificate (a number only, nothing about who verified).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_counts",
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_verification_counts_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_verification_counts")),
    )


def downgrade() -> None:
    op.drop_table("verification_counts")
