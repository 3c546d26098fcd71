"""A player's own grade of a revealed round ("My grade"), and the last grades ``stats`` lists.

Only the caller's own answer is ever shown; the key points found and missed are the ones stored
when the answer was graded, so the view does not change when the bank does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import practice_question, workspace_question
from bot.bank.grading import stated_misconception
from bot.bank.model import Question
from bot.cards import Action, ActionKind, MyGradeCard, RecentGrade, Reply, error
from bot.commands import ShowMyGrade
from bot.context import Context
from bot.daily.picker import quiz_options
from bot.daily.posts import question_or_placeholder
from bot.runtime import Runtime
from bot.store import appeals as appeal_store
from bot.store import channels as channel_store
from bot.store import grade_changes as change_store
from bot.store import revealed_rounds as round_lookup
from bot.store.appeals import AppealState, ScopedAnswer
from bot.store.grade_changes import GradeChange
from bot.store.revealed_rounds import RoundRef

APPEAL_WINDOW = timedelta(days=1)
RECENT_SHOWN = 5
LETTERS = "ABCD"
NO_REVEALED = "No daily question has been revealed in this channel yet, so there is no grade to show."


async def revealed_round(conn: AsyncConnection, ctx: Context, round_id: int | None) -> RoundRef | None:
    """The round a player means: the given id if it is a round of the caller's workspace (a crafted
    id from elsewhere looks like no round), else the channel's latest revealed (scored) round, or,
    typed in the thread of a daily post, that post's round."""
    if round_id is not None:
        return await round_lookup.round_in_workspace(conn, ctx.platform, ctx.workspace_id, round_id)
    channel = await channel_store.get_channel(conn, ctx.channel)
    if channel is None:
        # typed in the thread of a daily post: on Discord that thread has the post's id
        return await round_lookup.round_of_post(conn, ctx.platform, ctx.workspace_id, ctx.channel_id)
    return await round_lookup.last_revealed(conn, int(channel.id))


def appeal_open_until(answer: ScopedAnswer) -> datetime | None:
    """Until when the answer can be appealed; None while its round is not revealed.

    A round counts as revealed once it is scored (its reveal reply may still be on its way; it
    then counts from the moment the reveal was due)."""
    if not answer.scored:
        return None
    revealed = answer.revealed_at or answer.reveal_at
    return revealed + APPEAL_WINDOW


def _status(answer: ScopedAnswer, changes: list[GradeChange]) -> str:
    appeal = answer.appeal
    if appeal is not None and appeal.state is AppealState.OPEN:
        return f"Under appeal (#{appeal.id}): an admin of this channel will decide."
    if changes:
        last = changes[-1]
        how = "on appeal" if last.appeal_id is not None else "by an admin"
        note = f" Note: {last.note}" if last.note else ""
        return f"Changed {how} from {last.verdict_before} to {last.verdict_after}.{note}"
    if appeal is not None and appeal.state is AppealState.REJECTED:
        note = f" Note: {appeal.note}" if appeal.note else ""
        return f"Your appeal (#{appeal.id}) was rejected; the grade stands.{note}"
    return ""


def _note(text: str, question: Question) -> str:
    """Why a written answer graded lower than its key points: a misconception it states."""
    why = stated_misconception(
        text, question.misconceptions, key_points=question.key_points, question=question.question
    )
    return why[:1].upper() + why[1:]


def grade_card(
    question: Question, answer: ScopedAnswer, changes: list[GradeChange], now: datetime
) -> MyGradeCard:
    """The "My grade" card of an answer to ``question``; an Appeal button while an appeal is possible."""
    quiz = answer.choice is not None
    if answer.choice is not None:
        options, _ = quiz_options(question, answer.seed)
        picked = options[answer.choice] if answer.choice < len(options) else "?"
        text = f"{LETTERS[answer.choice]}. {picked}" if answer.choice < len(LETTERS) else picked
    else:
        text = answer.text or ""
    points = answer.key_points
    actions: tuple[Action, ...] = ()
    until = appeal_open_until(answer)
    if answer.appeal is None and until is not None and now < until:
        actions = (Action(ActionKind.APPEAL, "Appeal", str(answer.round_id)),)
    return MyGradeCard(
        round_id=answer.round_id,
        question=question.question,
        answer=text,
        verdict=answer.verdict.value,
        points=answer.points,
        found=tuple(label for label, hit in points if hit),
        missed=tuple(label for label, hit in points if not hit),
        quiz=quiz,
        status=_status(answer, changes),
        actions=actions,
        feedback=answer.feedback or "",
        note="" if quiz else _note(text, question),
    )


async def show_my_grade(rt: Runtime, ctx: Context, cmd: ShowMyGrade) -> Reply:
    """The caller's verdict, key points found and missed, and points of a revealed round."""
    async with rt.engine.begin() as conn:
        round_row = await revealed_round(conn, ctx, cmd.round_id)
        if round_row is None:
            return error(NO_REVEALED if cmd.round_id is None else f"There is no round #{cmd.round_id} here.")
        if not round_row.scored:
            return error("That question is not revealed yet: grades are shown at the reveal.")
        user_pk = await rt.user(conn, ctx)
        answer = await appeal_store.answer_of(conn, round_row.id, user_pk)
        if answer is None:
            return error(f"You did not answer round #{round_row.id}, so there is no grade to show.")
        changes = await change_store.changes_of(conn, answer.id)
        question = await workspace_question(conn, rt.bank, ctx.platform, ctx.workspace_id, answer.question_id)
    return Reply((grade_card(question, answer, changes, rt.clock.now()),))


async def recent_grades(rt: Runtime, conn: AsyncConnection, user_pk: int) -> tuple[RecentGrade, ...]:
    """The user's last graded dailies (date, question, verdict, points), newest first."""
    grades = []
    for past in await change_store.recent_grades(conn, user_pk, RECENT_SHOWN):
        question = await practice_question(conn, rt.bank, user_pk, past.question_id)
        text = question.question if question else question_or_placeholder(rt.bank, past.question_id).question
        grades.append(RecentGrade(past.local_date, text, past.verdict.value, past.points))
    return tuple(grades)
