"""A player's own grade of a revealed round ("My grade"), and the last grades ``stats`` lists.

Only the caller's own answer is ever shown; the key points found and missed are the ones stored
when the answer was graded, so the view does not change when the bank does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
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
from bot.store.tables import channels, rounds

APPEAL_WINDOW = timedelta(days=1)
RECENT_SHOWN = 5
LETTERS = "ABCD"
NO_REVEALED = "No daily question has been revealed in this channel yet, so there is no grade to show."


async def revealed_round(conn: AsyncConnection, ctx: Context, round_id: int | None) -> Row[Any] | None:
    """The round a player means: the given id if it is a round of the caller's workspace (a crafted
    id from elsewhere looks like no round), else the channel's latest revealed (scored) round, or,
    typed in the thread of a daily post, that post's round."""
    statement = select(rounds, channels.c.platform, channels.c.workspace_id).join(
        channels, channels.c.id == rounds.c.channel_pk
    )
    if round_id is None:
        channel = await channel_store.get_channel(conn, ctx.channel)
        if channel is None:
            # typed in the thread of a daily post: on Discord that thread has the post's id
            return (
                await conn.execute(_in_workspace(statement, ctx).where(rounds.c.message_id == ctx.channel_id))
            ).first()
        statement = (
            statement.where(rounds.c.channel_pk == channel.id, rounds.c.scored.is_(True))
            .order_by(rounds.c.id.desc())
            .limit(1)
        )
    elif not appeal_store.storable(round_id):
        return None
    else:
        statement = _in_workspace(statement, ctx).where(rounds.c.id == round_id)
    return (await conn.execute(statement)).first()


def _in_workspace(statement: Any, ctx: Context) -> Any:
    return statement.where(channels.c.platform == ctx.platform, channels.c.workspace_id == ctx.workspace_id)


def appeal_open_until(answer: Row[Any]) -> datetime | None:
    """Until when the answer can be appealed; None while its round is not revealed.

    A round counts as revealed once it is scored (its reveal reply may still be on its way; it
    then counts from the moment the reveal was due)."""
    if not answer.scored:
        return None
    revealed: datetime = answer.revealed_at or answer.reveal_at
    return revealed + APPEAL_WINDOW


def _status(answer: Row[Any], changes: list[Row[Any]]) -> str:
    if answer.appeal_state == appeal_store.OPEN:
        return f"Under appeal (#{answer.appeal_id}): an admin of this channel will decide."
    if changes:
        last = changes[-1]
        how = "on appeal" if last.appeal_id is not None else "by an admin"
        note = f" Note: {last.note}" if last.note else ""
        return f"Changed {how} from {last.verdict_before} to {last.verdict_after}.{note}"
    if answer.appeal_state == appeal_store.REJECTED:
        note = f" Note: {answer.appeal_note}" if answer.appeal_note else ""
        return f"Your appeal (#{answer.appeal_id}) was rejected; the grade stands.{note}"
    return ""


def _note(text: str, question: Question) -> str:
    """Why a written answer graded lower than its key points: a misconception it states."""
    why = stated_misconception(
        text, question.misconceptions, key_points=question.key_points, question=question.question
    )
    return why[:1].upper() + why[1:]


def grade_card(question: Question, answer: Row[Any], changes: list[Row[Any]], now: datetime) -> MyGradeCard:
    """The "My grade" card of an answer to ``question``; an Appeal button while an appeal is possible."""
    quiz = answer.choice is not None
    if quiz:
        options, _ = quiz_options(question, int(answer.seed))
        picked = options[answer.choice] if answer.choice < len(options) else "?"
        text = f"{LETTERS[answer.choice]}. {picked}" if answer.choice < len(LETTERS) else picked
    else:
        text = str(answer.text or "")
    points = appeal_store.decode_key_points(answer.key_points)
    actions: tuple[Action, ...] = ()
    until = appeal_open_until(answer)
    if answer.appeal_id is None and until is not None and now < until:
        actions = (Action(ActionKind.APPEAL, "Appeal", str(answer.round_id)),)
    return MyGradeCard(
        round_id=int(answer.round_id),
        question=question.question,
        answer=text,
        verdict=str(answer.verdict),
        points=int(answer.points),
        found=tuple(label for label, hit in points if hit),
        missed=tuple(label for label, hit in points if not hit),
        quiz=quiz,
        status=_status(answer, changes),
        actions=actions,
        feedback=str(answer.feedback or ""),
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
        answer = await appeal_store.answer_of(conn, int(round_row.id), user_pk)
        if answer is None:
            return error(f"You did not answer round #{round_row.id}, so there is no grade to show.")
        changes = await appeal_store.changes_of(conn, int(answer.id))
        question = await workspace_question(conn, rt.bank, ctx.platform, ctx.workspace_id, answer.question_id)
    return Reply((grade_card(question, answer, changes, rt.clock.now()),))


async def recent_grades(rt: Runtime, conn: AsyncConnection, user_pk: int) -> tuple[RecentGrade, ...]:
    """The user's last graded dailies (date, question, verdict, points), newest first."""
    rows = await appeal_store.recent_grades(conn, user_pk, RECENT_SHOWN)
    grades = []
    for row in rows:
        question = await practice_question(conn, rt.bank, user_pk, row.question_id)
        text = question.question if question else question_or_placeholder(rt.bank, row.question_id).question
        grades.append(RecentGrade(str(row.local_date), text, str(row.verdict), int(row.points)))
    return tuple(grades)
