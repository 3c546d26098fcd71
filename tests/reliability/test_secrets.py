"""Secrets never reach logs: the session-wide watch works, and settings never print tokens."""

from __future__ import annotations

import json
import logging

from adapters.discord_adapter.settings import DiscordSettings
from bot.logs import bind
from bot.store.db import redact
from tests.support import secrets


def test_the_leak_watch_catches_a_canary() -> None:
    watch = secrets.LeakWatch()
    logger = logging.getLogger("dailyq.test.leakwatch")
    logger.addHandler(watch)
    logger.propagate = False  # keep this deliberate leak out of the session-wide watch
    try:
        logger.warning("connecting with %s", secrets.SLACK_BOT_TOKEN)
    finally:
        logger.removeHandler(watch)
    assert watch.leaks and secrets.CANARY in watch.leaks[0]


def test_the_leak_watch_reads_the_json_format_too() -> None:
    # an id bound to the log context shows only in JSON lines: the watch must read those as well
    watch = secrets.LeakWatch()
    logger = logging.getLogger("dailyq.test.leakwatch.json")
    logger.addHandler(watch)
    logger.propagate = False
    try:
        with bind(channel=secrets.CANARY):
            logger.warning("nothing secret in the message")
    finally:
        logger.removeHandler(watch)
    assert watch.leaks and json.loads(watch.leaks[0])["channel"] == secrets.CANARY


def test_settings_and_urls_hide_secrets() -> None:
    settings = DiscordSettings(_env_file=None, DISCORD_TOKEN=secrets.DISCORD_TOKEN)  # type: ignore[call-arg]
    assert secrets.CANARY not in repr(settings) and secrets.CANARY not in str(settings.model_dump())
    url = f"postgresql+asyncpg://bot:{secrets.DATABASE_PASSWORD}@db.internal:5432/dailyq"
    assert secrets.CANARY not in redact(url) and "db.internal" in redact(url)
