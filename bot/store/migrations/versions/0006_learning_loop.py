"""learning loop: practice cards remember where they came from; reminders before the reveal

``cards.origin`` is "practice" for a card made by rating a practice question and "missed" for
one made at a reveal from a missed or partial daily answer (``review`` practises only those).
``reminder_settings`` holds who opted in to a reminder in which channel and how long before the
reveal; ``reminders_sent`` is claimed before each reminder is sent, one row per round and member.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=8), nullable=False, server_default="practice")
        )
    op.create_table(
        "reminder_settings",
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("lead_s", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_reminder_settings_user_pk_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_pk"],
            ["channels.id"],
            name=op.f("fk_reminder_settings_channel_pk_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_pk", "channel_pk", name=op.f("pk_reminder_settings")),
    )
    op.create_index("ix_reminder_settings_channel", "reminder_settings", ["channel_pk"], unique=False)
    op.create_table(
        "reminders_sent",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_reminders_sent_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_reminders_sent_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "user_pk", name=op.f("pk_reminders_sent")),
    )
    op.create_index("ix_reminders_sent_state", "reminders_sent", ["state", "lease_until"], unique=False)
    op.create_index("ix_reminders_sent_user_pk", "reminders_sent", ["user_pk"], unique=False)


def downgrade() -> None:
    op.drop_table("reminders_sent")
    op.drop_table("reminder_settings")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_column("origin")
