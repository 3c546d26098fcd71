"""The champion post at a season's end: once per scheduled channel, across restarts and processes.

With the first run of the dispatcher after a season ends in a channel's time zone (at the
latest the channel's first daily post of the new season), the channel's row in ``season_posts``
is claimed by inserting it (unique per channel and season) in its own transaction, and only
then is the post sent, with the idempotency key ``season-<channel>-<season>``. A sender that
dies leaves the row ``sending`` with a lease; when the lease expires another run (this process
after a restart, or another one) takes it and resends with ``resend=True``, so the platform
adapter adopts a post that did arrive instead of doubling it. Failures back off; a permanent
one (channel gone) or the fifth attempt gives up. A season with no points in the workspace gets
no post, nor does a channel created after the season ended, and a post is no longer started
more than a week into the new season (a bot that was down for long does not post old news).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.cards import TableCard
from bot.daily.policy import DailyConfig, champion_retry
from bot.ports import Clock, Messenger
from bot.standings.roles import RoleAwards
from bot.standings.seasons import (
    DEFAULT_LENGTH,
    SeasonLength,
    months,
    next_first_day,
    previous_season,
    season_of,
    title,
)
from bot.store import channels as channel_store
from bot.store import seasons as season_store
from bot.store import standings as standing_store
from bot.store import users as user_store
from bot.store.channels import Channel

log = logging.getLogger(__name__)

POST_WITHIN = timedelta(days=7)
SHOWN = 3  # ranks named in the post (ties share a rank, so there may be more names)


def season_end(key: str, timezone: str) -> datetime:
    """The moment a season ends in a time zone: local midnight of the next season's first day."""
    return datetime.combine(next_first_day(key), time(0), ZoneInfo(timezone))


def ended_season(now: datetime, timezone: str, length: SeasonLength) -> str | None:
    """The season that ended at most ``POST_WITHIN`` ago in this time zone, if any."""
    if length is SeasonLength.OFF:
        return None
    current = season_of(now.astimezone(ZoneInfo(timezone)).date(), length)
    previous = previous_season(current)
    return previous if now - season_end(previous, timezone) < POST_WITHIN else None


