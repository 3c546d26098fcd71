"""``server_standings`` always equals the workspace's standings rows summed per user, and the
server board read from it ranks exactly as the old sum over ``standings`` did (brute force)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.context import Context
from bot.store import standings as standing_store
from bot.store.board_reads import read_board
from bot.store.channels import ensure_channel
from bot.store.db import open_database
from bot.store.tables import server_standings, standings
from bot.store.unit import run
from bot.store.users import delete_user, ensure_user

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
KEYS = ("platform", "workspace_id", "window", "period", "user_pk")


async def test_server_totals_equal_the_summed_standings_and_rank_the_same(db_url: str) -> None:
    rng = random.Random(12)
    engine = await open_database(db_url)
    try:
        async with engine.begin() as conn:
            people: dict[str, list[tuple[int, Context]]] = {"W1": [], "W2": []}
            channels: dict[str, list[int]] = {"W1": [], "W2": []}
            for workspace in people:
                for c in range(3):
                    ctx = Context("discord", workspace, f"C{c}", "U0", "x")
                    channels[workspace].append((await ensure_channel(conn, ctx.channel, "UTC", NOW)).id)
                for u in range(25):
                    ctx = Context("discord", workspace, "C0", f"U{u}", f"user{u:02d}")
                    people[workspace].append((await ensure_user(conn, ctx, NOW), ctx))
            for _ in range(400):
                workspace = rng.choice(("W1", "W2"))
                user_pk, _ctx = rng.choice(people[workspace])
                regrade = rng.random() < 0.2  # a regrade: points may go down, no new answer
                await standing_store.add_totals(
                    conn,
                    channel_pk=rng.choice(channels[workspace]),
                    user_pk=user_pk,
                    platform="discord",
                    workspace_id=workspace,
                    periods={"week": rng.choice(("2026-W47", "2026-W48")), "all": "all"},
                    points=rng.randint(-6, 0) if regrade else rng.choice((0, 5, 10, 12, 15)),
                    answers=0 if regrade else 1,
                    strong=rng.choice((-1, 0)) if regrade else rng.randint(0, 1),
                )
            await delete_user(conn, people["W1"].pop(3)[0])  # forget-me
        async with engine.connect() as conn:
            summed = (
                await conn.execute(
                    select(
                        *(standings.c[k] for k in KEYS),
                        func.sum(standings.c.points),
                        func.sum(standings.c.answers),
                        func.sum(standings.c.strong),
                    ).group_by(*(standings.c[k] for k in KEYS))
                )
            ).all()
            kept = (await conn.execute(select(server_standings))).all()
        assert sorted(tuple(r) for r in kept) == sorted(tuple(r) for r in summed)
        assert len(kept) > 50
        for workspace, members in people.items():
            for user_pk, ctx in members[:8]:
                board = await run(
                    engine,
                    read_board(
                        platform="discord",
                        workspace_id=workspace,
                        channel_id="C0",
                        user_id=ctx.user_id,
                        window="all",
                        period_in=lambda _zone: "all",
                        channel_scope=False,
                        default_timezone="UTC",
                        limit=5,
                    ),
                    write=False,
                )
                lines = {r[4]: r for r in summed if r[1] == workspace and r[2] == "all"}
                names = {pk: c.display_name for pk, c in members}
                expected = sorted((-int(r[5]), names[r[4]], r[4]) for r in lines.values())[:5]
                assert [(-line.points, line.display_name, line.user_pk) for line in board.top] == expected
                if board.mine is not None:
                    mine = int(lines[user_pk][5])
                    assert board.rank == 1 + sum(int(r[5]) > mine for r in lines.values())
                    assert user_pk not in [line.user_pk for line in board.top]
                else:
                    assert user_pk in [line.user_pk for line in board.top]
    finally:
        await engine.dispose()
