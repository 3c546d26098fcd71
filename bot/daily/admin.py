"""A channel's daily schedule: ``daily set`` and ``daily status|pause|resume|now|reveal|skip|off``."""

from __future__ import annotations

from datetime import datetime

from bot.bank import selection as bank_selection
from bot.bank.catalog import choose_banks, draw_bank
from bot.cards import Reply, TableCard, Tone, error, notice
from bot.commands import ConfigureDaily, DailyAction, ManageDaily
from bot.context import Context
from bot.daily.controls import Outcome
from bot.daily.picker import left_in_cycle, pool_for, running_low
from bot.daily.posts import format_local
from bot.daily.quiz_notice import empty_pool_message, skipped_notices
from bot.daily.schedule import Schedule
from bot.daily.schedule_rules import next_post_for, next_step, reveal_problem
from bot.runtime import Runtime
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store.channels import Channel
from bot.store.rounds import RoundState
from bot.text.timeparse import format_days, format_duration


def _difficulty(wanted: str | None, current: str | None) -> str | None:
    if wanted is None:
        return current
    return None if wanted == "any" else wanted


async def configure_daily(rt: Runtime, ctx: Context, cmd: ConfigureDaily) -> Reply:
    """Schedule the caller's channel (admin). Options left out keep their stored value (after
    ``daily off`` too); a channel never scheduled starts from the defaults. Unknown topics or banks,
    a reveal that would not come before the next post, or empty filters change nothing."""
    async with rt.engine.begin() as conn:
        channel = await rt.channel(conn, ctx)
        current = Schedule.from_channel(channel)
        chosen = await bank_selection.banks_for(conn, rt.bank, ctx, channel.id, cmd.banks)
        if isinstance(chosen, str):
            return error(chosen)
        names, bank = chosen
        topics: list[str] = []
        for wanted in cmd.topics or ():
            found = bank.find_topic(wanted)
            if found is None:
                return error(bank.topic_problem(wanted))
            topics.append(found)
        schedule = Schedule(
            post_time=cmd.post_time,
            timezone=cmd.timezone or current.timezone,
            days=cmd.days if cmd.days is not None else current.days,
            reveal_after=cmd.reveal_after if cmd.reveal_after is not None else current.reveal_after,
            mode=cmd.mode or current.mode,
            topics=tuple(topics) if cmd.topics is not None else current.topics,
            difficulty=_difficulty(cmd.difficulty, current.difficulty),
        )
        problem = reveal_problem(schedule)
        if problem:
            return error(problem)
        pool = pool_for(bank, schedule.topics, schedule.difficulty, schedule.mode)
        if not pool:
            return error(empty_pool_message(rt.bank, schedule))
        next_post = await next_post_for(conn, channel.id, schedule, rt.clock.now())
        if cmd.banks is not None:
            await choose_banks(conn, channel.id, names)
        await channel_store.update_channel(
            conn,
            channel.id,
            scheduled=True,
            paused=False,
            next_post_at=next_post,
            failures=0,
            failing_since=None,
            last_error=None,
            **schedule.to_row(),
        )
    rt.daily.changed()
    card = notice_schedule("Daily question scheduled", schedule, next_post, len(pool))
    return Reply(
        (bank_selection.with_banks(card, names), *skipped_notices(rt.bank, schedule)), ephemeral=True
    )


def notice_schedule(title: str, schedule: Schedule, next_post: datetime | None, pool: int) -> TableCard:
    """A table describing a schedule and its next post."""
    rows = [
        ("time", f"{schedule.post_time:%H:%M} {schedule.timezone}"),
        ("days", format_days(schedule.days)),
        ("reveal", f"after {format_duration(schedule.reveal_after)}"),
        ("mode", schedule.mode),
        ("topics", ", ".join(schedule.topics) or "all"),
        ("difficulty", schedule.difficulty or "any"),
        ("questions", str(pool)),
    ]
    if next_post is not None:
        rows.append(
            ("next post", f"{format_local(next_post, schedule.timezone)} ({next_post:%Y-%m-%d %H:%M} UTC)")
        )
    return TableCard(title, ("setting", "value"), tuple(rows))


async def manage_daily(rt: Runtime, ctx: Context, cmd: ManageDaily) -> Reply:
    """Dispatch the ``daily`` verbs other than ``set``."""
    if cmd.action is DailyAction.STATUS:
        return await daily_status(rt, ctx)
    async with rt.engine.begin() as conn:
        channel = await rt.channel(conn, ctx)
    handlers = {
        DailyAction.PAUSE: _pause,
        DailyAction.RESUME: _resume,
        DailyAction.OFF: _off,
        DailyAction.NOW: _now,
        DailyAction.REVEAL: _reveal,
        DailyAction.SKIP: _skip,
    }
    reply = await handlers[cmd.action](rt, channel)
    rt.daily.changed()
    return reply


