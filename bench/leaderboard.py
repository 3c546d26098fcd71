"""Leaderboards on the 1M-answer database: ``ShowLeaderboard`` through ``Service.handle``.

Callers are drawn at random over the 10,000 seeded users, each in a random channel of its own
server; each variant (this week, this month, all time x this channel, this server) is called
``CALLS`` times after a short warm-up, and every call's latency is recorded.

Baseline: the board's main statement alone (top 10 by summed points over ``standings``, with
names), as raw SQL through a bare aiosqlite connection on the same file, for the same callers.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from pathlib import Path

import aiosqlite

from bench import seed
from bench.answers import APP_PRAGMAS, open_app
from bench.common import NOW, Figure, copy_database, percentile, scratch_dir
from bot.app import App
from bot.cards import LeaderboardCard
from bot.commands import Scope, ShowLeaderboard, Window
from bot.context import Context
from bot.daily.scoring import current_period

CALLS = 300
WARMUP = 20
GOAL_P99_MS = 20.0
VARIANTS = tuple((window, scope) for window in (Window.WEEK, Window.MONTH, Window.ALL) for scope in Scope)

RAW_BOARD = """
SELECT b.user_pk, b.points, b.answers, b.strong, users.display_name FROM (
    SELECT user_pk, sum(points) AS points, sum(answers) AS answers, sum(strong) AS strong
    FROM standings WHERE "window" = ? AND period = ? AND {scope}
    GROUP BY user_pk
) AS b JOIN users ON users.id = b.user_pk
ORDER BY b.points DESC, users.display_name LIMIT 10
"""


def callers(path: Path, count: int, rng: random.Random) -> list[tuple[Context, int, str]]:
    """Random (context, channel pk, channel zone) of seeded users, each in one of its server's channels."""
    con = sqlite3.connect(path)
    try:
        users = con.execute("SELECT id, workspace_id, user_id, display_name FROM users").fetchall()
        channels = con.execute("SELECT id, workspace_id, channel_id, timezone FROM channels").fetchall()
    finally:
        con.close()
    by_workspace: dict[str, list[tuple[int, str, str]]] = {}
    for pk, workspace, channel_id, zone in channels:
        by_workspace.setdefault(workspace, []).append((pk, channel_id, zone))
    picked = []
    for _pk, workspace, user_id, name in rng.sample(users, count):
        channel_pk, channel_id, zone = rng.choice(by_workspace[workspace])
        picked.append((Context(seed.PLATFORM, workspace, channel_id, user_id, name), channel_pk, zone))
    return picked


async def service_latencies(
    app: App, window: Window, scope: Scope, calls: list[tuple[Context, int, str]]
) -> list[float]:
    """Milliseconds per ``ShowLeaderboard`` call; every reply must be a non-empty board."""
    command = ShowLeaderboard(window, scope)
    latencies = []
    for ctx, _pk, _zone in calls:
        start = time.perf_counter()
        reply = await app.service.handle(ctx, command)
        latencies.append((time.perf_counter() - start) * 1000)
        card = reply.cards[0]
        if not isinstance(card, LeaderboardCard) or not card.rows:
            raise RuntimeError(f"no leaderboard for {ctx}: {card}")
    return latencies


async def raw_latencies(
    path: Path, window: Window, scope: Scope, calls: list[tuple[Context, int, str]]
) -> list[float]:
    """Milliseconds per raw top-10 statement of the same boards through bare aiosqlite."""
    where = "channel_pk = ?" if scope is Scope.CHANNEL else "platform = ? AND workspace_id = ?"
    sql = RAW_BOARD.format(scope=where)
    latencies = []
    async with aiosqlite.connect(path) as db:
        for pragma in APP_PRAGMAS:
            await db.execute(pragma)
        for ctx, channel_pk, zone in calls:
            period = current_period(window, NOW, zone)
            scope_args: tuple[object, ...] = (
                (channel_pk,) if scope is Scope.CHANNEL else (ctx.platform, ctx.workspace_id)
            )
            start = time.perf_counter()
            async with db.execute(sql, (window.value, period, *scope_args)) as cursor:
                rows = await cursor.fetchall()
            latencies.append((time.perf_counter() - start) * 1000)
            if not rows:
                raise RuntimeError(f"raw board empty for {ctx}")
    return latencies


async def measure(path: Path) -> list[tuple[Window, Scope, list[float], list[float]]]:
    """Per variant: (window, scope, service latencies, raw latencies)."""
    rng = random.Random(7)
    app = await open_app(path)
    results = []
    try:
        for window, scope in VARIANTS:
            calls = callers(path, CALLS + WARMUP, rng)
            await service_latencies(app, window, scope, calls[:WARMUP])
            service = await service_latencies(app, window, scope, calls[WARMUP:])
            raw = await raw_latencies(path, window, scope, calls[WARMUP:])
            results.append((window, scope, service, raw))
    finally:
        await app.close()
    return results


def run() -> list[Figure]:
    """One row per leaderboard variant."""
    with scratch_dir("leaderboard") as tmp:
        path = copy_database(seed.history_db(), tmp)
        results = asyncio.run(measure(path))
    figures = []
    for window, scope, service, raw in results:
        p50, p99 = percentile(service, 0.5), percentile(service, 0.99)
        raw50, raw99 = percentile(raw, 0.5), percentile(raw, 0.99)
        figures.append(
            Figure(
                f"leaderboard `{window.value} {scope.value}`",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(service)} calls, 1M answers, 10k users)",
                f"raw top-10 SQL: p50 {raw50:.1f} ms, p99 {raw99:.1f} ms",
                f"{p99 / raw99:.1f} (p99)",
                f"p99 < {GOAL_P99_MS:.0f} ms",
                p99 < GOAL_P99_MS,
            )
        )
    return figures
