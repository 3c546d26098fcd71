"""Solo practice with spaced repetition (FSRS via the ``fsrs`` package). Never earns points.

``question`` picks the caller's most overdue card, else an unseen question, else the card due
soonest. After ``show`` the user rates recall; a typed answer (``try <text>``) is graded first
and its verdict preselects a rating. Learning steps are tuned for a daily habit: a forgotten
card comes back in 10 minutes, then the next day.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import practice_bank, practice_question
from bot.bank.grading import Verdict, grade
from bot.bank.model import Question
from bot.cards import (
    Action,
    ActionKind,
    PracticeRevealCard,
    QuestionCard,
    Reply,
    Tone,
    error,
    notice,
)
from bot.commands import Ask, PracticeAnswer, RatePractice, Rating, ShowPracticeAnswer
from bot.context import Context
from bot.runtime import Runtime
from bot.store import flashcards as flashcard_store
from bot.store.flashcards import Origin
from bot.store.open_dailies import open_daily_questions
from bot.store.open_practice import close_practice, open_practice, set_open_practice
from bot.text.grammar import did_you_mean

LEARNING_STEPS = (timedelta(minutes=10), timedelta(days=1))
RELEARNING_STEPS = (timedelta(days=1),)
SUGGESTED = {Verdict.STRONG: Rating.GOOD, Verdict.PARTIAL: Rating.HARD, Verdict.MISSED: Rating.AGAIN}
FSRS_RATING = {
    Rating.AGAIN: FsrsRating.Again,
    Rating.HARD: FsrsRating.Hard,
    Rating.GOOD: FsrsRating.Good,
    Rating.EASY: FsrsRating.Easy,
}
NO_PRACTICE = "You have no practice question open. `question` gives you one."
NO_PEEKING = (
    "That question is open as a daily question in this workspace, so its answer stays hidden until "
    "the reveal. Answer it in its channel with `answer <text>`; `question` gives you another one."
)


def practice_scheduler() -> Scheduler:
    """The FSRS scheduler of practice (made per rating: it is cheap and holds no state between them)."""
    return Scheduler(learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS, enable_fuzzing=False)


def choose_question(
    pool: list[Question],
    seen: dict[str, datetime],
    now: datetime,
    rng: random.Random,
    first: frozenset[str] = frozenset(),
) -> Question | None:
    """Most overdue seen card (due cards in ``first``, from missed dailies, before the others),
    else an unseen question, else the seen card due soonest."""
    if not pool:
        return None
    by_id = {q.id: q for q in pool}
    due = sorted((qid not in first, when, qid) for qid, when in seen.items() if qid in by_id and when <= now)
    if due:
        return by_id[due[0][2]]
    unseen = [q for q in pool if q.id not in seen]
    if unseen:
        return rng.choice(unseen)
    upcoming = sorted((when, qid) for qid, when in seen.items() if qid in by_id)
    return by_id[upcoming[0][1]]


def practice_card(question: Question) -> QuestionCard:
    """A practice question with its buttons."""
    return QuestionCard(
        question_id=question.id,
        topic=question.topic,
        difficulty=question.difficulty,
        text=question.question,
        notes=("Practice: private, no points. `try <answer>` to be graded, `show` for the answer.",),
        actions=(
            Action(ActionKind.PRACTICE_ANSWER, "Answer", question.id, "primary"),
            Action(ActionKind.SHOW_ANSWER, "Show answer", question.id),
        ),
    )


async def ask(rt: Runtime, ctx: Context, cmd: Ask) -> Reply:
    """Pick the caller's next practice question (optionally in one topic)."""
    now = rt.clock.now()
    async with rt.engine.begin() as conn:
        bank = await practice_bank(conn, rt.bank, ctx)
        pool = list(bank.questions)
        topic = None
        if cmd.topic:
            topic = bank.find_topic(cmd.topic)
            if topic is None:
                # Slack's `/question hlep` reaches here as a topic: a near miss of a command says so
                command = did_you_mean(cmd.topic.split()[0]).strip()
                return error(bank.topic_problem(cmd.topic) + (f" {command}" if command else ""))
            pool = [q for q in pool if q.topic == topic]
        open_dailies = await open_daily_questions(conn, ctx.platform, ctx.workspace_id)
        pool = [q for q in pool if q.id not in open_dailies]
        if not pool:
            where = f"in {topic} " if topic else ""
            return error(
                f"Every question {where}is open as a daily question in this workspace right now. "
                "Try another topic, or answer the daily with `answer <text>`."
            )
        user_pk = await rt.user(conn, ctx)
        mine = await flashcard_store.flashcards_of(conn, user_pk)
        rng = random.Random(f"{user_pk}:{now.isoformat()}")
        first = frozenset(c.question_id for c in mine if c.origin is Origin.MISSED)
        question = choose_question(pool, {c.question_id: c.due for c in mine}, now, rng, first)
        assert question is not None  # the bank and every topic have questions
        await set_open_practice(conn, user_pk, question.id, now)
    return Reply((practice_card(question),))


