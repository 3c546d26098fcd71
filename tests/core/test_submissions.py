"""Members submit questions; admins approve, edit or reject them; the submitter learns the outcome."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.bank.commands import (
    ApproveSubmission,
    EditSubmission,
    ListBanks,
    MySubmissions,
    RejectSubmission,
    ShowQueue,
    SubmitQuestion,
)
from bot.bank.model import Bank
from bot.cards import Card, Notice, Outcome, QuestionCard, Reply, TableCard, Tone
from bot.commands import ConfigureDaily, DailyAction, ForgetMe, ManageDaily
from bot.config import Settings
from bot.store import banks as bank_store
from bot.store import submissions as submission_store
from bot.store.tables import bank_questions, submission_quota, submissions
from bot.text.grammar import CommandError, parse
from tests.conftest import AppFactory, admin, member
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

SPANNING = SubmitQuestion(
    "Graphs",
    "What is a spanning tree of a graph?",
    "A subgraph that is a tree and connects every vertex of the graph without cycles.",
    "easy",
    (("every vertex", "all vertices"), ("without cycles", "no cycles", "acyclic")),
    credit=True,
)


class RecordingNotifier:
    """Stands in for a platform's direct messages."""

    def __init__(self, deliver: bool = True) -> None:
        self.told: list[tuple[str, str, str, Card]] = []
        self.deliver = deliver

    async def tell(self, platform: str, workspace_id: str, user_id: str, card: Card) -> bool:
        self.told.append((platform, workspace_id, user_id, card))
        return self.deliver


def text(reply: object) -> str:
    return " ".join(str(getattr(card, "text", card)) for card in reply.cards)  # type: ignore[attr-defined]


async def test_submit_queue_approve_and_the_question_runs(app: App, messenger: RecordingMessenger) -> None:
    reply = await app.service.handle(member(), SPANNING)
    assert reply.cards == (
        Notice(
            "Thanks! Your question is #1 in the queue; an admin reviews it.",
            Tone.SUCCESS,
            "Question submitted",
        ),
    )
    queue = (await app.service.handle(admin(), ShowQueue())).cards[0]
    assert isinstance(queue, TableCard)
    assert queue.rows == (
        (
            "#1",
            "Bob (credit)",
            "Graphs · easy",
            "What is a spanning tree of a graph?",
            SPANNING.answer,
            "every vertex / all vertices; without cycles / no cycles / acyclic",
            "-",
        ),
    )
    approved = await app.service.handle(admin(), ApproveSubmission(1))
    assert text(approved) == "Approved #1: members:spanning-tree-graph in bank 'members' version 1."
    async with app.engine.connect() as conn:
        stored = await bank_store.current_questions(conn, "test", "W1")
    question = stored["members"][0]
    assert question.explanation == "Suggested by Bob."
    assert "No submissions are waiting." in text(await app.service.handle(admin(), ShowQueue()))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("members",)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    posted = [s.card for s in messenger.sent if isinstance(s.card, QuestionCard)]
    assert posted[-1].question_id == "members:spanning-tree-graph"
    mine = await app.service.handle(member(), MySubmissions())
    assert isinstance(mine.cards[0], Notice)
    assert mine.cards[0].text == (
        "Your question #1 \u201cWhat is a spanning tree of a graph?\u201d was approved: "
        "it is members:spanning-tree-graph now."
    )
    again = await app.service.handle(member(), MySubmissions())
    assert [type(c) for c in again.cards] == [TableCard]  # told once


async def test_a_member_is_refused_at_every_moderation_step(app: App) -> None:
    await app.service.handle(member(), SPANNING)
    for command in (
        ShowQueue(),
        EditSubmission(1, "answer", "mine now"),
        ApproveSubmission(1),
        RejectSubmission(1, "no"),
    ):
        reply = await app.service.handle(member(user="U3", name="Eve"), command)
        assert text(reply).startswith("Only admins of this channel can do that"), command
    async with app.engine.connect() as conn:
        status = (await conn.execute(select(submissions.c.status))).scalars().all()
    assert status == ["pending"]


async def test_a_rephrased_bank_question_is_flagged_to_submitter_and_in_queue(app: App) -> None:
    reply = await app.service.handle(
        member(),
        SubmitQuestion(
            "Basic Machine Learning Concepts",
            "Why would you use cross-validation when training an ML model?",
            "To estimate performance on unseen data by rotating held-out folds.",
        ),
    )
    assert "Note, possible duplicate of 'cross-validation' (" in text(reply)
    queue = (await app.service.handle(admin(), ShowQueue())).cards[0]
    assert isinstance(queue, TableCard) and queue.rows[0][6].startswith(
        "possible duplicate of 'cross-validation'"
    )


