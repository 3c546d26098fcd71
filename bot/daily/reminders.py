"""``remind on [30m]`` / ``remind off`` / ``remind``: opting in to a private reminder before the reveal.

Off by default. The setting belongs to the member in the channel where they typed it; the
reminders themselves are sent by ``bot.daily.reminder_fanout``.
"""

from __future__ import annotations

from datetime import timedelta

from bot.cards import Reply, Tone, notice
from bot.commands import Remind
from bot.context import Context
from bot.runtime import Runtime
from bot.store import reminders as store
from bot.text.timeparse import format_duration

DEFAULT_LEAD = timedelta(hours=1)


async def remind(rt: Runtime, ctx: Context, cmd: Remind) -> Reply:
    """Turn the caller's reminder in this channel on (with a lead) or off, or show it."""
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        channel = await rt.channel(conn, ctx)
        if cmd.on is None:
            lead_s = await store.get_lead(conn, user_pk, channel.id)
        elif cmd.on:
            lead = cmd.lead or DEFAULT_LEAD
            await store.set_lead(conn, user_pk, channel.id, int(lead.total_seconds()), rt.clock.now())
            return notice(
                f"Reminders on: when you have not answered the daily question here, I remind you "
                f"privately {format_duration(lead)} before the reveal. `remind off` stops them.",
                Tone.SUCCESS,
            )
        else:
            was_on = await store.clear(conn, user_pk, channel.id)
            return notice("Reminders off." if was_on else "Reminders were already off here.", Tone.SUCCESS)
    if lead_s is None:
        return notice("Reminders are off here. `remind on` (1 h before the reveal) or `remind on 30m`.")
    lead_text = format_duration(timedelta(seconds=lead_s))
    return notice(f"Reminders are on here: {lead_text} before the reveal. `remind off` stops them.")
