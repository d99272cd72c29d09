"""Account e-mails (sign-in links, invitations) in the notification outbox; sign-in throttles
per e-mail address and per client instead of per account.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:28:04.089307
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("certificate_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            "ix_notifications_recipient_created_at", ["recipient", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))

    # Account e-mails have no certificate: they cannot exist in the older schema.
    op.execute("DELETE FROM notifications WHERE certificate_id IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notifications_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notifications_user_id"))
        batch_op.drop_index("ix_notifications_recipient_created_at")
        batch_op.alter_column("certificate_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("user_id")

    op.drop_table("sign_in_throttles")
