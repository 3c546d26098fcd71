"""One unit of work, one round trip: an answer is one hop to aiosqlite's thread; reads never write;
forget-me and a second process never leave a stale user or round behind."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.dialects.sqlite import aiosqlite

from bot.app import App
from bot.cards import LeaderboardCard, Notice, StatsCard, TableCard, Tone
from bot.commands import (
    ConfigureSeason,
    DailyAction,
    ForgetMe,
    ListTopics,
    ManageDaily,
    ManageTeam,
    Scope,
    ShowHelp,
    ShowLeaderboard,
    ShowSeasonBoard,
    ShowStats,
    ShowTeamBoard,
    ShowToday,
    SubmitAnswer,
    TeamAction,
    Window,
)
from bot.store import unit
from bot.store.tables import answers, channels, users
from tests.conftest import AppFactory, admin, member
from tests.core.rounds_helpers import posts
from tests.core.test_answers import open_round, reveal
from tests.core.test_scoring import board, play_days
from tests.support.clock import FakeClock
from tests.support.databases import postgres_database, sqlite_url
from tests.support.messenger import RecordingMessenger


class CountingQueue:
    """Stands in for aiosqlite's queue to its worker thread: counts the hops, passes them on."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.hops = 0

    def put_nowait(self, item: Any) -> None:
        self.hops += 1
        self.queue.put_nowait(item)


async def aiosqlite_of(app: App) -> Any:
    async with app.engine.connect() as conn:
        return (await conn.get_raw_connection()).driver_connection


async def count_hops(app: App) -> CountingQueue:
    driver = await aiosqlite_of(app)
    counter = CountingQueue(driver._tx)
    driver._tx = counter
    return counter


async def trace(app: App) -> list[str]:
    """Every SQL statement the app's sqlite3 connection runs from now on."""
    driver = await aiosqlite_of(app)
    statements: list[str] = []
    await driver._execute(driver._conn.set_trace_callback, statements.append)
    return statements


def data_version(path: Path) -> Callable[[], int]:
    """PRAGMA data_version as another connection sees it: it moves whenever anyone else commits."""
    watcher = sqlite3.connect(path)
    return lambda: int(watcher.execute("PRAGMA data_version").fetchone()[0])


async def test_aiosqlite_still_runs_a_function_on_its_thread(make_app: AppFactory, tmp_path: Path) -> None:
    app = await make_app(sqlite_url(tmp_path))
    driver = await aiosqlite_of(app)
    assert await driver._execute(lambda: 42) == 42  # the hook bot.store.unit relies on


async def test_an_answer_is_one_hop_to_the_database_thread(
    make_app: AppFactory, tmp_path: Path, messenger: RecordingMessenger
) -> None:
    app = await make_app(sqlite_url(tmp_path))
    card = await open_round(app, messenger)
    counter = await count_hops(app)
    first = await app.service.handle(member(user="U2"), SubmitAnswer(text="bagging averages models"))
    assert isinstance(first.cards[0], Notice) and first.cards[0].title == "Answer received"
    assert counter.hops == 2  # the first answer learns which question to grade for, then stores
    for n, user in enumerate(("U3", "U4", "U2")):  # new users, and a changed answer
        counter.hops = 0
        reply = await app.service.handle(
            member(user=user, name=f"P{n}"), SubmitAnswer(text="it averages bootstrap models")
        )
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.SUCCESS
        assert counter.hops == 1
    counter.hops = 0
    by_id = await app.service.handle(member(user="U5"), SubmitAnswer(text="by id", round_id=card.round_id))
    assert isinstance(by_id.cards[0], Notice) and by_id.cards[0].title == "Answer received"
    assert counter.hops == 2  # another target (by id) learns its round once
    async with app.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(answers))).scalar_one() == 4
        names = (await conn.execute(select(users.c.user_id, users.c.display_name))).all()
    assert ("U4", "P1") in [tuple(n) for n in names] and ("U2", "P2") in [tuple(n) for n in names]


