"""Appeals and regrades: a player contests a grade; admins of the workspace decide or regrade.

Rules: an appeal needs a reason, is possible within a day of the reveal, and once per answer
(unique in the schema; a decided appeal is final, an admin can still regrade). Every id an admin
gives (appeal, answer, round) must belong to the caller's workspace; one from elsewhere gets
the same answer as an id that does not exist. See ``bot.grades.regrade`` for what a change recomputes.
"""

from __future__ import annotations

import logging

from bot.bank.grading import Verdict
from bot.cards import Reply, TableCard, Tone, error, notice
from bot.commands import AppealGrade, DecideAppeal, Decision, ListAnswers, ListAppeals, Regrade
from bot.context import Context
from bot.daily.posts import format_local
from bot.grades.my_grade import NO_REVEALED, appeal_open_until, revealed_round
from bot.grades.regrade import (
    ChangeConflict,
    apply_change,
    change_notice,
    player_of,
    question_text,
    rejection_notice,
    tell_player,
)
from bot.runtime import Runtime
from bot.store import appeals as appeal_store
from bot.store import channels as channel_store
from bot.store.appeals import AppealState, ScopedAnswer

log = logging.getLogger(__name__)

MAX_REASON = 500
MAX_NOTE = 300
VERDICTS = ", ".join(v.value for v in Verdict)
CONFLICT = "That answer was changed by someone else just now; nothing was written. Look again."
OWN = "That is your own answer: another admin of this workspace has to decide it. Nothing was changed."


def _in_workspace(answer: ScopedAnswer, ctx: Context) -> bool:
    return (answer.platform, answer.workspace_id) == (ctx.platform, ctx.workspace_id)


async def appeal(rt: Runtime, ctx: Context, cmd: AppealGrade) -> Reply:
    """File the caller's appeal of their grade of a revealed round."""
    reason = " ".join(cmd.reason.split())
    if not reason:
        return error("Say why your answer deserves another grade: `appeal <reason>`.")
    if len(reason) > MAX_REASON:
        return error(f"Keep the reason under {MAX_REASON} characters; yours has {len(reason)}.")
    now = rt.clock.now()
    async with rt.engine.begin() as conn:
        round_row = await revealed_round(conn, ctx, cmd.round_id)
        if round_row is None:
            return error(NO_REVEALED if cmd.round_id is None else f"There is no round #{cmd.round_id} here.")
        if not round_row.scored:
            return error("You can appeal once the answer is revealed; grades are shown then.")
        answer = await appeal_store.answer_of(conn, round_row.id, await rt.user(conn, ctx))
        if answer is None:
            return error(f"You did not answer round #{round_row.id}, so there is no grade to appeal.")
        if answer.appeal is not None:
            return error(
                f"You already appealed this grade (appeal #{answer.appeal.id}, {answer.appeal.state})."
            )
        until = appeal_open_until(answer)
        if until is None or now >= until:
            return error("Appeals close a day after the reveal; this one can no longer be appealed.")
        appeal_id = await appeal_store.insert_appeal(conn, answer.id, reason, answer.verdict, now)
        if appeal_id is None:
            return error("You already appealed this grade.")
    log.info("appeal %s filed on answer %s by %s:%s", appeal_id, answer.id, ctx.platform, ctx.user_id)
    return notice(
        f"Appeal #{appeal_id} filed for round #{answer.round_id} (now {answer.verdict}, "
        f"{answer.points} points). An admin of this channel will decide; you will be told privately.",
        Tone.SUCCESS,
        title="Appeal filed",
    )


async def list_appeals(rt: Runtime, ctx: Context, _cmd: ListAppeals) -> Reply:
    """The open appeals of this channel, oldest first, with what to type to decide them."""
    async with rt.engine.connect() as conn:
        channel = await channel_store.get_channel(conn, ctx.channel)
        rows = await appeal_store.open_appeals(conn, channel.id) if channel is not None else []
    timezone = channel.timezone if channel is not None else "UTC"
    table_rows = tuple(
        (
            f"#{appeal.id}",
            f"{row.display_name} · round #{row.round_id} ({row.local_date}) · answer #{row.id}",
            f"{row.verdict}, {row.points} pts",
            f"\u201c{_clip(row.text or _pick(row.choice), 200)}\u201d",
            f"reason: {appeal.reason}",
            f"filed {format_local(appeal.filed_at, timezone)}",
        )
        for row in rows
        if (appeal := row.appeal) is not None
    )
    return Reply(
        (
            TableCard(
                "Open appeals",
                ("appeal", "who", "grade", "answer", "reason", "filed"),
                table_rows,
                footer=(
                    "Decide with: daily accept <appeal> strong|partial|missed [note], "
                    "or daily reject <appeal> [note]."
                    if rows
                    else "No open appeals in this channel."
                ),
            ),
        )
    )


def _pick(choice: int | None) -> str:
    return f"option {'ABCD'[choice]}" if choice is not None and 0 <= choice < 4 else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _verdict(value: str | None) -> Verdict | None:
    try:
        return Verdict((value or "").lower())
    except ValueError:
        return None


