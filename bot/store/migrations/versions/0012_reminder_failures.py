"""reminders: count failed sends apart from takeovers

``attempts`` counts how often a reminder was claimed, so a claim taken over from a killed process
counted against the three tries a flaky platform gets; a batch stranded by three kills in a row was
given up unsent. ``failures`` counts only sends that failed in a live process; the give-up rule reads
it, with a higher cap on takeovers for a send that keeps killing its process.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminders_sent") as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("reminders_sent") as batch:
        batch.drop_column("failures")