READS = (
    ShowLeaderboard(Window.WEEK, Scope.CHANNEL),
    ShowLeaderboard(Window.MONTH, Scope.SERVER),
    ShowLeaderboard(Window.ALL, Scope.SERVER),
    ShowLeaderboard(Window.ALL, Scope.CHANNEL),
    ShowStats(),
    ShowHelp(),
    ListTopics(),
    ShowToday(),
    ShowTeamBoard("week"),
    ShowSeasonBoard(),
    ShowSeasonBoard(scope=Scope.CHANNEL),
    ConfigureSeason(),
)


async def test_reads_never_write_for_strangers_or_players(
    make_app: AppFactory, tmp_path: Path, messenger: RecordingMessenger
) -> None:
    path = tmp_path / "dailyq.db"
    app = await make_app(sqlite_url(tmp_path))
    card = await open_round(app, messenger)
    question = app.bank.get(card.question_id)
    assert question is not None
    await app.service.handle(member(), SubmitAnswer(text=question.answer))
    await reveal(app)
    await app.service.handle(admin(), ManageTeam(TeamAction.ADD, "data", ("U2",)))  # stats shows the team
    version = data_version(path)
    before = version()
    statements = await trace(app)
    stranger = member(channel="C9", user="U99", name="Stranger", workspace="W1")
    replies = {}
    for ctx in (member(), stranger, member(channel="C9")):  # the player in a channel never used, too
        for command in READS:
            replies[ctx.channel_id, ctx.user_id, command] = (await app.service.handle(ctx, command)).cards[0]
    assert version() == before  # nobody committed a change
    assert any(s.upper().startswith("SELECT") for s in statements)  # the trace sees the reads
    writes = [s for s in statements if s.split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}]
    assert writes == [] and not any("IMMEDIATE" in s.upper() for s in statements)
    async with app.engine.connect() as conn:
        assert (await conn.execute(select(users.c.user_id).order_by(users.c.user_id))).scalars().all() == [
            "U2"
        ]
        assert (await conn.execute(select(channels.c.channel_id))).scalars().all() == ["C1"]
    # what they show: the player is on the boards with the round's points; the stranger sees
    # the same server board, an empty board of a channel never used, and zeros of their own
    mine = replies["C1", "U2", ShowLeaderboard(Window.ALL, Scope.SERVER)]
    theirs = replies["C9", "U99", ShowLeaderboard(Window.ALL, Scope.SERVER)]
    assert isinstance(mine, LeaderboardCard) and isinstance(theirs, LeaderboardCard)
    assert [(r.name, r.is_caller) for r in mine.rows] == [("Bob", True)]
    assert [(r.name, r.is_caller) for r in theirs.rows] == [("Bob", False)] and theirs.caller_row is None
    assert theirs.title == "Leaderboard: this server, all time"
    empty = replies["C9", "U99", ShowLeaderboard(Window.ALL, Scope.CHANNEL)]
    assert isinstance(empty, LeaderboardCard) and empty.rows == () and empty.caller_row is None
    stats, zero = replies["C1", "U2", ShowStats()], replies["C9", "U99", ShowStats()]
    assert isinstance(stats, StatsCard) and isinstance(zero, StatsCard)
    assert stats.points == mine.rows[0].points > 0 and stats.rank == 1
    assert (zero.name, zero.points, zero.rank, zero.current_streak, zero.cards_total) == (
        "Stranger",
        0,
        None,
        0,
        0,
    )
    assert all(n == 0 for _, n in zero.verdicts) and zero.topics == () and zero.recent == ()
    assert stats.team.startswith("data: #1 of 1 teams")
    assert replies["C9", "U2", ShowStats()] == stats  # the same from a channel never used
    assert isinstance(replies["C9", "U99", ShowHelp()], TableCard)
    today = replies["C9", "U99", ShowToday()]
    assert isinstance(today, Notice) and today.tone is Tone.ERROR  # no round in a channel never used