async def daily_status(rt: Runtime, ctx: Context) -> Reply:
    """Schedule, next post in local time and UTC, questions left in the cycle, open round, errors."""
    async with rt.engine.begin() as conn:
        channel = await rt.channel(conn, ctx)
        latest = await round_store.latest_round(conn, channel.id)
        used = await round_store.used_questions(conn, channel.id, channel.cycle)
        bank = await draw_bank(conn, rt.bank, channel)
    if not channel.scheduled:
        return notice(
            "This channel has no daily question. An admin can start one with `daily set 09:30 Europe/Berlin`."
        )
    schedule = Schedule.from_channel(channel)
    pool = pool_for(bank, schedule.topics, schedule.difficulty, schedule.mode)
    left = left_in_cycle(pool, used)
    card = notice_schedule(
        "Daily question", schedule, None if channel.paused else channel.next_post_at, len(pool)
    )
    extra = [
        ("state", "paused" if channel.paused else "active"),
        (
            "left in cycle",
            f"{left} of {len(pool)}" + (" (running low)" if running_low(left, len(pool)) else ""),
        ),
    ]
    if latest is not None and latest.state in (RoundState.OPEN, RoundState.CLAIMED):
        extra.append(
            ("open round", f"#{latest.id}, reveal {format_local(latest.reveal_at, schedule.timezone)}")
        )
    if channel.last_error:
        extra.append(("last error", f"{channel.last_error} (failures: {channel.failures})"))
    return Reply((TableCard(card.title, card.columns, card.rows + tuple(extra)),))


async def _pause(rt: Runtime, channel: Channel) -> Reply:
    if not channel.scheduled:
        return error("This channel has no daily question to pause.")
    async with rt.engine.begin() as conn:
        await channel_store.update_channel(conn, channel.id, paused=True)
    return notice("Daily question paused. `daily resume` starts it again.", Tone.SUCCESS)


async def _resume(rt: Runtime, channel: Channel) -> Reply:
    if not channel.scheduled:
        return error("This channel has no daily question; set one with `daily set HH:MM`.")
    next_post = await rt.daily.resume(channel)
    return notice(
        f"Daily question resumed; next post {format_local(next_post, channel.timezone)}.", Tone.SUCCESS
    )


async def _off(rt: Runtime, channel: Channel) -> Reply:
    async with rt.engine.begin() as conn:
        latest = await round_store.latest_round(conn, channel.id)
        await channel_store.update_channel(conn, channel.id, scheduled=False, next_post_at=None)
    still_open = ""
    if latest is not None and latest.state in (RoundState.OPEN, RoundState.CLAIMED):
        when = format_local(latest.reveal_at, channel.timezone)
        still_open = f" The open question is still revealed on time ({when})."
    return notice(
        f"Daily question turned off.{still_open} `daily set HH:MM` starts it again with the same settings.",
        Tone.SUCCESS,
    )


async def _now(rt: Runtime, channel: Channel) -> Reply:
    """Post today's round now; it counts as today's, so the scheduled time does not post again."""
    outcome = await rt.daily.post_now(channel)
    if outcome is Outcome.ALREADY_OPEN:
        return error(
            "Today's question is already posted here and still open. `daily skip` replaces it; "
            "`daily reveal` reveals it now."
        )
    if outcome is Outcome.ALREADY_DONE:
        return error(
            "Today's question was already posted and revealed here; there is one daily question "
            f"a day. {next_step(channel)} `question` gives you a practice question meanwhile."
        )
    if outcome is Outcome.PENDING:
        return error(
            "The question could not be posted yet; it will be retried automatically. "
            "`daily status` shows the last error."
        )
    return notice("Posted today's question.", Tone.SUCCESS)


async def _reveal(rt: Runtime, channel: Channel) -> Reply:
    outcome = await rt.daily.reveal_now(channel)
    if outcome is Outcome.NOTHING_OPEN:
        return error("There is no open question to reveal in this channel.")
    if outcome is Outcome.PENDING:
        return error("The reveal could not be completed yet; it will be retried automatically.")
    async with rt.engine.connect() as conn:
        fresh = await channel_store.get_channel_by_pk(conn, channel.id)
    return notice(f"Revealed the answer. {next_step(fresh)}", Tone.SUCCESS)


async def _skip(rt: Runtime, channel: Channel) -> Reply:
    """Close the open round unscored and post a replacement question."""
    outcome = await rt.daily.skip(channel)
    if outcome is Outcome.NOTHING_OPEN:
        return error("There is no open question to skip in this channel.")
    if outcome is Outcome.PENDING:
        return notice("Skipped the question; the replacement will be posted shortly.", Tone.SUCCESS)
    return notice("Skipped the question and posted a new one.", Tone.SUCCESS)
