"""``privacy quote on|off``: may the reveal quote a member's best answers (``bot.standings.quotes``)."""

from __future__ import annotations

from bot.cards import Reply, Tone, notice
from bot.commands import SetQuotePrivacy
from bot.context import Context
from bot.runtime import Runtime
from bot.store.quote_optouts import allow_quotes, forbid_quotes


async def set_quote_privacy(rt: Runtime, ctx: Context, cmd: SetQuotePrivacy) -> Reply:
    """Allow or forbid quoting the caller's answers at reveals (every channel of the workspace)."""
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        if cmd.allow:
            await allow_quotes(conn, user_pk)
        else:
            await forbid_quotes(conn, user_pk, rt.clock.now())
    if cmd.allow:
        return notice(
            "Your best answers may be quoted at reveals again. `privacy quote off` stops it.", Tone.SUCCESS
        )
    return notice(
        "Your answers will not be quoted at reveals (your name can still appear among the best). "
        "`privacy quote on` allows it again.",
        Tone.SUCCESS,
    )