async def test_forget_me_then_answer_again_from_this_process_and_another(
    make_app: AppFactory, tmp_path: Path, messenger: RecordingMessenger
) -> None:
    url = sqlite_url(tmp_path)
    first = await make_app(url)
    await open_round(first, messenger)
    second = await make_app(url)  # another process on the same file
    bob = member()

    async def answer(app: App, text: str) -> None:
        reply = await app.service.handle(bob, SubmitAnswer(text=text))
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].title == "Answer received", reply

    async def stored() -> list[tuple[str, str]]:
        async with first.engine.connect() as conn:
            statement = select(users.c.user_id, answers.c.text).join(answers, answers.c.user_pk == users.c.id)
            return [tuple(r) for r in (await conn.execute(statement)).all()]  # type: ignore[misc]

    await answer(first, "one")
    await first.service.handle(bob, ForgetMe(confirmed=True))
    assert await stored() == []
    await answer(first, "two")  # same process: a new user row, no stale key
    assert await stored() == [("U2", "two")]
    await second.service.handle(bob, ForgetMe(confirmed=True))  # deleted behind the first's back
    await answer(first, "three")
    await answer(second, "four")
    assert await stored() == [("U2", "four")]
    async with first.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(users))).scalar_one() == 1


async def test_a_stale_round_hint_is_caught_and_the_answer_graded_for_the_new_round(
    make_app: AppFactory, tmp_path: Path, messenger: RecordingMessenger
) -> None:
    url = sqlite_url(tmp_path)
    app = await make_app(url)
    other = await make_app(url)
    card = await open_round(app, messenger)
    await app.service.handle(member(), SubmitAnswer(text="whatever"))  # the hint: this round
    await other.service.handle(admin(), ManageDaily(DailyAction.SKIP))  # another process: a new round
    newer = posts(messenger)[-1]
    assert newer.round_id != card.round_id
    question = other.bank.get(newer.question_id)
    assert question is not None and newer.question_id != card.question_id
    reply = await app.service.handle(member(), SubmitAnswer(text=question.answer))
    assert isinstance(reply.cards[0], Notice) and reply.cards[0].title == "Answer received"
    async with app.engine.connect() as conn:
        row = (
            await conn.execute(
                select(answers.c.round_id, answers.c.verdict).where(answers.c.text == question.answer)
            )
        ).one()
    assert tuple(row) == (newer.round_id, "strong")  # graded for the new round's question


def test_the_unit_runner_refuses_an_in_list_it_cannot_compile_once() -> None:
    statement = select(users.c.id).where(users.c.id.in_([1, 2, 3]))
    with pytest.raises(ValueError, match="expanding IN list"):
        unit.Query(statement).compiled(aiosqlite.dialect())


async def test_ties_at_the_tenth_place_are_broken_by_name_and_the_caller_ranks_with_them(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    both_days = {f"p{i:02d}": "strong" for i in range(9)}
    day_one = {**both_days, "x1": "strong", "x0": "strong", "x2": "strong"}  # three tie for 10th
    await play_days(mini_app, clock, messenger, [day_one, both_days])
    for scope in Scope:
        card = await board(mini_app, member(user="x2", name="x2"), scope=scope)
        assert [r.name for r in card.rows] == [*both_days, "x0"]  # the tie at 10th: by name
        assert [r.rank for r in card.rows] == [1] * 9 + [10]
        assert card.caller_row is not None
        assert (card.caller_row.name, card.caller_row.rank, card.caller_row.is_caller) == ("x2", 10, True)
        inside = await board(mini_app, member(user="x0", name="x0"), scope=scope)
        assert inside.caller_row is None and [r.name for r in inside.rows if r.is_caller] == ["x0"]
    lone = await board(mini_app, member(channel="C2", user="p00", name="p00"), Window.ALL, Scope.CHANNEL)
    assert lone.rows == () and lone.caller_row is None  # a channel never used has an empty board


@pytest.mark.postgres
async def test_on_postgresql_an_answer_is_one_transaction_of_prepared_statements(
    make_app: AppFactory, messenger: RecordingMessenger
) -> None:
    async with postgres_database() as url:
        app = await make_app(url)
        await open_round(app, messenger)
        await app.service.handle(
            member(user="U3"), SubmitAnswer(text="it averages models")
        )  # learns the round
        queries: list[str] = []

        def log(record: Any) -> None:
            queries.append(" ".join(record.query.split()[:2]).upper())

        @event.listens_for(app.engine.sync_engine, "checkout")
        def attach(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            dbapi_connection.driver_connection.add_query_logger(log)

        reply = await app.service.handle(member(user="U2"), SubmitAnswer(text="it averages bootstrap models"))
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].title == "Answer received"
        await asyncio.sleep(0)  # asyncpg calls query loggers from the loop (call_soon)
        # a first contact: one statement, a transaction of its own (the round locked, the user
        # created, the answer stored)
        assert queries == ["WITH R"]
        queries.clear()
        reply = await app.service.handle(member(user="U2"), SubmitAnswer(text="changed my mind"))
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].title == "Answer received"
        await asyncio.sleep(0)
        # a known user: one statement, a transaction of its own (the round locked, the answer upserted)
        assert queries == ["WITH R"]
        async with app.engine.connect() as conn:
            texts = (await conn.execute(select(answers.c.text).order_by(answers.c.id))).scalars().all()
        assert texts == ["it averages models", "changed my mind"]
        async with app.engine.connect() as conn:
            names = (
                await conn.execute(select(users.c.user_id, users.c.display_name).order_by(users.c.id))
            ).all()
        assert [tuple(row) for row in names] == [
            ("U3", member(user="U3").display_name),
            ("U2", member(user="U2").display_name),
        ]
        await reveal(app)
        late = await app.service.handle(member(user="U9"), SubmitAnswer(text="it averages models"))
        assert isinstance(late.cards[0], Notice) and late.cards[0].title != "Answer received"
        async with app.engine.connect() as conn:
            strangers = (await conn.execute(select(func.count()).where(users.c.user_id == "U9"))).scalar()
        assert strangers == 0  # a closed round creates no user


