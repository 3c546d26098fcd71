"""server_standings: a workspace's totals per user, window and period, kept as they are written

A server board summed every channel's standings rows of a window's period per user: about 3,000
rows for a 1,000-member server's all-time board, grouped and sorted on every read (3.6 ms p50,
and up to 50 ms p99 on a loaded machine). ``server_standings`` holds those sums, one row a user,
written in the transaction that writes the standings rows (the reveal's scoring, a regrade), and
deleted with the user; its points index gives a board's head and a caller's rank without reading
the whole board. The upgrade fills it from the standings it sums.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

KEYS = ("platform", "workspace_id", "window", "period")


def upgrade() -> None:
    op.create_table(
        "server_standings",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("window", sa.String(length=8), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("strong", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_server_standings_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*KEYS, "user_pk", name=op.f("pk_server_standings")),
    )
    op.create_index("ix_server_standings_points", "server_standings", [*KEYS, "points"], unique=False)
    op.create_index("ix_server_standings_user", "server_standings", ["user_pk"], unique=False)
    standings = sa.table(
        "standings", *(sa.column(name) for name in (*KEYS, "user_pk", "points", "answers", "strong"))
    )
    server = sa.table(
        "server_standings", *(sa.column(name) for name in (*KEYS, "user_pk", "points", "answers", "strong"))
    )
    grouped = [standings.c[name] for name in (*KEYS, "user_pk")]
    totals = sa.select(
        *grouped,
        sa.func.sum(standings.c.points),
        sa.func.sum(standings.c.answers),
        sa.func.sum(standings.c.strong),
    ).group_by(*grouped)
    op.execute(server.insert().from_select([*KEYS, "user_pk", "points", "answers", "strong"], totals))


def downgrade() -> None:
    op.drop_index("ix_server_standings_user", table_name="server_standings")
    op.drop_index("ix_server_standings_points", table_name="server_standings")
    op.drop_table("server_standings")
