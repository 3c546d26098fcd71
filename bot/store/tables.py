"""SQLAlchemy Core tables. Uniqueness rules live here, in the schema, not in Python.

Time columns hold aware UTC datetimes on every engine (``UTCDateTime``): SQLite stores text and
would otherwise hand back naive values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("scheduled", Boolean, nullable=False, default=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("post_time", String(5), nullable=False, default="09:00"),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("days", String(32), nullable=False, default="mon,tue,wed,thu,fri,sat,sun"),
    Column("reveal_after_s", Integer, nullable=False, default=8 * 3600),
    Column("mode", String(8), nullable=False, default="open"),
    Column("topics", Text, nullable=False, default="[]"),
    Column("difficulty", String(8)),
    Column("next_post_at", UTCDateTime()),
    Column("cycle", Integer, nullable=False, default=1),
    Column("reveal_seq", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("failing_since", UTCDateTime()),
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "workspace_id", "channel_id"),
    Index("ix_channels_due", "scheduled", "paused", "next_post_at"),
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_pk", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    # the local date for the scheduled round of a day; "<date>#<n>" for a replacement after skip
    Column("slot", String(16), nullable=False),
    Column("local_date", String(10), nullable=False),
    Column("question_id", String(80), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("late", Boolean, nullable=False, default=False),
    Column("scheduled_for", UTCDateTime(), nullable=False),
    Column("reveal_at", UTCDateTime(), nullable=False),
    Column("post_attempts", Integer, nullable=False, default=0),
    Column("reply_attempts", Integer, nullable=False, default=0),
    Column("lease_until", UTCDateTime()),
    Column("message_id", String(64)),
    Column("thread_id", String(64)),
    Column("posted_at", UTCDateTime()),
    Column("revealed_at", UTCDateTime()),
    Column("scored", Boolean, nullable=False, default=False),
    Column("seq", Integer),
    UniqueConstraint("channel_pk", "slot"),
    UniqueConstraint("channel_pk", "cycle", "question_id"),
    Index("ix_rounds_state_reveal", "state", "reveal_at"),
    # a command typed in a post's thread finds its round by the post's id (migration 0005)
    Index("ix_rounds_message", "message_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "workspace_id", "user_id"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", Text),
    Column("choice", Integer),
    Column("score", Float, nullable=False),
    Column("verdict", String(8), nullable=False),
    Column("points", Integer, nullable=False, default=0),
    Column("answered_at", UTCDateTime(), nullable=False),
    # set when the optional judge graded the answer at the reveal: its verdict replaced the
    # key-point verdict, and this is its one sentence of feedback to the player
    Column("feedback", Text),
    Column("judged_at", UTCDateTime()),
    # JSON [[key point, found], ...] as graded (open mode), so a player's view of why does not
    # change when the bank's key points do (migration 0005)
    Column("key_points", Text),
    UniqueConstraint("round_id", "user_pk"),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # one appeal per answer, ever: a decided appeal is final (an admin can still regrade)
    Column("answer_id", ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("reason", Text, nullable=False),
    Column("state", String(8), nullable=False),  # open | accepted | rejected
    Column("verdict_before", String(8), nullable=False),
    Column("verdict_after", String(8)),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("decided_by", String(64)),
    Index("ix_appeals_state", "state"),
)

grade_changes = Table(
    "grade_changes",
    metadata,
    # the log of every verdict an admin changed (on appeal or by regrade)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("appeal_id", ForeignKey("appeals.id", ondelete="SET NULL")),
    Column("verdict_before", String(8), nullable=False),
    Column("verdict_after", String(8), nullable=False),
    Column("points_before", Integer, nullable=False),
    Column("points_after", Integer, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("changed_at", UTCDateTime(), nullable=False),
)

standings = Table(
    "standings",
    metadata,
    Column("channel_pk", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # denormalised so a server-wide board needs no join
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("window", String(8), nullable=False),
    Column("period", String(10), nullable=False),
    Column("points", Integer, nullable=False, default=0),
    Column("answers", Integer, nullable=False, default=0),
    Column("strong", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("channel_pk", "user_pk", "window", "period"),
    # covering: a channel board is read (already grouped by user) from this index alone
    Index("ix_standings_channel", "channel_pk", "window", "period", "user_pk", "points", "answers", "strong"),
    # covering: a server board is read (already grouped by user) from this index alone
    Index(
        "ix_standings_server",
        "platform",
        "workspace_id",
        "window",
        "period",
        "user_pk",
        "points",
        "answers",
        "strong",
    ),
    Index("ix_standings_user", "user_pk"),
)

server_standings = Table(
    # the workspace's totals per user, window and period: the standings rows of every channel
    # summed, kept in the transaction that writes them, so a server board reads one row a user
    "server_standings",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("window", String(8), nullable=False),
    Column("period", String(10), nullable=False),
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("points", Integer, nullable=False, default=0),
    Column("answers", Integer, nullable=False, default=0),
    Column("strong", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("platform", "workspace_id", "window", "period", "user_pk"),
    # a board's head and a rank are read from this index alone, in points order
    Index("ix_server_standings_points", "platform", "workspace_id", "window", "period", "points"),
    Index("ix_server_standings_user", "user_pk"),
)

streaks = Table(
    "streaks",
    metadata,
    Column("channel_pk", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("current", Integer, nullable=False, default=0),
    Column("best", Integer, nullable=False, default=0),
    Column("last_seq", Integer, nullable=False, default=0),
    Column("freezes", Integer, nullable=False, default=0, server_default="0"),  # banked
    Column("freezes_used", Integer, nullable=False, default=0, server_default="0"),
    PrimaryKeyConstraint("channel_pk", "user_pk"),
)

quote_optouts = Table(
    # members who said ``privacy quote off``: the reveal never quotes their answers
    "quote_optouts",
    metadata,
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

season_settings = Table(
    # a workspace's season length; no row means the default (calendar months)
    "season_settings",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("length", String(8), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("platform", "workspace_id"),
)

season_posts = Table(
    # one champion post per channel and season: the row is claimed (inserted) before sending
    "season_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_pk", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("season", String(8), nullable=False),
    Column("state", String(8), nullable=False),  # sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_until", UTCDateTime()),
    Column("message_id", String(64)),
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("channel_pk", "season"),
    Index("ix_season_posts_state", "state", "lease_until"),
)

teams = Table(
    # a workspace's teams; names are unique per workspace ignoring case (``name_key``)
    "teams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("name", String(40), nullable=False),
    Column("name_key", String(40), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "workspace_id", "name_key"),
)

team_members = Table(
    # a member is in at most one team (``user_pk`` unique; users are per workspace)
    "team_members",
    metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True),
    PrimaryKeyConstraint("team_id", "user_pk"),
)

role_settings = Table(
    # the Discord role an admin gave the bot for the champion or a streak milestone (``kind``);
    # ``problem`` is why the last grant failed (shown on ``daily roles``), cleared when it works
    "role_settings",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("role_id", String(64), nullable=False),
    Column("problem", Text),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("platform", "workspace_id", "kind"),
)

role_grants = Table(
    # one row per role the bot gave (or tried to give) a member: the champion of a season, or a
    # streak milestone (``season`` empty), claimed by inserting it; state granted|failed|removed
    "role_grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("season", String(8), nullable=False),
    Column("role_id", String(64), nullable=False),
    Column("state", String(8), nullable=False),
    Column("error", Text),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "workspace_id", "kind", "user_id", "season"),
    Index("ix_role_grants_state", "platform", "workspace_id", "kind", "state"),
)

cards = Table(
    "cards",
    metadata,
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(80), nullable=False),
    Column("state", Text, nullable=False),
    Column("due", UTCDateTime(), nullable=False),
    Column("reviews", Integer, nullable=False, default=0),
    Column("last_rating", String(8)),
    Column("updated_at", UTCDateTime(), nullable=False),
    # "practice" (rated in practice) or "missed" (a missed or partial daily answer, at its reveal)
    Column("origin", String(8), nullable=False, server_default="practice"),
    PrimaryKeyConstraint("user_pk", "question_id"),
    Index("ix_cards_due", "user_pk", "due"),
)

practice = Table(
    "practice",
    metadata,
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", String(80), nullable=False),
    Column("asked_at", UTCDateTime(), nullable=False),
    Column("suggested", String(8)),
)

leases = Table(
    "leases",
    metadata,
    # a named role one process holds at a time (the elected dispatcher), renewed before it expires
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

reminder_settings = Table(
    "reminder_settings",
    metadata,
    # opt-in: a row means "remind me in this channel this long before the reveal"
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("channel_pk", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("lead_s", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("user_pk", "channel_pk"),
    Index("ix_reminder_settings_channel", "channel_pk"),
)

reminders_sent = Table(
    "reminders_sent",
    metadata,
    # claimed before the nudge is sent: the primary key makes a reminder once per member per round
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("user_pk", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("state", String(8), nullable=False),  # claimed, sent, skipped, failed
    Column("attempts", Integer, nullable=False, default=1),  # times claimed, takeovers included
    Column("failures", Integer, nullable=False, server_default="0"),  # sends failed in a live process
    Column("lease_until", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("round_id", "user_pk"),
    Index("ix_reminders_sent_state", "state", "lease_until"),
)

# Workspace banks (migration 0008). A bank row is never deleted: removing it sets ``removed_at``,
# and every version's questions stay, so past rounds keep their question text.
banks = Table(
    "banks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("name", String(24), nullable=False),
    Column("title", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("questions", Integer, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("removed_at", UTCDateTime()),
    UniqueConstraint("platform", "workspace_id", "name"),
)

bank_questions = Table(
    "bank_questions",
    metadata,
    Column("bank_pk", ForeignKey("banks.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("question_id", String(80), nullable=False),
    Column("topic", String(80), nullable=False),
    Column("difficulty", String(8), nullable=False),
    # the whole question (bot.bank.model.Question as JSON): text, answer, key points, options
    Column("body", Text, nullable=False),
    PrimaryKeyConstraint("bank_pk", "version", "question_id"),
)

# The banks a channel draws from (migration 0008); a channel without a row draws from the bundled one.
channel_banks = Table(
    "channel_banks",
    metadata,
    Column("channel_pk", ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    Column("names", Text, nullable=False),  # JSON list, "builtin" for the bundled bank
)

# Members' question submissions awaiting moderation (migration 0008).
submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("credit", Boolean, nullable=False, default=False),
    Column("status", String(10), nullable=False),  # pending, approved, rejected
    Column("body", Text, nullable=False),  # JSON: topic, difficulty, question, answer, key_points
    Column("suggested", Boolean, nullable=False, default=False),  # key points were suggested
    Column("duplicates", Text, nullable=False, default=""),
    Column("reason", Text),
    Column("question_id", String(80)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", UTCDateTime()),
    Column("told_at", UTCDateTime()),
    Index("ix_submissions_queue", "platform", "workspace_id", "status"),
    Index("ix_submissions_member", "platform", "workspace_id", "user_id", "created_at"),
)

# How many questions a member submitted on one UTC day (migration 0009). ``submit`` raises ``used``
# with one conditional UPDATE (``WHERE used < limit``), so concurrent submits cannot pass the limit.
submission_quota = Table(
    "submission_quota",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("day", Date(), nullable=False),
    Column("used", Integer, nullable=False),
    PrimaryKeyConstraint("platform", "workspace_id", "user_id", "day"),
)