@pytest.mark.postgres
async def test_on_postgresql_answers_survive_the_server_closing_the_pooled_connections(
    make_app: AppFactory, messenger: RecordingMessenger
) -> None:
    """No pre-ping round trip on checkout: a connection the server closed (a restart, an idle
    kill) is dropped from the pool, and the answer goes through on a fresh one."""
    import asyncpg

    async with postgres_database() as url:
        app = await make_app(url)
        await open_round(app, messenger)
        first = await app.service.handle(member(user="U1"), SubmitAnswer(text="it averages models"))
        assert isinstance(first.cards[0], Notice) and first.cards[0].title == "Answer received"
        admin_con = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            killed = await admin_con.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert killed >= 1
            await asyncio.sleep(0.2)  # the app's connections learn they were closed
            reply = await app.service.handle(
                member(user="U2"), SubmitAnswer(text="it averages bootstrap models")
            )
            assert isinstance(reply.cards[0], Notice) and reply.cards[0].title == "Answer received", reply
            stored = await admin_con.fetch(
                "SELECT u.user_id, a.text FROM answers a JOIN users u ON u.id = a.user_pk ORDER BY u.user_id"
            )
            assert [(r["user_id"], r["text"]) for r in stored] == [
                ("U1", "it averages models"),
                ("U2", "it averages bootstrap models"),
            ]
        finally:
            await admin_con.close()


@pytest.mark.postgres
async def test_on_postgresql_an_answer_waiting_on_a_reveal_sees_the_round_closed(
    make_app: AppFactory, messenger: RecordingMessenger
) -> None:
    """The folded answer locks the round row: while a reveal holds it, the answer waits, and
    once the reveal commits it is told the round is closed and stores nothing."""
    import asyncpg

    async with postgres_database() as url:
        app = await make_app(url)
        await open_round(app, messenger)
        first = await app.service.handle(member(user="U1"), SubmitAnswer(text="it averages models"))
        assert isinstance(first.cards[0], Notice) and first.cards[0].title == "Answer received"
        revealer = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            async with revealer.transaction():
                await revealer.execute("SELECT id FROM rounds FOR UPDATE")
                late = asyncio.ensure_future(
                    app.service.handle(member(user="U1"), SubmitAnswer(text="changed after the reveal"))
                )
                await asyncio.sleep(0.3)
                assert not late.done()  # waiting for the round row
                await revealer.execute("UPDATE rounds SET state = 'revealed'")
            reply = await asyncio.wait_for(late, 10)
            assert isinstance(reply.cards[0], Notice) and reply.cards[0].title != "Answer received"
            assert reply.cards[0].text.startswith("Answers are closed: the answer was revealed.")
            stored = await revealer.fetch("SELECT text FROM answers")
            assert [r["text"] for r in stored] == ["it averages models"]
        finally:
            await revealer.close()
