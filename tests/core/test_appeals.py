"""My grade, appeals and regrades through the service, on SQLite and PostgreSQL.

The flow a player sees: answer -> reveal -> My grade -> appeal -> an admin accepts -> points,
standings and the leaderboard change in one go -> the player is told privately. And every way
it must refuse: non-admins, after the window, a second appeal, ids from another workspace,
rounds not answered or not revealed.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import App
from bot.bank.grading import Verdict, grade
from bot.bank.model import Bank, Question
from bot.cards import (
    Action,
    ActionKind,
    LeaderboardCard,
    MyGradeCard,
    Notice,
    RecentGrade,
    Reply,
    StatsCard,
    TableCard,
    Tone,
)
from bot.commands import (
    AppealGrade,
    DecideAppeal,
    Decision,
    ForgetMe,
    ListAnswers,
    ListAppeals,
    Regrade,
    ShowLeaderboard,
    ShowMyGrade,
    ShowStats,
    SubmitAnswer,
    Window,
)
from bot.store.tables import answers, appeals, grade_changes, standings
from tests.conftest import admin, member
from tests.core.test_answers import last_reveal, open_round, reveal
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

# answers that cover two of the three key points of each mini-bank question
PARTIAL = {
    "overfitting": "The model memorizes the training data, quirks included.",
    "precision": "Precision divides the true positives by all predicted positives.",
    "recall": "Recall divides the true positives by all actual positives.",
    "bagging": "Bagging trains each model on a bootstrap sample and averages their predictions.",
}
BOB = member(user="U2", name="Bob")
CAROL = member(user="U3", name="Carol")
DAVE = member(user="U4", name="Dave")
ELSEWHERE = admin(workspace="W2", channel="C9", user="U9", name="Mallory")
REASON = "I named the key idea, in other words"


def only(reply: Reply) -> object:
    assert len(reply.cards) == 1, reply
    return reply.cards[0]


def refused(reply: Reply, text: str) -> None:
    card = only(reply)
    assert isinstance(card, Notice) and card.tone is Tone.ERROR, reply
    assert text in card.text, card.text


async def played(app: App, messenger: RecordingMessenger) -> Question:
    """Bob answers partially, Carol with the reference answer; the round is revealed."""
    card = await open_round(app, messenger)
    question = app.bank.get(card.question_id)
    assert question is not None
    assert grade(question.key_points, PARTIAL[question.id]).verdict is Verdict.PARTIAL
    await app.service.handle(BOB, SubmitAnswer(text=PARTIAL[question.id]))
    await app.service.handle(CAROL, SubmitAnswer(text=question.answer))
    await reveal(app)
    return question


async def board(app: App, window: Window) -> list[tuple[str, int, int]]:
    card = only(await app.service.handle(BOB, ShowLeaderboard(window)))
    assert isinstance(card, LeaderboardCard)
    return [(row.name, row.points, row.strong) for row in card.rows]


async def count(app: App, table: object) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


def expected_found(question: Question, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = grade(question.key_points, text).found
    labels = [group[0] for group in question.key_points]
    return (
        tuple(label for label, hit in zip(labels, found, strict=True) if hit),
        tuple(label for label, hit in zip(labels, found, strict=True) if not hit),
    )


async def test_appeal_accepted_changes_points_boards_and_tells_the_player(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    question = await played(mini_app, messenger)
    round_id = last_reveal(messenger).round_id
    assert last_reveal(messenger).actions == (Action(ActionKind.MY_GRADE, "My grade", str(round_id)),)

    found, missed = expected_found(question, PARTIAL[question.id])
    assert len(found) == 2 and len(missed) == 1
    mine = await mini_app.service.handle(BOB, ShowMyGrade(round_id))
    assert mine.ephemeral
    assert only(mine) == MyGradeCard(
        round_id=round_id,
        question=question.question,
        answer=PARTIAL[question.id],
        verdict="partial",
        points=15,
        found=found,
        missed=missed,
        actions=(Action(ActionKind.APPEAL, "Appeal", str(round_id)),),
    )
    assert await board(mini_app, Window.WEEK) == [("Carol", 20, 1), ("Bob", 15, 0)]
    before = only(await mini_app.service.handle(BOB, ShowStats()))
    assert isinstance(before, StatsCard)

    filed = only(await mini_app.service.handle(BOB, AppealGrade(REASON)))
    assert filed == Notice(
        f"Appeal #1 filed for round #{round_id} (now partial, 15 points). An admin of this channel "
        "will decide; you will be told privately.",
        Tone.SUCCESS,
        "Appeal filed",
    )
    status = only(await mini_app.service.handle(BOB, ShowMyGrade()))
    assert isinstance(status, MyGradeCard)
    assert status.status == "Under appeal (#1): an admin of this channel will decide."
    assert status.actions == ()

    queue = only(await mini_app.service.handle(admin(), ListAppeals()))
    assert isinstance(queue, TableCard)
    assert [row[:5] for row in queue.rows] == [
        (
            "#1",
            f"Bob · round #{round_id} (2026-11-25) · answer #1",
            "partial, 15 pts",
            f"\u201c{PARTIAL[question.id]}\u201d",
            f"reason: {REASON}",
        )
    ]

    decided = only(
        await mini_app.service.handle(admin(), DecideAppeal(1, Decision.ACCEPT, "strong", "fair point"))
    )
    assert decided == Notice(
        "Appeal #1 accepted: Bob's answer is now strong (15 \u2192 20 points); leaderboards are updated. "
        "They were told privately.",
        Tone.SUCCESS,
        "Appeal decided",
    )
    told = messenger.of_kind("tell")
    assert [(t.key, t.channel.channel_id) for t in told] == [("U2", "C1")]
    assert told[0].card == Notice(
        f"Your appeal was accepted (round #{round_id}, 2026-11-25: {question.question})\n"
        "Verdict: partial \u2192 strong; points: 15 \u2192 20. Leaderboards are updated.\n"
        "Note: fair point",
        Tone.SUCCESS,
        "Your grade was changed",
    )
    for window in Window:
        assert await board(mini_app, window) == [("Bob", 20, 1), ("Carol", 20, 1)]
    after = only(await mini_app.service.handle(BOB, ShowStats()))
    assert isinstance(after, StatsCard)
    assert (after.points, after.current_streak, after.best_streak) == (
        20,
        before.current_streak,
        before.best_streak,
    )
    assert after.recent == (RecentGrade("2026-11-25", question.question, "strong", 20),)
    assert dict(after.verdicts)["strong"] == 1

    final = only(await mini_app.service.handle(BOB, ShowMyGrade(round_id)))
    assert isinstance(final, MyGradeCard)
    assert (final.verdict, final.points, final.actions) == ("strong", 20, ())
    assert final.status == "Changed on appeal from partial to strong. Note: fair point"
    assert final.found == found  # the key points as graded; only the verdict was overridden
    async with mini_app.engine.connect() as conn:
        log = (await conn.execute(select(grade_changes))).one()
    assert (log.verdict_before, log.verdict_after, log.points_before, log.points_after, log.changed_by) == (
        "partial",
        "strong",
        15,
        20,
        "U1",
    )
    refused(await mini_app.service.handle(admin(), DecideAppeal(1, Decision.REJECT)), "already accepted")
    refused(await mini_app.service.handle(BOB, AppealGrade("again")), "already appealed")


async def test_rejected_appeal_keeps_the_grade_and_is_final(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    await played(mini_app, messenger)
    await mini_app.service.handle(BOB, AppealGrade(REASON))
    decided = only(
        await mini_app.service.handle(admin(), DecideAppeal(1, Decision.REJECT, None, "too vague"))
    )
    assert isinstance(decided, Notice) and decided.tone is Tone.SUCCESS
    assert decided.text == "Appeal #1 rejected: Bob's answer stays partial. They were told privately."
    told = messenger.of_kind("tell")[-1].card
    assert isinstance(told, Notice) and told.title == "Appeal rejected"
    assert told.text.endswith("was rejected: your answer stays partial (15 points).\nNote: too vague")
    assert await board(mini_app, Window.WEEK) == [("Carol", 20, 1), ("Bob", 15, 0)]
    mine = only(await mini_app.service.handle(BOB, ShowMyGrade()))
    assert isinstance(mine, MyGradeCard)
    assert mine.status == "Your appeal (#1) was rejected; the grade stands. Note: too vague"
    refused(await mini_app.service.handle(BOB, AppealGrade("please look again")), "already appealed")
    assert await count(mini_app, appeals) == 1 and await count(mini_app, grade_changes) == 0


async def test_refusals_change_nothing(
    mini_app: App, messenger: RecordingMessenger, clock: FakeClock
) -> None:
    card = await open_round(mini_app, messenger)
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    await mini_app.service.handle(BOB, SubmitAnswer(text=PARTIAL[question.id]))
    # before the reveal: no grade to see or appeal, by the latest round or by its id
    refused(await mini_app.service.handle(BOB, ShowMyGrade()), "No daily question has been revealed")
    refused(await mini_app.service.handle(BOB, ShowMyGrade(card.round_id)), "not revealed yet")
    refused(
        await mini_app.service.handle(BOB, AppealGrade(REASON, card.round_id)), "once the answer is revealed"
    )
    refused(await mini_app.service.handle(admin(), Regrade(1, "strong")), "not revealed yet")
    await reveal(mini_app)

    refused(await mini_app.service.handle(DAVE, AppealGrade(REASON)), "did not answer")
    refused(await mini_app.service.handle(DAVE, ShowMyGrade()), "did not answer")
    refused(await mini_app.service.handle(BOB, AppealGrade("   ")), "Say why")
    refused(await mini_app.service.handle(BOB, AppealGrade("x" * 501)), "under 500 characters")
    # in the thread of the post (its channel id is the post's id): that round, in this workspace only
    post_id = messenger.of_kind("post")[-1].message_id
    in_thread = only(
        await mini_app.service.handle(member(user="U2", name="Bob", channel=post_id), ShowMyGrade())
    )
    assert isinstance(in_thread, MyGradeCard) and in_thread.round_id == card.round_id
    refused(
        await mini_app.service.handle(member(workspace="W2", channel=post_id), ShowMyGrade()),
        "No daily question has been revealed",
    )
    # a round id of another workspace looks like no round at all
    refused(await mini_app.service.handle(member(workspace="W2"), ShowMyGrade(card.round_id)), "no round #")
    # non-admins cannot see the queue, decide or regrade (the service refuses before any handler)
    await mini_app.service.handle(BOB, AppealGrade(REASON))
    for command in (
        ListAppeals(),
        DecideAppeal(1, Decision.ACCEPT, "strong"),
        Regrade(1, "strong"),
        ListAnswers(),
    ):
        refused(await mini_app.service.handle(CAROL, command), "Only admins")
    # an admin of another workspace cannot decide this workspace's appeal or regrade its answer
    refused(
        await mini_app.service.handle(ELSEWHERE, DecideAppeal(1, Decision.ACCEPT, "strong")), "no appeal #1"
    )
    refused(await mini_app.service.handle(ELSEWHERE, Regrade(1, "strong")), "no answer #1 in this workspace")
    elsewhere_queue = only(await mini_app.service.handle(ELSEWHERE, ListAppeals()))
    assert isinstance(elsewhere_queue, TableCard) and elsewhere_queue.rows == ()
    refused(
        await mini_app.service.handle(admin(), DecideAppeal(1, Decision.ACCEPT, None)),
        "needs the new verdict",
    )
    refused(
        await mini_app.service.handle(admin(), DecideAppeal(1, Decision.ACCEPT, "partial")), "already partial"
    )
    refused(await mini_app.service.handle(admin(), DecideAppeal(99, Decision.REJECT)), "no appeal #99")
    refused(await mini_app.service.handle(admin(), Regrade(1, "great")), "not a verdict")
    assert await board(mini_app, Window.ALL) == [("Bob", 15, 0)]
    assert await count(mini_app, grade_changes) == 0
    assert messenger.of_kind("tell") == []


async def test_an_admin_cannot_decide_or_regrade_their_own_answer(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger)
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    await mini_app.service.handle(admin(), SubmitAnswer(text=PARTIAL[question.id]))
    await reveal(mini_app)
    await mini_app.service.handle(admin(), AppealGrade(REASON))
    refused(
        await mini_app.service.handle(admin(), DecideAppeal(1, Decision.ACCEPT, "strong")), "your own answer"
    )
    refused(await mini_app.service.handle(admin(), Regrade(1, "strong")), "your own answer")
    other = admin(user="U5", name="Eve")
    done = only(await mini_app.service.handle(other, DecideAppeal(1, Decision.ACCEPT, "strong")))
    assert isinstance(done, Notice) and done.tone is Tone.SUCCESS


async def test_appeals_close_a_day_after_the_reveal(
    mini_app: App, messenger: RecordingMessenger, clock: FakeClock
) -> None:
    await played(mini_app, messenger)
    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    mine = only(await mini_app.service.handle(BOB, ShowMyGrade()))
    assert isinstance(mine, MyGradeCard) and [a.kind for a in mine.actions] == [ActionKind.APPEAL]
    clock.advance(timedelta(seconds=1))
    mine = only(await mini_app.service.handle(BOB, ShowMyGrade()))
    assert isinstance(mine, MyGradeCard) and mine.actions == ()
    refused(await mini_app.service.handle(BOB, AppealGrade(REASON)), "Appeals close a day after the reveal")
    assert await count(mini_app, appeals) == 0


async def test_admin_regrade_moves_points_both_ways_and_closes_an_open_appeal(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    await played(mini_app, messenger)
    listed = only(await mini_app.service.handle(admin(), ListAnswers()))
    assert isinstance(listed, TableCard)
    assert [row[:3] for row in listed.rows] == [
        ("#1", "Bob", "partial, 15 pts"),
        ("#2", "Carol", "strong, 20 pts"),
    ]
    done = only(await mini_app.service.handle(admin(), Regrade(2, "missed", "copied the reference")))
    assert isinstance(done, Notice) and done.tone is Tone.SUCCESS
    assert done.text == (
        "Answer #2 of Carol is now missed (20 \u2192 10 points); leaderboards are updated. "
        "They were told privately."
    )
    told = messenger.of_kind("tell")[-1]
    assert told.key == "U3" and isinstance(told.card, Notice)
    assert told.card.text.startswith("An admin regraded your answer")
    assert await board(mini_app, Window.WEEK) == [("Bob", 15, 0), ("Carol", 10, 0)]

    await mini_app.service.handle(BOB, AppealGrade(REASON))
    await mini_app.service.handle(admin(), Regrade(1, "strong"))
    assert await board(mini_app, Window.MONTH) == [("Bob", 20, 1), ("Carol", 10, 0)]
    async with mini_app.engine.connect() as conn:
        state = (await conn.execute(select(appeals.c.state, appeals.c.verdict_after))).one()
        totals = (await conn.execute(select(func.sum(standings.c.answers)))).scalar_one()
    assert tuple(state) == ("accepted", "strong")
    assert totals == 6  # two answers in three windows: answer counts never change
    refused(await mini_app.service.handle(admin(), Regrade(1, "strong")), "already strong")


async def test_two_admins_deciding_at_once_apply_one_change(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    await played(mini_app, messenger)
    await mini_app.service.handle(BOB, AppealGrade(REASON))
    first, second = await asyncio.gather(
        mini_app.service.handle(admin(), DecideAppeal(1, Decision.ACCEPT, "strong")),
        mini_app.service.handle(admin(user="U5", name="Eve"), DecideAppeal(1, Decision.ACCEPT, "strong")),
    )
    tones = sorted(only(r).tone for r in (first, second))  # type: ignore[attr-defined]
    assert tones == [Tone.ERROR, Tone.SUCCESS]
    assert await board(mini_app, Window.ALL) == [("Bob", 20, 1), ("Carol", 20, 1)]
    assert await count(mini_app, grade_changes) == 1


async def test_forget_me_removes_appeals_and_their_log(mini_app: App, messenger: RecordingMessenger) -> None:
    await played(mini_app, messenger)
    await mini_app.service.handle(BOB, AppealGrade(REASON))
    await mini_app.service.handle(admin(), DecideAppeal(1, Decision.ACCEPT, "strong"))
    await mini_app.service.handle(BOB, ForgetMe(confirmed=True))
    assert (
        await count(mini_app, appeals),
        await count(mini_app, grade_changes),
        await count(mini_app, answers),
    ) == (
        0,
        0,
        1,
    )


async def test_my_grade_keeps_the_key_points_as_graded_when_the_bank_changes(
    mini_app: App, messenger: RecordingMessenger, make_app: Any, db_url: str
) -> None:
    question = await played(mini_app, messenger)
    found, missed = expected_found(question, PARTIAL[question.id])
    changed = Bank(
        tuple(
            q.model_copy(update={"key_points": (("a point added later",),)}) for q in mini_app.bank.questions
        )
    )
    later = await make_app(db_url, with_bank=changed)
    mine = only(await later.service.handle(BOB, ShowMyGrade()))
    assert isinstance(mine, MyGradeCard)
    assert (mine.found, mine.missed) == (found, missed)


async def test_ids_beyond_what_a_database_stores_find_nothing(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    await played(mini_app, messenger)
    huge = 10**20
    refused(await mini_app.service.handle(BOB, ShowMyGrade(huge)), f"no round #{huge}")
    refused(await mini_app.service.handle(BOB, AppealGrade(REASON, huge)), f"no round #{huge}")
    refused(await mini_app.service.handle(admin(), DecideAppeal(huge, Decision.REJECT)), f"no appeal #{huge}")
    refused(await mini_app.service.handle(admin(), Regrade(huge, "strong")), f"no answer #{huge}")
    refused(await mini_app.service.handle(admin(), ListAnswers(huge)), f"no round #{huge}")


async def test_my_grade_of_a_quiz_pick_names_the_option_and_can_be_regraded(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger, mode="quiz")
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    wrong = next(i for i, option in enumerate(card.options) if option != question.answer)
    await mini_app.service.handle(BOB, SubmitAnswer(choice=wrong))
    await reveal(mini_app)
    mine = only(await mini_app.service.handle(BOB, ShowMyGrade()))
    assert isinstance(mine, MyGradeCard)
    letter = "ABCD"[wrong]
    assert (mine.quiz, mine.answer, mine.verdict, mine.points) == (
        True,
        f"{letter}. {card.options[wrong]}",
        "missed",
        10,
    )
    assert (mine.found, mine.missed) == ((), ())
    await mini_app.service.handle(admin(), Regrade(1, "strong", "two options were right"))
    assert await board(mini_app, Window.WEEK) == [("Bob", 20, 1)]