async def next_season_end(conn: AsyncConnection, now: datetime) -> datetime | None:
    """The next moment after ``now`` a season ends in a scheduled channel (the timer wakes then,
    so a champion post is not late until the next safety tick); None when seasons are off."""
    lengths = await season_store.lengths(conn)
    ends = []
    for platform, workspace_id, timezone in await channel_store.active_time_zones(conn):
        length = SeasonLength(lengths.get((platform, workspace_id), DEFAULT_LENGTH.value))
        if length is not SeasonLength.OFF:
            current = season_of(now.astimezone(ZoneInfo(timezone)).date(), length)
            ends.append(season_end(current, timezone))
    return min(ends) if ends else None


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Champions:
    """Posts each ended season's champions once in every scheduled channel."""

    def __init__(
        self,
        engine: AsyncEngine,
        messenger: Messenger,
        clock: Clock,
        config: DailyConfig,
        awards: RoleAwards | None = None,
    ) -> None:
        self.engine = engine
        self.messenger = messenger
        self.clock = clock
        self.config = config
        self.awards = awards  # champion and milestone roles, on a platform that has them (Discord)

    async def post_due(self) -> None:
        """Claim and send the champion posts that are due, and resume those whose sender died."""
        if self.awards is not None:
            try:
                await self.awards.grant_milestones()
            except Exception:  # roles never hold up the posts
                log.exception("streak-milestone roles failed")
        now = self.clock.now()
        if all((now + timedelta(days=d)).day - 1 >= POST_WITHIN.days for d in (-1, 0, 1)):
            return  # no season began in the last week in any time zone: nothing can be due
        until = now + self.config.lease
        async with self.engine.begin() as conn:
            due = await self._due(conn, now)
            claimed = []
            for channel_pk, season in due:
                post_id = await season_store.claim_post(conn, channel_pk, season, now, until)
                if post_id is not None:
                    claimed.append((post_id, channel_pk, season, 1))
        async with self.engine.begin() as conn:
            retaken = await season_store.retake_expired(conn, now, until)
        claimed += [(int(r.id), int(r.channel_pk), str(r.season), int(r.attempts)) for r in retaken]
        for post_id, channel_pk, season, attempt in claimed:
            await self._send(post_id, channel_pk, season, attempt)

    async def _due(self, conn: AsyncConnection, now: datetime) -> list[tuple[int, str]]:
        lengths = await season_store.lengths(conn)
        rows = await channel_store.active_channels(conn)
        candidates: list[tuple[Channel, str]] = []
        for row in rows:
            length = SeasonLength(lengths.get((row.platform, row.workspace_id), DEFAULT_LENGTH.value))
            season = ended_season(now, row.timezone, length)
            if season is not None and row.created_at < season_end(season, row.timezone):
                candidates.append((row, season))
        done = await season_store.claimed_posts(conn, [(int(r.id), s) for r, s in candidates])
        played: dict[tuple[str, str, str], bool] = {}
        due = []
        for row, season in candidates:
            if (int(row.id), season) in done:
                continue
            where = (row.platform, row.workspace_id, season)
            if where not in played:
                board = self._board(row, season)
                played[where] = (await season_store.totals(conn, board))[0] > 0
            if played[where]:
                due.append((int(row.id), season))
        return due

    @staticmethod
    def _board(channel: Channel, season: str) -> Any:
        return season_store.board_query(
            months=months(season),
            channel_pk=None,
            platform=channel.platform,
            workspace_id=channel.workspace_id,
        )

    async def card(
        self, conn: AsyncConnection, channel: Channel, season: str, role_problem: str | None = None
    ) -> TableCard:
        """The champion post: the workspace's top ranks of the season and its numbers (and, on
        Discord, what an admin should fix when the champion role could not be given)."""
        board = self._board(channel, season)
        top = await standing_store.top_rows(conn, board, 10)
        first = [int(r.user_pk) for r in top if top and int(r.points) == int(top[0].points)]
        players, answered, strong = await season_store.totals(conn, board)
        lines: list[tuple[str, ...]] = []
        rank = 0
        for position, row in enumerate(top, start=1):
            rank = rank if lines and int(lines[-1][2]) == int(row.points) else position
            if rank > SHOWN:
                break
            lines.append((str(rank), row.display_name, str(row.points), str(row.answers), str(row.strong)))
        where = "workspace" if channel.platform == "slack" else "server"
        champions = ", ".join(line[1] for line in lines if line[0] == "1")
        footer = (
            f"Champion{'s' if ',' in champions else ''}: {champions}. This {where}: "
            f"{_count(players, 'player')}, {_count(answered, 'answer')}, {strong} strong. "
            "A new season has begun: `leaderboard season`; "
            f"this one stays readable as `leaderboard season {season}`."
        ) + (f" {role_problem}" if role_problem else "")
        return TableCard(
            f"Season champions: {title(season)}",
            ("rank", "player", "points", "answers", "strong"),
            tuple(lines),
            footer=footer,
            mentions=tuple(await user_store.platform_ids(conn, first)),
        )

    async def _crown(self, channel: Channel, season: str) -> str | None:
        """Give the champion role (Discord, when configured); what to fix if it failed."""
        if self.awards is None or channel.platform != self.awards.platform:
            return None
        try:
            async with self.engine.connect() as conn:
                champions = (await self.card(conn, channel, season)).mentions
            return await self.awards.crown(channel.workspace_id, season, list(champions))
        except Exception:  # the post goes out whatever happens to the roles
            log.exception("champion role of %s in %s failed", season, channel.workspace_id)
            return None

    async def _send(self, post_id: int, channel_pk: int, season: str, attempt: int) -> None:
        async with self.engine.connect() as conn:
            channel = await channel_store.get_channel_by_pk(conn, channel_pk)
        role_problem = await self._crown(channel, season)
        async with self.engine.connect() as conn:
            card = await self.card(conn, channel, season, role_problem)
        try:
            ref = await self.messenger.post(
                channel.ref, card, key=f"season-{channel_pk}-{season}", resend=attempt > 1
            )
        except Exception as exc:
            retry_at = champion_retry(attempt, exc, self.clock.now(), self.config)
            async with self.engine.begin() as conn:
                await season_store.finish(
                    conn,
                    post_id,
                    state=season_store.FAILED if retry_at is None else season_store.SENDING,
                    lease_until=retry_at,
                    last_error=str(exc)[:500],
                )
            log.warning("champion post %s (%s) attempt %s failed: %s", post_id, season, attempt, exc)
            return
        async with self.engine.begin() as conn:
            await season_store.finish(
                conn,
                post_id,
                state=season_store.SENT,
                lease_until=None,
                message_id=ref.message_id,
                sent_at=self.clock.now(),
                last_error=None,
            )
        log.info("champions of %s posted to channel %s", season, channel_pk)