async def test_without_key_points_some_are_suggested_for_the_admin(app: App) -> None:
    await app.service.handle(
        member(),
        SubmitQuestion(
            "Graphs",
            "How does Dijkstra's algorithm work?",
            "Dijkstra settles the closest unsettled vertex from a priority queue; it needs non-negative "
            "edge weights, and each settled vertex relaxes its outgoing edges.",
        ),
    )
    queue = (await app.service.handle(admin(), ShowQueue())).cards[0]
    assert isinstance(queue, TableCard)
    points = queue.rows[0][5]
    # "dijkstra" is the question's own word, which grading never credits, so it is not suggested
    assert points.endswith(" (suggested)") and "vertex" in points and "dijkstra" not in points
    await app.service.handle(
        admin(), EditSubmission(1, "key points", "priority queue / min heap; non-negative")
    )
    queue = (await app.service.handle(admin(), ShowQueue())).cards[0]
    assert isinstance(queue, TableCard) and queue.rows[0][5] == "priority queue / min heap; non-negative"


async def test_edit_then_approve_and_a_bad_edit_changes_nothing(app: App) -> None:
    await app.service.handle(member(), SPANNING)
    bad = await app.service.handle(admin(), EditSubmission(1, "difficulty", "extreme"))
    assert text(bad).startswith("Not changed: difficulty: Input should be 'easy', 'medium' or 'hard'")
    unknown = await app.service.handle(admin(), EditSubmission(1, "colour", "red"))
    assert "is not a field: edit topic, question, answer, difficulty, key_points" in text(unknown)
    await app.service.handle(admin(), EditSubmission(1, "question", "What is a spanning tree?"))
    reply = await app.service.handle(admin(), ApproveSubmission(1, "graphs"))
    assert text(reply) == "Approved #1: graphs:spanning-tree in bank 'graphs' version 1."
    assert "No pending submission #1" in text(await app.service.handle(admin(), ApproveSubmission(1)))


