"""What every use case needs, bundled once: database, bank, the daily controls, clock, defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.bank.model import Bank
from bot.context import Context
from bot.daily.answer_batch import AnswerBatcher
from bot.daily.controls import DailyControls
from bot.ports import Clock, Groups, Messenger, Notifier, Roles
from bot.store import channels as channel_store
from bot.store.answers import RoundHints
from bot.store.channels import Channel
from bot.store.users import ensure_user


@dataclass(frozen=True)
class Runtime:
    """Dependencies of the use cases. Built once at start by ``bot.app``."""

    engine: AsyncEngine
    bank: Bank
    daily: DailyControls  # what ``daily now|reveal|skip|resume`` may ask of the daily engine
    messenger: Messenger
    clock: Clock
    default_timezone: str = "UTC"
    notifier: Notifier | None = None  # private messages to one member (moderation outcomes)
    roles: Roles | None = None  # Discord roles for champions and streak milestones
    groups: Groups | None = None  # members of a Discord role / Slack user group (``team add``)
    round_hints: RoundHints = field(default_factory=RoundHints)  # which round an answer goes to
    answer_batcher: AnswerBatcher | None = None  # group commit for answers (SQLite); None: one each

    async def channel(self, conn: AsyncConnection, ctx: Context) -> Channel:
        """The caller's channel (created on first use)."""
        return await channel_store.ensure_channel(conn, ctx.channel, self.default_timezone, self.clock.now())

    async def user(self, conn: AsyncConnection, ctx: Context) -> int:
        """The caller's user id (created on first use)."""
        return await ensure_user(conn, ctx, self.clock.now())
