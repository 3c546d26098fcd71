"""``daily set ... banks a,b``: checking the banks a channel asks for, and showing them."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import DEFAULT, chosen_banks, missing_banks, union
from bot.bank.model import Bank
from bot.cards import TableCard
from bot.context import Context


async def banks_for(
    conn: AsyncConnection, bundled: Bank, ctx: Context, channel_pk: int, wanted: tuple[str, ...] | None
) -> tuple[tuple[str, ...], Bank] | str:
    """The bank names a channel will draw from (``wanted``, or what it has) and their questions
    together; or an error message naming what is accepted. Nothing is written here."""
    names = wanted if wanted is not None else await chosen_banks(conn, channel_pk)
    missing = await missing_banks(conn, ctx.platform, ctx.workspace_id, names)
    if missing and wanted is None:  # a bank removed since: keep the rest
        names = tuple(name for name in names if name not in missing) or DEFAULT
    elif missing:
        return (
            f"No bank named {', '.join(repr(m) for m in missing)} here. "
            "Use builtin (the bundled bank) and names from `bank list`, separated by commas."
        )
    return names, await union(conn, bundled, ctx.platform, ctx.workspace_id, names)


def with_banks(card: TableCard, names: tuple[str, ...]) -> TableCard:
    """The schedule table with a ``banks`` row when the channel draws from more than the bundled bank."""
    if names == DEFAULT:
        return card
    return dataclasses.replace(card, rows=(*card.rows, ("banks", ", ".join(names))))
