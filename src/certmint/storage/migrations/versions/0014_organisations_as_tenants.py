"""Organisations as tenants: branding, e-mail sender and suspension of organisations; the
operator grant on accounts and tokens; verified addresses and e-mailed sign-in links, so that
one person's accounts in several organisations are known to be theirs.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("logo_type", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("primary_colour", sa.String(length=7), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("accent_colour", sa.String(length=7), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("email_sender", sa.String(length=320), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("suspension_shown", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("operator", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("operator", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_users_email_key", ["email_key"], unique=False)
    with op.batch_alter_table("sign_in_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mailed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("sign_in_links", schema=None) as batch_op:
        batch_op.drop_column("mailed")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_email_key")
        batch_op.drop_column("operator")
        batch_op.drop_column("email_verified_at")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("operator")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for column in (
            "suspension_shown",
            "suspended_at",
            "email_sender",
            "accent_colour",
            "primary_colour",
            "logo_type",
        ):
            batch_op.drop_column(column)
