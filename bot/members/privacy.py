"""``privacy quote on|off``: may the reveal quote a member's best answers (``bot.standings.quotes``)."""

from __future__ import annotations

from sqlalchemy import delete

from bot.cards import Reply, Tone, notice
from bot.commands import SetQuotePrivacy
from bot.context import Context
from bot.runtime import Runtime
from bot.store.dialect import insert_ignore
from bot.store.tables import quote_optouts


async def set_quote_privacy(rt: Runtime, ctx: Context, cmd: SetQuotePrivacy) -> Reply:
    """Allow or forbid quoting the caller's answers at reveals (every channel of the workspace)."""
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        if cmd.allow:
            await conn.execute(delete(quote_optouts).where(quote_optouts.c.user_pk == user_pk))
        else:
            await insert_ignore(
                conn, quote_optouts, {"user_pk": user_pk, "created_at": rt.clock.now()}, ("user_pk",)
            )
    if cmd.allow:
        return notice(
            "Your best answers may be quoted at reveals again. `privacy quote off` stops it.", Tone.SUCCESS
        )
    return notice(
        "Your answers will not be quoted at reveals (your name can still appear among the best). "
        "`privacy quote on` allows it again.",
        Tone.SUCCESS,
    )