async def _current(
    conn: AsyncConnection, rt: Runtime, user_pk: int, question_id: str | None
) -> Question | None:
    if question_id is None:
        opened = await open_practice(conn, user_pk)
        question_id = opened.question_id if opened is not None else None
    return await practice_question(conn, rt.bank, user_pk, question_id) if question_id else None


async def _open_daily(conn: AsyncConnection, ctx: Context, question: Question) -> bool:
    """Whether the question is open as a daily round somewhere in the caller's workspace."""
    return question.id in await open_daily_questions(conn, ctx.platform, ctx.workspace_id)


def _reveal(question: Question, grade_note: str = "", suggested: Rating | None = None) -> PracticeRevealCard:
    return PracticeRevealCard(
        question_id=question.id,
        question=question.question,
        answer=question.answer,
        explanation=question.explanation,
        key_points=tuple(group[0] for group in question.key_points),
        grade_note=grade_note,
        suggested=suggested.value if suggested else None,
        actions=tuple(
            Action(
                ActionKind.RATE,
                r.value.capitalize(),
                f"{question.id}:{r.value}",
                "primary" if r is suggested else "",
            )
            for r in Rating
        ),
    )


async def show_answer(rt: Runtime, ctx: Context, cmd: ShowPracticeAnswer) -> Reply:
    """The answer of the current practice question, with rating buttons."""
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        question = await _current(conn, rt, user_pk, cmd.question_id)
        if question is not None and await _open_daily(conn, ctx, question):
            return error(NO_PEEKING)
    if question is None:
        return error(NO_PRACTICE)
    return Reply((_reveal(question),))


async def practice_answer(rt: Runtime, ctx: Context, cmd: PracticeAnswer) -> Reply:
    """Grade a typed practice answer and show the reference, with a suggested rating."""
    text = cmd.text.strip()
    if not text:
        return error("Type your answer after `try`, for example `try it reduces variance`.")
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        question = await _current(conn, rt, user_pk, cmd.question_id)
        if question is None:
            return error(NO_PRACTICE)
        if await _open_daily(conn, ctx, question):
            return error(NO_PEEKING)
        result = grade(
            question.key_points, text, question=question.question, misconceptions=question.misconceptions
        )
        suggested = SUGGESTED[result.verdict]
        await set_open_practice(conn, user_pk, question.id, rt.clock.now(), suggested.value)
    found = sum(result.found)
    note = f"Your answer: {result.verdict.value} ({found} of {len(result.found)} key points)."
    if result.note:
        note += f" Note: {result.note}"
    return Reply((_reveal(question, note, suggested),))


async def rate(rt: Runtime, ctx: Context, cmd: RatePractice) -> Reply:
    """Record a recall rating and schedule the card's next review."""
    now = rt.clock.now()
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        question = await _current(conn, rt, user_pk, cmd.question_id)
        if question is None:
            return error(NO_PRACTICE)
        stored = await flashcard_store.flashcard(conn, user_pk, question.id)
        card = FsrsCard.from_json(stored.state) if stored is not None else FsrsCard(card_id=1, due=now)
        card, _log = practice_scheduler().review_card(card, FSRS_RATING[cmd.rating], now)
        await flashcard_store.save_review(
            conn,
            user_pk,
            question.id,
            state=card.to_json(),
            due=card.due,
            reviews=(stored.reviews if stored is not None else 0) + 1,
            rating=cmd.rating.value,
            now=now,
        )
        await close_practice(conn, user_pk)
    return notice(
        f"Rated {cmd.rating.value}. Next review: {_when(card.due - now)}. `question` for another.",
        Tone.SUCCESS,
    )


def _when(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 1)
    if minutes < 60:
        return f"in {minutes} min"
    if minutes < 48 * 60:
        return f"in {minutes // 60} h"
    return f"in {minutes // 1440} days"
