"""competition: streak freezes, quote opt-outs

``streaks.freezes`` is how many streak freezes a user has banked in a channel and
``streaks.freezes_used`` how many were used so far (see ``bot.daily.scoring``). ``quote_optouts`` holds
the members who said ``privacy quote off``: the reveal never quotes their answers.
``season_settings`` is a workspace's season length (no row: calendar months) and
``season_posts`` the champion posts, one per channel and season (unique), claimed by inserting
the row before sending, like daily posts. ``teams`` and ``team_members``: a workspace's teams
(names unique ignoring case) and their members, each member in at most one team.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("streaks") as batch:
        batch.add_column(sa.Column("freezes", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("freezes_used", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "quote_optouts",
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_quote_optouts_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_pk", name=op.f("pk_quote_optouts")),
    )
    op.create_table(
        "season_settings",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("length", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", name=op.f("pk_season_settings")),
    )
    op.create_table(
        "season_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("season", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_pk"],
            ["channels.id"],
            name=op.f("fk_season_posts_channel_pk_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_posts")),
        sa.UniqueConstraint("channel_pk", "season", name=op.f("uq_season_posts_channel_pk_season")),
    )
    op.create_index("ix_season_posts_state", "season_posts", ["state", "lease_until"], unique=False)
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint(
            "platform", "workspace_id", "name_key", name=op.f("uq_teams_platform_workspace_id_name_key")
        ),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_members_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_team_members_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_pk", name=op.f("pk_team_members")),
        sa.UniqueConstraint("user_pk", name=op.f("uq_team_members_user_pk")),
    )


def downgrade() -> None:
    op.drop_table("team_members")
    op.drop_table("teams")
    op.drop_index("ix_season_posts_state", table_name="season_posts")
    op.drop_table("season_posts")
    op.drop_table("season_settings")
    op.drop_table("quote_optouts")
    with op.batch_alter_table("streaks") as batch:
        batch.drop_column("freezes_used")
        batch.drop_column("freezes")