async def test_reject_tells_the_submitter_privately_through_the_notifier(
    db_url: str, bank: Bank, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    notifier = RecordingNotifier()
    app = await build_app(Settings(database_url=db_url), messenger, clock, bank, notifier=notifier)
    try:
        await app.service.handle(member(), SPANNING)
        reply = await app.service.handle(admin(), RejectSubmission(1, "we have one like it"))
        assert text(reply) == "Rejected #1; the submitter is told why."
        assert notifier.told == [
            (
                "test",
                "W1",
                "U2",
                Notice(
                    "Your question #1 \u201cWhat is a spanning tree of a graph?\u201d was not accepted: "
                    "we have one like it"
                ),
            )
        ]
        mine = await app.service.handle(member(), MySubmissions())
        assert [type(c) for c in mine.cards] == [TableCard]  # delivered already, not repeated
        assert mine.cards[0].rows == (("#1", SPANNING.question, "rejected", "we have one like it"),)  # type: ignore[union-attr]
    finally:
        await app.close()


LIMIT = Notice("You can submit 3 questions a day (UTC); try again after midnight UTC.", Tone.ERROR)


async def test_three_submissions_a_day_per_member(app: App, clock: FakeClock) -> None:
    for number in range(3):
        reply = await app.service.handle(member(), SPANNING)
        assert f"#{number + 1} in the queue" in text(reply)
    refused = await app.service.handle(member(), SPANNING)
    assert refused.cards == (LIMIT,)
    other = await app.service.handle(member(user="U3", name="Eve"), SPANNING)
    assert "#4 in the queue" in text(other)
    clock.advance(timedelta(hours=15, minutes=59))  # 23:59 UTC: still the same day
    assert (await app.service.handle(member(), SPANNING)).cards == (LIMIT,)
    clock.advance(timedelta(minutes=1))  # midnight UTC: a new day
    assert "#5 in the queue" in text(await app.service.handle(member(), SPANNING))


async def test_concurrent_submits_from_one_member_store_exactly_the_limit(app: App) -> None:
    # Eight submits at once (separate connections on PostgreSQL): "count, then insert" let more
    # than three through; the conditional UPDATE on the quota row cannot.
    replies = await asyncio.gather(*(app.service.handle(member(), SPANNING) for _ in range(8)))
    accepted = [r for r in replies if "in the queue" in text(r)]
    refused = [r for r in replies if r.cards == (LIMIT,)]
    assert (len(accepted), len(refused)) == (3, 5)
    async with app.engine.connect() as conn:
        stored = (await conn.execute(select(submissions.c.user_id))).scalars().all()
    assert stored == ["U2", "U2", "U2"]


async def test_mentions_and_links_are_neutralised(app: App) -> None:
    await app.service.handle(
        member(name="<@999> @everyone"),
        SubmitQuestion(
            "Graphs <#C123>",
            "Ping <@U777> @here: what is https://evil.example.com/x a graph?",
            "See www.evil.io for a graph with every vertex and edge, no cycles <!channel>.",
            key_points=(("every vertex",), ("no cycles",)),
        ),
    )
    async with app.engine.connect() as conn:
        row = (await conn.execute(select(submissions))).one()
    body = json.loads(row.body)
    assert body["topic"] == "Graphs [mention]"
    assert body["question"] == "Ping [mention] @\u200bhere: what is evil[.]example[.]com/x a graph?"
    assert (
        body["answer"] == "See www[.]evil[.]io for a graph with every vertex and edge, no cycles [mention]."
    )
    assert row.display_name == "[mention] @\u200beveryone"


async def test_an_invalid_submission_says_which_field(app: App) -> None:
    reply = await app.service.handle(member(), SubmitQuestion("Graphs", "Q?", "x" * 1600))
    assert text(reply).startswith("Nothing was submitted: answer: String should have at most 1500 characters")
    reply = await app.service.handle(
        member(),
        SubmitQuestion(
            "Graphs", "What is a tree?", "A connected acyclic graph.", "easy", (("forest",), ("root",))
        ),
    )
    assert text(reply).startswith("Nothing was submitted: the reference answer grades missed")


def test_submit_and_queue_grammar() -> None:
    command = parse(
        "submit Graphs | What is a tree? | A connected acyclic graph. | hard "
        "| connected; acyclic/no cycles | credit"
    )
    assert command == SubmitQuestion(
        "Graphs",
        "What is a tree?",
        "A connected acyclic graph.",
        "hard",
        (("connected",), ("acyclic", "no cycles")),
        credit=True,
    )
    assert parse("bank queue") == ShowQueue()
    assert parse("bank queue approve #3 to graphs") == ApproveSubmission(3, "graphs")
    assert parse("bank queue edit 3 answer A better answer.") == EditSubmission(
        3, "answer", "A better answer."
    )
    assert parse("bank queue reject 3 too vague") == RejectSubmission(3, "too vague")
    assert parse("bank mine") == MySubmissions()
    for line in ("submit Graphs | only a question", "bank queue approve x", "bank queue frobnicate 1"):
        with pytest.raises(CommandError):
            parse(line)


async def test_two_approvals_at_once_both_land_in_the_bank(app: App) -> None:
    await app.service.handle(member(), SPANNING)
    await app.service.handle(
        member(user="U3", name="Eve"),
        SubmitQuestion(
            "Graphs",
            "How does breadth-first search visit a graph?",
            "Level by level from the source using a queue, so it finds shortest paths in unweighted graphs.",
            key_points=(("queue",), ("level by level", "layer by layer")),
        ),
    )
    first, second = await asyncio.gather(
        app.service.handle(admin(), ApproveSubmission(1)), app.service.handle(admin(), ApproveSubmission(2))
    )
    assert sorted([text(first)[-10:], text(second)[-10:]]) == ["version 1.", "version 2."]
    async with app.engine.connect() as conn:
        stored = await bank_store.current_questions(conn, "test", "W1")
    assert sorted(q.id for q in stored["members"]) == [
        "breadth-first-search-visit-graph",
        "spanning-tree-graph",
    ]


async def test_two_apps_on_one_sqlite_file_share_the_limit(make_app: AppFactory, sqlite_db: str) -> None:
    # Two bot processes on one SQLite file have an engine each: the limit is the database's.
    first, second = await make_app(sqlite_db), await make_app(sqlite_db)
    replies = await asyncio.gather(
        *(app.service.handle(member(), SPANNING) for app in (first, second) for _ in range(4))
    )
    assert sorted("in the queue" in text(r) for r in replies) == [False] * 5 + [True] * 3
    refused = Reply((LIMIT,), outcome=Outcome.REFUSED, reason=LIMIT.text)
    assert [r for r in replies if "in the queue" not in text(r)] == [refused] * 5
    async with first.engine.connect() as conn:
        assert (await conn.execute(select(submission_quota.c.used))).scalars().all() == [3]


async def test_a_failed_submit_gives_its_slot_back(app: App) -> None:
    day = datetime(2026, 11, 25, tzinfo=UTC).date()
    with pytest.raises(RuntimeError):
        async with app.engine.begin() as conn:
            assert await submission_store.take_slot(conn, "test", "W1", "U2", day, 3)
            raise RuntimeError("the insert failed")
    async with app.engine.begin() as conn:
        taken = [await submission_store.take_slot(conn, "test", "W1", "U2", day, 3) for _ in range(4)]
    assert taken == [True, True, True, False]


async def test_forget_me_deletes_open_submissions_and_uncredits_approved_ones(app: App) -> None:
    await app.service.handle(member(), SPANNING)  # 1: approved, credited
    await app.service.handle(member(), replace(SPANNING, question="What is a minimum spanning tree?"))
    await app.service.handle(member(), replace(SPANNING, question="What is a spanning forest?"))
    await app.service.handle(member(user="U3", name="Eve"), replace(SPANNING, question="What is a cut?"))
    await app.service.handle(admin(), ApproveSubmission(1))
    await app.service.handle(admin(), RejectSubmission(2, "too close to #1"))
    # An admin re-uploads the bank unchanged: the credit is in two stored versions now.
    async with app.engine.begin() as conn:
        current = (await bank_store.current_questions(conn, "test", "W1"))["members"]
        await bank_store.save_version(
            conn, "test", "W1", "members", "Members", current, by="U1", now=datetime(2026, 11, 25, tzinfo=UTC)
        )
    done = await app.service.handle(member(), ForgetMe(confirmed=True))
    assert done.cards == (
        Notice(
            "Deleted everything dailyq stored about you: answers, points, streaks, practice cards, "
            "reminders and your pending or rejected question submissions. Kept in the workspace's bank "
            "without your name: 1 question you suggested.",
            Tone.SUCCESS,
        ),
    )
    async with app.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    submissions.c.id, submissions.c.user_id, submissions.c.display_name, submissions.c.status
                ).order_by(submissions.c.id)
            )
        ).all()
        bodies = (await conn.execute(select(bank_questions.c.version, bank_questions.c.body))).all()
        stored = await bank_store.current_questions(conn, "test", "W1")
    assert [tuple(r) for r in rows] == [(1, "", "", "approved"), (4, "U3", "Eve", "pending")]
    assert sorted(version for version, _ in bodies) == [1, 2]
    assert all("Bob" not in body for _, body in bodies)
    assert [(q.id, q.question, q.explanation) for q in stored["members"]] == [
        ("spanning-tree-graph", SPANNING.question, "")
    ]
    mine = await app.service.handle(member(), MySubmissions())
    assert text(mine) == "You have not submitted questions. `submit topic | question | answer` does."
    # Eve's submission and the queue are untouched; Bob's quota went with him.
    queue = (await app.service.handle(admin(), ShowQueue())).cards[0]
    assert isinstance(queue, TableCard) and [row[0] for row in queue.rows] == ["#4"]
    async with app.engine.connect() as conn:
        assert (await conn.execute(select(submission_quota.c.user_id))).scalars().all() == ["U3"]


