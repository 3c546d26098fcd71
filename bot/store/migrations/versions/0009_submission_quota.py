"""submission_quota: a member's submissions per UTC day, raised by one conditional UPDATE

The per-member daily limit used to be "count, then insert", which two submits at once could both
pass. The counter row makes the check and the increment one statement.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_quota",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "user_id", "day", name=op.f("pk_submission_quota")
        ),
    )


def downgrade() -> None:
    op.drop_table("submission_quota")
