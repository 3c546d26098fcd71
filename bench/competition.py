"""Season and team boards on the 1M-answer database, through ``Service.handle``.

Each of the seeded servers gets 10 teams of 100 members (every user in one team). Callers are
drawn at random over the seeded users, each in a random channel of its own server; each variant
(``leaderboard season`` server and channel, ``leaderboard teams season`` and ``all``) is called
``CALLS`` times after a warm-up. Baseline: the plain ``leaderboard month server`` board on the
same database and callers (a month season sums exactly those standings rows).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import seed
from bench.answers import open_app
from bench.common import Figure, copy_database, percentile, scratch_dir
from bench.leaderboard import CALLS, GOAL_P99_MS, WARMUP, callers
from bot.app import App
from bot.cards import LeaderboardCard, TableCard
from bot.commands import Scope, ShowLeaderboard, ShowSeasonBoard, ShowTeamBoard, Window

TEAMS_PER_WORKSPACE = 10
VARIANTS: tuple[tuple[str, Any], ...] = (
    ("leaderboard season", ShowSeasonBoard(None, Scope.SERVER)),
    ("leaderboard season channel", ShowSeasonBoard(None, Scope.CHANNEL)),
    ("leaderboard teams season", ShowTeamBoard("season")),
    ("leaderboard teams all", ShowTeamBoard("all")),
    ("baseline: leaderboard month server", ShowLeaderboard(Window.MONTH, Scope.SERVER)),
)


def add_teams(path: Path) -> None:
    """Put every seeded user in one of its server's teams."""
    con = sqlite3.connect(path)
    try:
        now = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
        users = con.execute("SELECT id, platform, workspace_id FROM users ORDER BY id").fetchall()
        teams: dict[tuple[str, str, int], int] = {}
        for index, (pk, platform, workspace, *_rest) in enumerate(users):
            key = (platform, workspace, index % TEAMS_PER_WORKSPACE)
            if key not in teams:
                name = f"team{key[2]}"
                cursor = con.execute(
                    "INSERT INTO teams (platform, workspace_id, name, name_key, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (platform, workspace, name, name, now),
                )
                teams[key] = int(cursor.lastrowid or 0)
            con.execute("INSERT INTO team_members (team_id, user_pk) VALUES (?, ?)", (teams[key], pk))
        con.commit()
    finally:
        con.close()


async def latencies(app: App, command: Any, calls: list[Any]) -> list[float]:
    """Milliseconds per call; every reply must be a non-empty board."""
    result = []
    for ctx, _pk, _zone in calls:
        start = time.perf_counter()
        reply = await app.service.handle(ctx, command)
        result.append((time.perf_counter() - start) * 1000)
        card = reply.cards[0]
        if not isinstance(card, LeaderboardCard | TableCard) or not card.rows:
            raise RuntimeError(f"no board for {ctx}: {card}")
    return result


async def measure(path: Path) -> list[tuple[str, list[float]]]:
    """Per variant: (name, service latencies)."""
    rng = random.Random(11)
    app = await open_app(path)  # migrates the cached database to the current schema
    try:
        await app.close()
        add_teams(path)
        app = await open_app(path)
        results = []
        for name, command in VARIANTS:
            calls = callers(path, CALLS + WARMUP, rng)
            await latencies(app, command, calls[:WARMUP])
            results.append((name, await latencies(app, command, calls[WARMUP:])))
    finally:
        await app.close()
    return results


def run() -> list[Figure]:
    """One row per variant."""
    with scratch_dir("competition") as tmp:
        path = copy_database(seed.history_db(), tmp)
        results = asyncio.run(measure(path))
    baseline = percentile(results[-1][1], 0.99)
    figures = []
    for name, service in results[:-1]:
        p50, p99 = percentile(service, 0.5), percentile(service, 0.99)
        figures.append(
            Figure(
                f"`{name}`",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(service)} calls, 1M answers, 100 teams)",
                f"`leaderboard month server`: p99 {baseline:.1f} ms",
                f"{p99 / baseline:.1f} (p99)",
                f"p99 < {GOAL_P99_MS:.0f} ms",
                p99 < GOAL_P99_MS,
            )
        )
    return figures