async def test_forget_me_without_approved_questions_says_nothing_was_kept(app: App) -> None:
    await app.service.handle(member(), replace(SPANNING, credit=False))
    await app.service.handle(admin(), ApproveSubmission(1))  # approved, not credited: no name to remove
    done = await app.service.handle(member(), ForgetMe(confirmed=True))
    assert text(done).endswith("reminders and your pending or rejected question submissions.")
    async with app.engine.connect() as conn:
        rows = (await conn.execute(select(submissions.c.user_id, submissions.c.status))).all()
    assert [tuple(r) for r in rows] == [("", "approved")]


async def test_an_admin_who_forgets_themself_leaves_decisions_and_banks_without_their_id(app: App) -> None:
    await app.service.handle(member(), SPANNING)
    await app.service.handle(admin(), ApproveSubmission(1))
    await app.service.handle(admin(), ForgetMe(confirmed=True))
    listed = (await app.service.handle(member(), ListBanks())).cards[0]
    assert isinstance(listed, TableCard)
    assert listed.rows[1] == ("members", "1", "1", "2026-11-25 08:00 UTC by (forgotten)")
    async with app.engine.connect() as conn:
        row = (await conn.execute(select(submissions.c.user_id, submissions.c.decided_by))).one()
    assert tuple(row) == ("U2", "")  # Bob's approved submission is still his
