"""banks: workspace banks (versioned, never deleted), the banks a channel uses, submissions

Written against 0003; 0004-0006 were written at the same time on other
branches, so the merge re-chains this one after them (only ``down_revision`` changes).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banks")),
        sa.UniqueConstraint(
            "platform", "workspace_id", "name", name=op.f("uq_banks_platform_workspace_id_name")
        ),
    )
    op.create_table(
        "bank_questions",
        sa.Column("bank_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("difficulty", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["bank_pk"], ["banks.id"], name=op.f("fk_bank_questions_bank_pk_banks")),
        sa.PrimaryKeyConstraint("bank_pk", "version", "question_id", name=op.f("pk_bank_questions")),
    )
    op.create_table(
        "channel_banks",
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_pk"],
            ["channels.id"],
            name=op.f("fk_channel_banks_channel_pk_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_pk", name=op.f("pk_channel_banks")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column("duplicates", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("question_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    op.create_index("ix_submissions_queue", "submissions", ["platform", "workspace_id", "status"])
    op.create_index(
        "ix_submissions_member", "submissions", ["platform", "workspace_id", "user_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("submissions")
    op.drop_table("channel_banks")
    op.drop_table("bank_questions")
    op.drop_table("banks")
