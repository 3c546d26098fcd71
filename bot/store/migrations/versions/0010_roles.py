"""roles: the Discord roles an admin gave the bot (champion, streak milestones) and its grants

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "role_settings",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role_id", sa.String(length=64), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "kind", name=op.f("pk_role_settings")),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("season", sa.String(length=8), nullable=False),
        sa.Column("role_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "kind",
            "user_id",
            "season",
            name=op.f("uq_role_grants_platform_workspace_id_kind_user_id_season"),
        ),
    )
    op.create_index("ix_role_grants_state", "role_grants", ["platform", "workspace_id", "kind", "state"])


def downgrade() -> None:
    op.drop_index("ix_role_grants_state", table_name="role_grants")
    op.drop_table("role_grants")
    op.drop_table("role_settings")
