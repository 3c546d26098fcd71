"""standings: the channel-board index also covers the totals

A channel board sums one channel's standings rows of a window's period per user. The old index
(channel_pk, window, period, points) left SQLite preferring the primary key (channel_pk, user_pk,
...), which is in user order but scans every period of the channel: 11 ms for an all-time board at
1M answers. With user_pk and the totals after the period, the board is read from the index alone,
already grouped (1.4 ms); it replaces the old one, whose every use it serves.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OLD = ["channel_pk", "window", "period", "points"]
NEW = ["channel_pk", "window", "period", "user_pk", "points", "answers", "strong"]


def upgrade() -> None:
    op.drop_index("ix_standings_board", table_name="standings")
    op.create_index("ix_standings_channel", "standings", NEW, unique=False)


def downgrade() -> None:
    op.drop_index("ix_standings_channel", table_name="standings")
    op.create_index("ix_standings_board", "standings", OLD, unique=False)
