"""Assembling the core from settings: database, bank, the daily engine, service and timer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.model import Bank, load_bank
from bot.config import Settings
from bot.daily.answer_batch import AnswerBatcher
from bot.daily.changes import Changes
from bot.daily.controls import Controls
from bot.daily.dispatch import Dispatcher
from bot.daily.failures import Failures
from bot.daily.policy import DailyConfig
from bot.daily.poster import Poster
from bot.daily.reminder_fanout import ReminderFanout
from bot.daily.revealer import Revealer
from bot.daily.timer import DispatchTimer
from bot.grades.judge_client import OpenAICompatibleJudge
from bot.grades.judging import JudgeConfig, RoundJudging
from bot.ports import (
    Clock,
    Groups,
    Judge,
    Messenger,
    Metrics,
    NoMetrics,
    Notifier,
    Nudger,
    Roles,
    SystemClock,
    WarpClock,
)
from bot.runtime import Runtime
from bot.service import Service
from bot.standings.champions import Champions
from bot.standings.roles import RoleAwards
from bot.store.db import open_database


@dataclass
class App:
    """A running core: what adapters call (``service``) and what they start and stop."""

    engine: AsyncEngine
    bank: Bank
    messenger: Messenger
    dispatcher: Dispatcher
    service: Service
    timer: DispatchTimer
    judging: RoundJudging | None = None  # the judge at the reveal, when one is configured
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
    config = DailyConfig(
        catchup=settings.catchup,
        lease=settings.lease,
        elected=settings.dispatch == "elected",
        dispatcher_ttl=3 * settings.tick,
    )
    changes = Changes()
    counted: Metrics = metrics or NoMetrics()
    failures = Failures(engine, clock, config, counted, changes)
    judging = _judging(settings, engine, bank, clock, judge)
    poster = Poster(
        engine,
        bank,
        messenger,
        clock,
        config,
        metrics=counted,
        failures=failures,
        changes=changes,
        judged=judging is not None,
    )
    revealer = Revealer(
        engine,
        bank,
        messenger,
        clock,
        config,
        metrics=counted,
        failures=failures,
        changes=changes,
        judging=judging,
    )
    awards = RoleAwards(engine, roles, clock, settings.lease) if roles is not None else None
    dispatcher = Dispatcher(
        engine,
        clock,
        config,
        poster=poster,
        revealer=revealer,
        champions=Champions(engine, messenger, clock, config, awards),
        changes=changes,
        reminders=ReminderFanout(engine, bank, nudger, clock, settings.lease) if nudger is not None else None,
    )
    timer = DispatchTimer(dispatcher, settings.tick, clock, settings.time_scale)
    changes.listen(timer.poke)
    controls = Controls(engine, clock, config, poster=poster, revealer=revealer, changes=changes)
    runtime = Runtime(
        engine,
        bank,
        controls,
        messenger,
        clock,
        settings.timezone,
        notifier,
        roles=roles,
        groups=groups,
        # SQLite has one connection per process: answers arriving together share a commit there.
        # PostgreSQL's pool runs them side by side, each one statement (bot/store/answers_folded.py).
        answer_batcher=AnswerBatcher(engine) if engine.dialect.name == "sqlite" else None,
    )
    return App(
        engine,
        bank,
        messenger,
        dispatcher,
        Service(runtime, metrics),
        timer,
        judging,
        judging.judge if judging else None,
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
