"""Answering the daily round: free text (changeable until the reveal) or a locked quiz pick.

An answer is graded first (CPU only), against the round the target was last seen to be
(``Runtime.round_hints``), then stored in one unit of work (``bot.store.answers.submit``), which
checks the round, locks it, finds or creates the user and upserts the answer in one round trip.
When the hint was missing or stale the unit stores nothing and returns the round as it is: the
answer is graded for it and submitted again.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.catalog import round_question
from bot.bank.grading import Verdict, grade
from bot.bank.model import Bank, Question
from bot.cards import LETTERS, Reply, Tone, error, notice
from bot.cards import Outcome as ReplyOutcome
from bot.commands import ShowToday, SubmitAnswer
from bot.context import Context
from bot.daily.picker import quiz_options
from bot.daily.posts import format_local, question_card
from bot.runtime import Runtime
from bot.store import answers as answer_store
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store import unit
from bot.store.answers import Graded, Outcome, PriorAnswer, RoundFacts, Submitted, Target
from bot.store.appeals import encode_key_points

MAX_ANSWER = 4000
NO_ROUND = (
    "There is no open daily question in this channel. "
    "`question` gives you a practice question; `daily status` shows the schedule."
)
WRITTEN_ONLY = "This question takes a written answer: `answer <your answer>`."
PICK_ONE = "This is a quiz: pick one option, A, B, C or D (`answer B`)."


async def _question(engine: AsyncEngine, bank: Bank, facts: RoundFacts) -> Question:
    return await round_question(engine, bank, facts.channel_pk, facts.question_id)


async def _prepare(rt: Runtime, facts: RoundFacts, cmd: SubmitAnswer, text: str) -> Graded | str:
    """The answer graded (or the pick judged) for the round ``facts``; a message when it does not fit
    the round (a pick for a written question, a letter out of range)."""
    question = await _question(rt.engine, rt.bank, facts)
    now = rt.clock.now()
    if facts.mode == "quiz":
        choice = cmd.choice
        if choice is None and len(text) == 1 and text.upper() in LETTERS:
            choice = LETTERS.index(text.upper())
        if choice is None or not 0 <= choice < len(LETTERS):
            return PICK_ONE
        options, correct = quiz_options(question, facts.seed)
        if choice >= len(options):
            return f"This quiz has {len(options)} options: pick A to {LETTERS[len(options) - 1]}."
        strong = choice == correct
        verdict = Verdict.STRONG if strong else Verdict.MISSED
        return Graded(
            facts.round_id, facts.question_id, None, choice, float(strong), verdict.value, None, now
        )
    if cmd.choice is not None or not text:
        return WRITTEN_ONLY
    result = grade(
        question.key_points, text, question=question.question, misconceptions=question.misconceptions
    )
    points = encode_key_points([group[0] for group in question.key_points], result.found)
    return Graded(
        facts.round_id, facts.question_id, text, None, result.score, result.verdict.value, points, now
    )


async def submit_answer(rt: Runtime, ctx: Context, cmd: SubmitAnswer) -> Reply:
    """Store the caller's answer before acknowledging it; the grade is shown at the reveal."""
    text = (cmd.text or "").strip()
    if cmd.choice is None and not text:
        return error("An answer needs some text: `answer <your answer>` (quiz: `answer A` to `D`).")
    if len(text) > MAX_ANSWER:
        return error(f"Answers are limited to {MAX_ANSWER} characters; yours has {len(text)}.")
    target = Target(ctx.platform, ctx.workspace_id, ctx.channel_id, cmd.round_id)
    facts = rt.round_hints.get(target)
    for _attempt in range(3):  # a stale hint costs one more round trip; a third means churn
        prepared = await _prepare(rt, facts, cmd, text) if facts is not None else None
        graded = prepared if isinstance(prepared, Graded) else None
        if rt.answer_batcher is not None:
            submitted = await rt.answer_batcher.submit(
                target, ctx.user_id, ctx.display_name, graded, rt.clock.now()
            )
        else:
            work = answer_store.submit(target, ctx.user_id, ctx.display_name, graded, rt.clock.now())
            submitted = await unit.run(rt.engine, work, write=True)
        if submitted.round is not None:
            rt.round_hints.remember(target, submitted.round)
        if submitted.outcome is not Outcome.UNGRADED:
            return await _reply(rt, submitted, graded, text)
        if isinstance(prepared, str) and facts == submitted.round:
            return error(prepared)  # the round is open, and the answer does not fit it
        facts = submitted.round
    return error("Today's question is changing right now; try again in a moment.")


async def _reply(rt: Runtime, submitted: Submitted, graded: Graded | None, text: str) -> Reply:
    facts = submitted.round
    if submitted.outcome is Outcome.NO_ROUND or facts is None:
        return error(NO_ROUND)
    if submitted.outcome is Outcome.POSTING:
        return error("Today's question is being posted right now; try again in a moment.")
    if submitted.outcome is Outcome.CLOSED:
        return await _closed_reply(rt, facts, submitted.prior)
    if submitted.outcome is Outcome.LOCKED:
        prior = submitted.prior
        picked = LETTERS[prior.choice] if prior is not None and prior.choice is not None else "?"
        return error(f"Your pick is locked: you chose {picked}. Results come at the reveal.")
    if graded is not None and graded.choice is not None:
        options, _correct = quiz_options(await _question(rt.engine, rt.bank, facts), facts.seed)
        return notice(
            f"Locked in {LETTERS[graded.choice]}: {options[graded.choice]}\nResults come at the reveal.",
            Tone.SUCCESS,
            title="Pick received",
        )
    reveal = format_local(facts.reveal_at, facts.timezone)
    return notice(
        f"Saved your answer: \u201c{text}\u201d\nYou can change it until the reveal ({reveal}); "
        "your grade is shown then.",
        Tone.SUCCESS,
        title="Answer received",
    )


async def _closed_reply(rt: Runtime, facts: RoundFacts, answer: PriorAnswer | None) -> Reply:
    question = await _question(rt.engine, rt.bank, facts)
    if facts.state == round_store.SKIPPED:
        return error("That question was skipped by an admin; answers are closed.")
    mine = ""
    if answer is not None:
        mine = f" Your answer was graded {answer.verdict} ({answer.points} points)."
        if answer.feedback:
            mine += f"\nJudge's feedback: {answer.feedback}"
    return notice(
        f"Answers are closed: the answer was revealed.{mine}\nReference answer: {question.answer}",
        title=question.question,
        outcome=ReplyOutcome.CLOSED,
    )


async def show_today(rt: Runtime, ctx: Context, _cmd: ShowToday) -> Reply:
    """The channel's open daily question, privately (so a late joiner can answer); reads only."""
    async with rt.engine.connect() as conn:
        channel = await channel_store.get_channel(conn, ctx.channel)
        round_row = await round_store.latest_round(conn, channel.id) if channel is not None else None
    if channel is None or round_row is None or round_row.state != round_store.OPEN:
        return error(NO_ROUND)
    question = await round_question(rt.engine, rt.bank, round_row.channel_pk, round_row.question_id)
    return Reply((question_card(round_row, question, timezone=channel.timezone),))