async def decide(rt: Runtime, ctx: Context, cmd: DecideAppeal) -> Reply:
    """Accept an appeal with a new verdict (points and standings change) or reject it."""
    note = " ".join(cmd.note.split())[:MAX_NOTE]
    verdict = _verdict(cmd.verdict)
    if cmd.decision is Decision.ACCEPT and verdict is None:
        return error(
            f"Accepting needs the new verdict: daily accept {cmd.appeal_id} {VERDICTS.replace(', ', '|')}."
        )
    now = rt.clock.now()
    try:
        async with rt.engine.begin() as conn:
            row = await appeal_store.appeal_by_id(conn, cmd.appeal_id)
            if row is None or not _in_workspace(row, ctx):
                return error(
                    f"There is no appeal #{cmd.appeal_id} in this workspace. `daily appeals` lists them."
                )
            if row.user_id == ctx.user_id:
                return error(OWN)
            assert row.appeal is not None  # found by its appeal
            if row.appeal.state is not AppealState.OPEN:
                return error(f"Appeal #{cmd.appeal_id} was already {row.appeal.state}.")
            if verdict is row.verdict:
                return error(
                    f"The answer is already {row.verdict}. Pick another verdict, or reject the appeal."
                )
            state = AppealState.ACCEPTED if cmd.decision is Decision.ACCEPT else AppealState.REJECTED
            closed = await appeal_store.close_appeal(
                conn,
                cmd.appeal_id,
                state=state,
                verdict_after=verdict,
                note=note,
                by=ctx.user_id,
                now=now,
            )
            if not closed:
                return error(f"Appeal #{cmd.appeal_id} was decided by someone else just now.")
            change = None
            if verdict is not None and cmd.decision is Decision.ACCEPT:
                change = await apply_change(
                    conn, row, verdict, by=ctx, note=note, appeal_id=cmd.appeal_id, now=now
                )
    except ChangeConflict:
        return error(CONFLICT)
    if change is None:
        log.info("appeal %s rejected by %s:%s", cmd.appeal_id, ctx.platform, ctx.user_id)
        told = await tell_player(
            rt, player_of(row), rejection_notice(await question_text(rt, row), row, note)
        )
        summary = f"Appeal #{cmd.appeal_id} rejected: {row.display_name}'s answer stays {row.verdict}."
    else:
        told = await tell_player(
            rt, player_of(row), change_notice(await question_text(rt, row), row, change, note, on_appeal=True)
        )
        summary = (
            f"Appeal #{cmd.appeal_id} accepted: {row.display_name}'s answer is now {change.verdict_after} "
            f"({change.points_before} \u2192 {change.points_after} points); leaderboards are updated."
        )
    return notice(summary + _told(told), Tone.SUCCESS, title="Appeal decided")


def _told(told: bool) -> str:
    return " They were told privately." if told else " They could not be told (see the log)."


async def regrade(rt: Runtime, ctx: Context, cmd: Regrade) -> Reply:
    """Set the verdict of any scored answer of this workspace (an open appeal on it is closed)."""
    verdict = _verdict(cmd.verdict)
    if verdict is None:
        return error(f"'{cmd.verdict[:20]}' is not a verdict: use {VERDICTS}.")
    note = " ".join(cmd.note.split())[:MAX_NOTE]
    now = rt.clock.now()
    try:
        async with rt.engine.begin() as conn:
            row = await appeal_store.answer_by_id(conn, cmd.answer_id)
            if row is None or not _in_workspace(row, ctx):
                return error(
                    f"There is no answer #{cmd.answer_id} in this workspace. `daily answers` lists them."
                )
            if not row.scored:
                return error("That round is not revealed yet; answers are regraded after the reveal.")
            if row.user_id == ctx.user_id:
                return error(OWN)
            if row.verdict is verdict:
                return error(f"Answer #{cmd.answer_id} is already {verdict.value}; nothing was changed.")
            open_appeal = row.appeal is not None and row.appeal.state is AppealState.OPEN
            appeal_id = row.appeal.id if row.appeal is not None and open_appeal else None
            if appeal_id is not None:
                await appeal_store.close_appeal(
                    conn,
                    appeal_id,
                    state=AppealState.ACCEPTED,
                    verdict_after=verdict,
                    note=note,
                    by=ctx.user_id,
                    now=now,
                )
            change = await apply_change(conn, row, verdict, by=ctx, note=note, appeal_id=appeal_id, now=now)
    except ChangeConflict:
        return error(CONFLICT)
    told = await tell_player(
        rt,
        player_of(row),
        change_notice(await question_text(rt, row), row, change, note, on_appeal=appeal_id is not None),
    )
    return notice(
        f"Answer #{cmd.answer_id} of {row.display_name} is now {change.verdict_after} "
        f"({change.points_before} \u2192 {change.points_after} points); leaderboards are updated."
        + _told(told),
        Tone.SUCCESS,
        title="Regraded",
    )


async def list_answers(rt: Runtime, ctx: Context, cmd: ListAnswers) -> Reply:
    """The answers of a revealed round of this workspace with their ids (for ``daily regrade``)."""
    async with rt.engine.connect() as conn:
        round_row = await revealed_round(conn, ctx, cmd.round_id)
        if round_row is None:
            return error(NO_REVEALED if cmd.round_id is None else f"There is no round #{cmd.round_id} here.")
        if not round_row.scored:
            return error("That round is not revealed yet; its answers are listed after the reveal.")
        rows = await appeal_store.round_answers(conn, round_row.id)
    table_rows = tuple(
        (
            f"#{row.id}",
            str(row.display_name),
            f"{row.verdict}, {row.points} pts"
            + (f" · appeal #{row.appeal.id} {row.appeal.state}" if row.appeal is not None else ""),
            f"\u201c{_clip(row.text or _pick(row.choice), 200)}\u201d",
        )
        for row in rows
    )
    return Reply(
        (
            TableCard(
                f"Answers of round #{round_row.id} ({round_row.local_date})",
                ("answer", "who", "grade", "text"),
                table_rows,
                footer="Regrade with: daily regrade <answer> strong|partial|missed [note]."
                if rows
                else "Nobody answered this round.",
            ),
        )
    )
