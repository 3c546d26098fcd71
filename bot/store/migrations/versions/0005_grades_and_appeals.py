"""grades and appeals: key points found per answer, appeals, and the log of grade changes

``answers.key_points`` keeps, per answer, which key points were found when it was graded (JSON
``[[point, found], ...]``), so "My grade" shows the same thing after the bank changes. An appeal
belongs to one answer (unique: one appeal per answer); every verdict an admin changes is logged
in ``grade_changes``. ``ix_rounds_message`` finds the round of a thread started from its post
(a command typed in the reveal's thread on Discord).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("key_points", sa.Text(), nullable=True))
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("verdict_before", sa.String(length=8), nullable=False),
        sa.Column("verdict_after", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name=op.f("fk_appeals_answer_id_answers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_appeals_answer_id")),
    )
    op.create_index("ix_appeals_state", "appeals", ["state"], unique=False)
    op.create_table(
        "grade_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("verdict_before", sa.String(length=8), nullable=False),
        sa.Column("verdict_after", sa.String(length=8), nullable=False),
        sa.Column("points_before", sa.Integer(), nullable=False),
        sa.Column("points_after", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_grade_changes_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_grade_changes_appeal_id_appeals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_changes")),
    )
    op.create_index("ix_grade_changes_answer_id", "grade_changes", ["answer_id"], unique=False)
    op.create_index("ix_rounds_message", "rounds", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rounds_message", table_name="rounds")
    op.drop_index("ix_grade_changes_answer_id", table_name="grade_changes")
    op.drop_table("grade_changes")
    op.drop_index("ix_appeals_state", table_name="appeals")
    op.drop_table("appeals")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("key_points")
