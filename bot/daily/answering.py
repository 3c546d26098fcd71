"""Answering the daily round: free text (changeable until the reveal) or a locked quiz pick."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import round_question
from bot.bank.grading import Verdict, grade
from bot.cards import Reply, Tone, error, notice
from bot.commands import ShowToday, SubmitAnswer
from bot.context import Context
from bot.daily.picker import quiz_options
from bot.daily.posts import format_local, question_card
from bot.runtime import Runtime
from bot.store import answers as answer_store
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store.appeals import encode_key_points

MAX_ANSWER = 4000
LETTERS = "ABCD"
NO_ROUND = (
    "There is no open daily question in this channel. "
    "`question` gives you a practice question; `daily status` shows the schedule."
)


async def _target_round(
    conn: AsyncConnection, ctx: Context, round_id: int | None
) -> tuple[Row[Any] | None, str]:
    """The round being answered and its channel's time zone, only if it belongs to the caller's
    workspace (else ``None``)."""
    if round_id is None:
        channel = await channel_store.get_channel(conn, ctx.channel)
        if channel is None:
            return None, ""
        return await round_store.latest_round(conn, channel.id), channel.timezone
    found = await round_store.get_round_with_channel(conn, round_id)
    if found is None or (found.channel_platform, found.channel_workspace) != (ctx.platform, ctx.workspace_id):
        return None, ""  # a crafted id from another workspace looks like no round at all
    return found, found.channel_timezone


async def _closed_reply(
    conn: AsyncConnection, rt: Runtime, round_row: Row[Any], answer: Row[Any] | None
) -> Reply:
    question = await round_question(conn, rt.bank, round_row.channel_pk, round_row.question_id)
    if round_row.state == round_store.SKIPPED:
        return error("That question was skipped by an admin; answers are closed.")
    mine = ""
    if answer is not None:
        mine = f" Your answer was graded {answer.verdict} ({answer.points} points)."
        if answer.feedback:
            mine += f"\nJudge's feedback: {answer.feedback}"
    return notice(
        f"Answers are closed: the answer was revealed.{mine}\nReference answer: {question.answer}",
        title=question.question,
    )


async def submit_answer(rt: Runtime, ctx: Context, cmd: SubmitAnswer) -> Reply:
    """Store the caller's answer before acknowledging it; the grade is shown at the reveal."""
    text = (cmd.text or "").strip()
    if cmd.choice is None and not text:
        return error("An answer needs some text: `answer <your answer>` (quiz: `answer A` to `D`).")
    if len(text) > MAX_ANSWER:
        return error(f"Answers are limited to {MAX_ANSWER} characters; yours has {len(text)}.")
    async with rt.engine.begin() as conn:
        round_row, timezone = await _target_round(conn, ctx, cmd.round_id)
        if round_row is None:
            return error(NO_ROUND)
        if round_row.state == round_store.CLAIMED:
            return error("Today's question is being posted right now; try again in a moment.")
        if not await round_store.lock_open_round(conn, round_row.id):
            user_pk = await rt.user(conn, ctx)
            answer = await answer_store.get_answer(conn, round_row.id, user_pk)
            return await _closed_reply(conn, rt, round_row, answer)
        if round_row.mode == "quiz":
            return await _quiz_answer(conn, rt, ctx, round_row, cmd.choice, text)
        if cmd.choice is not None or not text:
            return error("This question takes a written answer: `answer <your answer>`.")
        question = await round_question(conn, rt.bank, round_row.channel_pk, round_row.question_id)
        result = grade(
            question.key_points, text, question=question.question, misconceptions=question.misconceptions
        )
        now = rt.clock.now()
        await answer_store.replace_answer(
            conn,
            {
                "round_id": round_row.id,
                "user_pk": await rt.user(conn, ctx),
                "text": text,
                "choice": None,
                "score": result.score,
                "verdict": result.verdict.value,
                "points": 0,
                "answered_at": now,
                "key_points": encode_key_points([group[0] for group in question.key_points], result.found),
            },
        )
    reveal = format_local(round_row.reveal_at, timezone)
    return notice(
        f"Saved your answer: \u201c{text}\u201d\nYou can change it until the reveal ({reveal}); "
        "your grade is shown then.",
        Tone.SUCCESS,
        title="Answer received",
    )


async def _quiz_answer(
    conn: AsyncConnection, rt: Runtime, ctx: Context, round_row: Row[Any], choice: int | None, text: str
) -> Reply:
    if choice is None and len(text) == 1 and text.upper() in LETTERS:
        choice = LETTERS.index(text.upper())
    if choice is None or not 0 <= choice < len(LETTERS):
        return error("This is a quiz: pick one option, A, B, C or D (`answer B`).")
    question = await round_question(conn, rt.bank, round_row.channel_pk, round_row.question_id)
    options, correct = quiz_options(question, round_row.seed)
    if choice >= len(options):
        return error(f"This quiz has {len(options)} options: pick A to {LETTERS[len(options) - 1]}.")
    user_pk = await rt.user(conn, ctx)
    verdict = Verdict.STRONG if choice == correct else Verdict.MISSED
    stored = await answer_store.insert_locked_answer(
        conn,
        {
            "round_id": round_row.id,
            "user_pk": user_pk,
            "text": None,
            "choice": choice,
            "score": 1.0 if verdict is Verdict.STRONG else 0.0,
            "verdict": verdict.value,
            "points": 0,
            "answered_at": rt.clock.now(),
        },
    )
    if not stored:
        existing = await answer_store.get_answer(conn, round_row.id, user_pk)
        picked = LETTERS[existing.choice] if existing is not None and existing.choice is not None else "?"
        return error(f"Your pick is locked: you chose {picked}. Results come at the reveal.")
    return notice(
        f"Locked in {LETTERS[choice]}: {options[choice]}\nResults come at the reveal.",
        Tone.SUCCESS,
        title="Pick received",
    )


async def show_today(rt: Runtime, ctx: Context, _cmd: ShowToday) -> Reply:
    """The channel's open daily question, privately (so a late joiner can answer)."""
    async with rt.engine.connect() as conn:
        round_row, timezone = await _target_round(conn, ctx, None)
    if round_row is None or round_row.state != round_store.OPEN:
        return error(NO_ROUND)
    question = await round_question(rt.engine, rt.bank, round_row.channel_pk, round_row.question_id)
    return Reply((question_card(round_row, question, timezone=timezone),))
