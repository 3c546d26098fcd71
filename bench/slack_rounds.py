"""The fake Slack side of the burst benchmark: channels set up with a round, clicks built for
them, and the answers the bot stored (read from its SQLite file)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.slack_traffic import Signed, fire, signed
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import TEAM_ID, block_actions, slash_command

ADMIN_ID = "U0ADMIN"
SETTLE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Post:
    """A daily post as the fake Slack holds it, and its buttons."""

    channel: str
    ts: str
    blocks: list[dict[str, Any]]
    buttons: list[dict[str, Any]]


class Workspace:
    """The fake Slack side of the bot: channels set up with a round, clicks built for them."""

    def __init__(self, fake: FakeSlack, url: str) -> None:
        self.fake = fake
        self.url = url

    async def command(self, text: str, channel: str) -> None:
        """A signed ``/question`` from the admin in ``channel``."""
        request = slash_command(
            text, response_url=self.fake.new_response_url(channel), user_id=ADMIN_ID, channel_id=channel
        )
        [sent] = await fire(self.url, [signed(request)], span=0)
        if sent.ms < 0:
            raise RuntimeError(f"/question {text} was not acknowledged")

    async def round(self, channel: str, mode: str) -> Post:
        """Schedule ``channel`` in ``mode`` and post today's round now; returns the post."""
        later = datetime.now(UTC) + timedelta(hours=12)
        await self.command(f"daily set {later:%H:%M} UTC mode {mode}", channel)
        await self.command("daily now", channel)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for message in self.fake.messages(channel):
                blocks = message.get("blocks", [])
                buttons = [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]
                if buttons:
                    return Post(channel, str(message["ts"]), blocks, buttons)
            await asyncio.sleep(0.05)
        raise RuntimeError(f"no post in {channel}; saw {[c.method for c in self.fake.recorded]}")

    def members(self, prefix: str, count: int) -> list[str]:
        """``count`` members new to the bot, known to the fake's users.info."""
        users = [f"{prefix}{i:04d}" for i in range(count)]
        for user in users:
            self.fake.add_user(user, name=f"player-{user.lower()}")
        return users

    def quiz_clicks(self, post: Post, users: list[str]) -> list[Signed]:
        """One signed option click on ``post`` per user, each with its own response_url."""
        requests = []
        for n, user in enumerate(users):
            hook = self.fake.new_response_url(post.channel)
            choice = post.buttons[n % len(post.buttons)]
            request = block_actions(
                choice["action_id"],
                choice["value"],
                block_id="quiz",
                message_ts=post.ts,
                response_url=hook,
                channel_id=post.channel,
                user_id=user,
                user_name=f"player-{user.lower()}",
            )
            requests.append(signed(request, hook.rsplit("/", 1)[1]))
        return requests

    def answer_click(self, post: Post, user: str, trigger: str) -> Signed:
        """A signed click on the post's Answer button, signed now with a fresh trigger_id."""
        [answer] = post.buttons
        request = block_actions(
            answer["action_id"],
            answer["value"],
            message_ts=post.ts,
            message_blocks=post.blocks,
            response_url=self.fake.new_response_url(post.channel),
            channel_id=post.channel,
            user_id=user,
            user_name=f"player-{user.lower()}",
            trigger_id=trigger,
        )
        return signed(request)

    async def settle(self, requests: list[Signed], since: int) -> tuple[int, float]:
        """Wait until every click got its response_url follow-up (calls recorded from index
        ``since`` on): (how many did, seconds waited)."""
        waiting = {r.hook_id for r in requests}
        total, seen = len(waiting), since
        start = time.monotonic()
        while True:
            calls = self.fake.recorded[seen:]
            seen += len(calls)
            waiting.difference_update(c.hook_id for c in calls if c.method == "response_url")
            if not waiting or time.monotonic() - start > SETTLE_TIMEOUT:
                return total - len(waiting), time.monotonic() - start
            await asyncio.sleep(0.1)


def stored_users(db: Path, channel: str) -> list[str]:
    """User ids of every answer stored for ``channel``'s rounds, one entry per row."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT u.user_id FROM answers a JOIN users u ON u.id = a.user_pk "
            "JOIN rounds r ON r.id = a.round_id JOIN channels c ON c.id = r.channel_pk "
            "WHERE c.platform = 'slack' AND c.workspace_id = ? AND c.channel_id = ?",
            (TEAM_ID, channel),
        ).fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def check_stored(db: Path, channel: str, users: list[str], detail: str, *, all_of_them: bool = True) -> int:
    """How many answers are stored, each once and only from the burst's users, else
    ``RuntimeError``; ``all_of_them``: also fail when a user's answer is missing."""
    stored = stored_users(db, channel)
    doubled = len(stored) != len(set(stored))
    strangers = set(stored) - set(users)
    if doubled or strangers or (all_of_them and len(stored) != len(users)):
        raise RuntimeError(
            f"{channel}: {len(stored)} answer rows for {len(set(stored))} users "
            f"(expected {len(users)}, one each; {detail})"
        )
    return len(stored)
