"""Seeded databases for the benchmarks, built fast and cached under ``bench/.cache/``.

The schema always comes from the app's own migrations (``bot.store.db.open_database``); rows are
then bulk-inserted with ``sqlite3.executemany``. The history is what the app would have written
itself: points and streaks come from ``bot.daily.scoring`` (the functions the reveal uses), replayed
round by round, and the ``standings``/``streaks`` running totals match the answers exactly.

Shape of the history database (``history_db()``), as of ``common.NOW`` (Wed 25 Nov 2026, 16:00 UTC):

- 10 Discord servers (workspaces), 1,000 users each: 10,000 users;
- 10 channels per server: 100 channels, daily at 09:00 local in UTC, Europe/London, Europe/Berlin
  or America/New_York (25 each), open (written) answers, reveal after 10 h, all topics;
- 1,000 revealed and scored daily rounds per channel (29 Feb 2024 .. 24 Nov 2026): 100,000 rounds,
  each cycle of 100 rounds asks every question of the bundled bank once;
- each channel has 300 regulars from its server with Zipf-like activity (a few answer nearly every
  day, most now and then); a round gets 5..15 answers (10 on average): about 1,000,000 answers,
  verdicts 35% strong, 35% partial, 30% missed;
- today's round of every channel is open, with no answers yet (the answer benchmark fills them);
- standings: per channel, user and window (week, month, all) period, as the reveal writes them,
  and their sums per workspace (``server_standings``).

The cache key covers the migrations, this module's shape constants and ``SEED_VERSION``, so a
schema change rebuilds the file; reruns copy it (a few hundred MB) instead of seeding again.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import random
import sqlite3
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import CACHE_DIR, NOW, sqlite_url
from bot.bank.grading import Verdict
from bot.bank.model import load_bank
from bot.config import BUNDLED_BANK
from bot.daily.scoring import Streak, next_streak, period_keys, points_for
from bot.store.db import MIGRATIONS, open_database

SEED_VERSION = 1
PLATFORM = "discord"
WORKSPACES = 10
CHANNELS_PER_WORKSPACE = 10
USERS_PER_WORKSPACE = 1_000
ROUNDS_PER_CHANNEL = 1_000
REGULARS = 300
ANSWERS_PER_ROUND = (5, 15)
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York")
REVEAL_AFTER = timedelta(hours=10)
POST_AT = time(9, 0)
VERDICTS = ((Verdict.STRONG, 0.35), (Verdict.PARTIAL, 0.35), (Verdict.MISSED, 0.30))
SCORES = {Verdict.STRONG: (0.75, 1.0), Verdict.PARTIAL: (0.5, 0.67), Verdict.MISSED: (0.0, 0.25)}
ANSWER_TEXTS = (
    "It reduces variance by averaging many models trained on bootstrap samples.",
    "Regularisation adds a penalty on the weights so the model generalises better.",
    "Precision is the share of predicted positives that are right; recall the share found.",
    "Gradient descent steps against the gradient of the loss with a learning rate.",
    "Dropout randomly zeroes activations during training so units do not co-adapt.",
    "Cross-validation estimates generalisation by training and testing on several folds.",
    "not sure, something about the bias variance trade-off?",
    "Batch normalisation normalises layer inputs per mini-batch, which stabilises training.",
)


def ts(moment: datetime) -> str:
    """A UTC moment as the app stores it in SQLite (``UTCDateTime``: naive UTC text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def workspace_id(index: int) -> str:
    """The id of seeded server ``index`` (a Discord-like snowflake)."""
    return str(900_000_000_000_000_000 + index)


def user_key(user_pk: int) -> str:
    """The platform user id of seeded user ``user_pk``."""
    return str(800_000_000_000_000_000 + user_pk)


def channel_key(channel_pk: int) -> str:
    """The platform channel id of seeded channel ``channel_pk``."""
    return str(700_000_000_000_000_000 + channel_pk)


def _cache_key(*parts: object) -> str:
    digest = hashlib.sha256(repr((SEED_VERSION, *parts)).encode())
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


async def _create_schema(path: Path) -> None:
    engine = await open_database(sqlite_url(path))
    await engine.dispose()


def _fast_connection(path: Path) -> sqlite3.Connection:
    """A connection for bulk loading (the file is thrown away if seeding fails)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    return con


def _finish(con: sqlite3.Connection) -> None:
    """Back to the app's journal mode, one self-contained file."""
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _insert(
    con: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    con.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def channel_row(
    pk: int, platform: str, workspace: str, channel: str, zone: str, next_post: datetime, **extra: Any
) -> dict[str, Any]:
    """A scheduled channel as ``daily set 09:00 <zone> reveal 10h`` leaves it."""
    row: dict[str, Any] = {
        "id": pk, "platform": platform, "workspace_id": workspace, "channel_id": channel,
        "scheduled": 1, "paused": 0, "post_time": POST_AT.strftime("%H:%M"), "timezone": zone,
        "days": "mon,tue,wed,thu,fri,sat,sun", "reveal_after_s": int(REVEAL_AFTER.total_seconds()),
        "mode": "open", "topics": "[]", "difficulty": None, "next_post_at": ts(next_post),
        "cycle": 1, "reveal_seq": 0, "failures": 0, "failing_since": None, "last_error": None,
        "created_at": ts(datetime(2024, 2, 1, tzinfo=UTC)),
    }  # fmt: skip
    row.update(extra)
    return row


def insert_channels(con: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert channel rows built by ``channel_row``."""
    columns = list(rows[0])
    _insert(con, "channels", columns, ([row[c] for c in columns] for row in rows))


# -- the history database -------------------------------------------------------------------


class _History:
    """Generates the history round by round, replaying the reveal's scoring rules."""

    def __init__(self, con: sqlite3.Connection, question_ids: list[str]) -> None:
        self.con = con
        self.questions = question_ids
        self.rng = random.Random(20261125)
        self.round_pk = 0
        self.answer_pk = 0
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(REGULARS)]
        self.cum_weights = list(itertools.accumulate(weights))

    def users(self) -> None:
        rows = []
        for w in range(WORKSPACES):
            for i in range(USERS_PER_WORKSPACE):
                pk = w * USERS_PER_WORKSPACE + i + 1
                name = "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz", k=7)) + str(i)
                created = ts(datetime(2024, 2, 1, tzinfo=UTC) + timedelta(minutes=pk))
                rows.append((pk, PLATFORM, workspace_id(w), user_key(pk), name, created))
        _insert(self.con, "users", ("id", "platform", "workspace_id", "user_id", "display_name",
                                    "created_at"), rows)  # fmt: skip

    def channel(self, w: int, c: int) -> None:
        pk = w * CHANNELS_PER_WORKSPACE + c + 1
        zone = ZONES[(pk - 1) % len(ZONES)]
        tz = ZoneInfo(zone)
        today = NOW.astimezone(tz).date()
        first_user = w * USERS_PER_WORKSPACE + 1
        regulars = self.rng.sample(range(first_user, first_user + USERS_PER_WORKSPACE), REGULARS)
        cycles = ROUNDS_PER_CHANNEL // len(self.questions) + 1
        order = [self.rng.sample(self.questions, len(self.questions)) for _ in range(cycles)]
        rounds: list[tuple[Any, ...]] = []
        answers: list[tuple[Any, ...]] = []
        standings: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        streaks: dict[int, Streak] = {}
        for k in range(ROUNDS_PER_CHANNEL + 1):
            day = today - timedelta(days=ROUNDS_PER_CHANNEL - k)
            self.round_pk += 1
            cycle, question = (
                k // len(self.questions) + 1,
                order[k // len(self.questions)][k % len(self.questions)],
            )
            scheduled = datetime.combine(day, POST_AT, tzinfo=tz).astimezone(UTC)
            posted = scheduled + timedelta(seconds=2)
            reveal = scheduled + REVEAL_AFTER
            is_open = k == ROUNDS_PER_CHANNEL
            seq = None if is_open else k + 1
            rounds.append((
                self.round_pk, pk, day.isoformat(), day.isoformat(), question, cycle, "open",
                zlib.crc32(f"{pk}:{day.isoformat()}".encode()) & 0x7FFFFFFF,
                "open" if is_open else "revealed", 0, ts(scheduled), ts(reveal), 1, 0 if is_open else 1,
                None, str(600_000_000_000_000_000 + self.round_pk), None if is_open else str(
                    600_000_000_000_000_000 + self.round_pk), ts(posted),
                None if is_open else ts(reveal + timedelta(seconds=1)), 0 if is_open else 1, seq,
            ))  # fmt: skip
            if is_open:
                break
            self._answers(k + 1, day, posted, regulars, answers, standings, streaks)
        _insert(self.con, "rounds", ("id", "channel_pk", "slot", "local_date", "question_id", "cycle",
                                     "mode", "seed", "state", "late", "scheduled_for", "reveal_at",
                                     "post_attempts", "reply_attempts", "lease_until", "message_id",
                                     "thread_id", "posted_at", "revealed_at", "scored", "seq"),
                rounds)  # fmt: skip
        _insert(self.con, "answers", ("id", "round_id", "user_pk", "text", "choice", "score", "verdict",
                                      "points", "answered_at"), answers)  # fmt: skip
        ws = workspace_id(w)
        _insert(self.con, "standings", ("channel_pk", "user_pk", "platform", "workspace_id", "window",
                                        "period", "points", "answers", "strong"),
                ((pk, user, PLATFORM, ws, window, period, *totals)
                 for (user, window, period), totals in standings.items()))  # fmt: skip
        _insert(self.con, "streaks", ("channel_pk", "user_pk", "current", "best", "last_seq"),
                ((pk, user, s.current, s.best, s.last_seq) for user, s in streaks.items()))  # fmt: skip
        next_post = datetime.combine(today + timedelta(days=1), POST_AT, tzinfo=tz)
        insert_channels(self.con, [channel_row(pk, PLATFORM, ws, channel_key(pk), zone, next_post,
                                               cycle=cycles, reveal_seq=ROUNDS_PER_CHANNEL)])  # fmt: skip

    def _answers(
        self,
        seq: int,
        day: date,
        posted: datetime,
        regulars: list[int],
        answers: list[tuple[Any, ...]],
        standings: dict[tuple[int, str, str], list[int]],
        streaks: dict[int, Streak],
    ) -> None:
        rng = self.rng
        wanted = rng.randint(*ANSWERS_PER_ROUND)
        picked = list(dict.fromkeys(rng.choices(regulars, cum_weights=self.cum_weights, k=2 * wanted)))
        periods = period_keys(day)
        for user in picked[:wanted]:
            verdict = rng.choices([v for v, _ in VERDICTS], weights=[p for _, p in VERDICTS])[0]
            streak = next_streak(streaks.get(user), seq)
            streaks[user] = streak
            points = points_for(verdict, streak.current)
            self.answer_pk += 1
            answered = posted + timedelta(seconds=rng.randint(30, 9 * 3600))
            answers.append((self.answer_pk, self.round_pk, user, rng.choice(ANSWER_TEXTS), None,
                            rng.choice(SCORES[verdict]), verdict.value, points, ts(answered)))  # fmt: skip
            for window, period in periods.items():
                totals = standings[(user, window, period)]
                totals[0] += points
                totals[1] += 1
                totals[2] += verdict is Verdict.STRONG


# the workspace totals the app keeps beside the standings rows (``server_standings``): their sums
SERVER_TOTALS = """
INSERT INTO server_standings (platform, workspace_id, "window", period, user_pk, points, answers, strong)
SELECT platform, workspace_id, "window", period, user_pk, sum(points), sum(answers), sum(strong)
FROM standings GROUP BY platform, workspace_id, "window", period, user_pk
"""


def _build_history(path: Path) -> None:
    asyncio.run(_create_schema(path))
    con = _fast_connection(path)
    con.execute("BEGIN")
    history = _History(con, [q.id for q in load_bank([BUNDLED_BANK]).questions])
    history.users()
    for w in range(WORKSPACES):
        for c in range(CHANNELS_PER_WORKSPACE):
            history.channel(w, c)
    con.execute(SERVER_TOTALS)
    con.execute("COMMIT")
    _finish(con)


def history_db() -> Path:
    """The cached 1M-answer database (built on first use, about a minute)."""
    shape = (WORKSPACES, CHANNELS_PER_WORKSPACE, USERS_PER_WORKSPACE, ROUNDS_PER_CHANNEL, REGULARS,
             ANSWERS_PER_ROUND, ZONES, NOW.isoformat())  # fmt: skip
    path = CACHE_DIR / f"history-{_cache_key(shape)}.db"
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for stale in CACHE_DIR.glob("history-*.db*"):
            stale.unlink()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _build_history(partial)
        partial.rename(path)
    return path


def answer_count(path: Path) -> int:
    """How many answers a database holds."""
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM answers").fetchone()[0])
    finally:
        con.close()


# -- scheduled channels only ----------------------------------------------------------------


def scheduled_channels_db(
    path: Path, count: int, *, platform: str, workspaces: Sequence[str], channel_ids: Sequence[str],
    next_post: datetime,
) -> None:  # fmt: skip
    """A fresh database (app migrations) with ``count`` channels scheduled at ``next_post``.

    Channel ``i`` lives in ``workspaces[i % len(workspaces)]`` with id ``channel_ids[i]``.
    """
    asyncio.run(_create_schema(path))
    con = _fast_connection(path)
    con.execute("BEGIN")
    rows = [
        channel_row(i + 1, platform, workspaces[i % len(workspaces)], channel_ids[i],
                    ZONES[i % len(ZONES)], next_post)
        for i in range(count)
    ]  # fmt: skip
    insert_channels(con, rows)
    con.execute("COMMIT")
    _finish(con)
