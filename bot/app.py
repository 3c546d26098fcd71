"""Assembling the core from settings: database, bank, rounds logic, service and timer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.model import Bank, load_bank
from bot.config import Settings
from bot.daily.engine import Rounds, RoundsConfig
from bot.daily.reminder_fanout import ReminderFanout
from bot.daily.timer import RoundsTimer
from bot.grades.judge_client import OpenAICompatibleJudge
from bot.grades.judging import JudgeConfig, RoundJudging
from bot.ports import (
    Clock,
    Groups,
    Judge,
    Messenger,
    Metrics,
    Notifier,
    Nudger,
    Roles,
    SystemClock,
    WarpClock,
)
from bot.runtime import Runtime
from bot.service import Service
from bot.standings.roles import RoleAwards
from bot.store.db import open_database


@dataclass
class App:
    """A running core: what adapters call (``service``) and what they start and stop."""

    engine: AsyncEngine
    bank: Bank
    rounds: Rounds
    service: Service
    timer: RoundsTimer
    judge: Judge | None = None

    async def start(self) -> None:
        """Start the timer; posts and reveals that came due while down go out now."""
        await self.timer.start()

    async def stop_timer(self, grace: float = 2.0) -> None:
        """Stop posting and revealing: work in flight gets ``grace`` seconds, then is left to its lease."""
        await self.timer.stop(grace)

    async def close(self) -> None:
        """Stop the timer and release the database."""
        await self.timer.stop()
        if self.judge is not None:
            await self.judge.close()
        await self.engine.dispose()


async def build_app(
    settings: Settings,
    messenger: Messenger,
    clock: Clock | None = None,
    bank: Bank | None = None,
    metrics: Metrics | None = None,
    judge: Judge | None = None,
    nudger: Nudger | None = None,
    notifier: Notifier | None = None,
    roles: Roles | None = None,
    groups: Groups | None = None,
) -> App:
    """Load the bank (raises ``BankError``), open and migrate the database (``StoreError``).

    ``judge`` overrides the judge of the settings (``DAILYQ_JUDGE_URL``; none by default).
    ``nudger`` (usually the messenger itself) sends the opt-in reminders; without it none are sent.
    ``notifier`` tells a submitter privately how moderation went; without it they learn on their
    next ``submit`` or ``bank mine``. ``roles`` (Discord) gives the champion and streak-milestone
    roles admins chose; without it ``daily roles`` says roles are a Discord feature. ``groups``
    lists a Discord role's or Slack user group's members for ``team add``.
    """
    bank = bank or load_bank(settings.questions)
    engine = await open_database(settings.database_url, pool_size=settings.db_pool)
    if clock is None:
        anchor = settings.time_anchor or datetime.now(UTC)
        clock = WarpClock(anchor, settings.time_scale) if settings.time_scale != 1 else SystemClock()
    rounds = Rounds(
        engine,
        bank,
        messenger,
        clock,
        RoundsConfig(
            catchup=settings.catchup,
            lease=settings.lease,
            elected=settings.dispatch == "elected",
            dispatcher_ttl=3 * settings.tick,
        ),
        metrics,
        judging=_judging(settings, engine, bank, clock, judge),
        reminders=ReminderFanout(engine, bank, nudger, clock, settings.lease) if nudger is not None else None,
    )
    timer = RoundsTimer(rounds, settings.tick, clock, settings.time_scale)
    rounds.on_change = timer.poke
    if roles is not None:
        rounds.champions.awards = RoleAwards(engine, roles, clock, settings.lease)
    runtime = Runtime(engine, bank, rounds, clock, settings.timezone, notifier, roles, groups)
    return App(
        engine,
        bank,
        rounds,
        Service(runtime, metrics),
        timer,
        rounds.judging.judge if rounds.judging else None,
    )


def _judging(
    settings: Settings, engine: AsyncEngine, bank: Bank, clock: Clock, judge: Judge | None
) -> RoundJudging | None:
    """The judge at the reveal, when one is given or configured; None (off) by default."""
    if judge is None and settings.judge_url:
        judge = OpenAICompatibleJudge(
            settings.judge_url,
            settings.judge_model,
            settings.judge_api_key,
            timeout=settings.judge_timeout.total_seconds(),
        )
    if judge is None:
        return None
    config = JudgeConfig(settings.judge_budget.total_seconds(), settings.judge_concurrency)
    return RoundJudging(engine, bank, judge, clock, config)
