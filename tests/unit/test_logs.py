"""``DAILYQ_LOG_FORMAT=json``: one JSON object per line with time, level, logger, message and the
ids of the workspace, channel and round where known; the default stays readable text."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import time
from pathlib import Path

from bot.app import build_app
from bot.bank.model import Bank
from bot.commands import ConfigureDaily, DailyAction, ManageDaily
from bot.config import Settings
from bot.logs import JsonFormatter, bind
from tests.conftest import admin
from tests.support import secrets
from tests.support.databases import sqlite_url
from tests.support.messenger import RecordingMessenger

ROOT = Path(__file__).resolve().parents[2]


def json_lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def capture(logger: logging.Logger) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    return stream, handler


def test_a_json_line_has_the_fields_and_the_bound_ids() -> None:
    logger = logging.getLogger("dailyq.test.json")
    stream, handler = capture(logger)
    try:
        with bind(workspace="T1", channel="C9"), bind(round=42):
            logger.warning("sent %s of %s", 3, 4)
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = json_lines(stream)
    assert set(first) == {"time", "level", "logger", "message", "workspace", "channel", "round"}
    assert (first["level"], first["logger"], first["message"]) == (
        "WARNING",
        "dailyq.test.json",
        "sent 3 of 4",
    )
    assert (first["workspace"], first["channel"], first["round"]) == ("T1", "C9", "42")
    assert first["time"].endswith("+00:00")
    assert "workspace" not in second and "ValueError: boom" in second["exception"]  # still one line
    assert len(stream.getvalue().splitlines()) == 2


async def test_the_core_tags_a_failed_send_with_its_round(tmp_path: Path, bank: Bank) -> None:
    messenger = RecordingMessenger()
    app = await build_app(Settings(database_url=sqlite_url(tmp_path)), messenger, bank=bank)
    stream, handler = capture(logging.getLogger("bot"))
    try:
        await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), timezone="UTC"))
        messenger.fail_next.append(TimeoutError("platform timed out"))
        await app.service.handle(admin(channel="C7", workspace="W3"), ManageDaily(DailyAction.NOW))
    finally:
        logging.getLogger("bot").removeHandler(handler)
        await app.close()
    failed = [e for e in json_lines(stream) if "failed" in e["message"]]
    assert failed, stream.getvalue()
    assert failed[0]["round"].isdigit() and failed[0]["level"] == "WARNING"
    assert (failed[0]["workspace"], failed[0]["channel"]) == ("W3", "C7")


def test_a_real_process_writes_only_json_lines(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DAILYQ_", "DISCORD_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DAILYQ_LOG_FORMAT="json",
        DATABASE_URL=f"postgresql+asyncpg://bot:{secrets.DATABASE_PASSWORD}@127.0.0.1:1/dailyq",
        DISCORD_TOKEN=secrets.DISCORD_TOKEN,
    )
    done = subprocess.run(
        [sys.executable, "-m", "adapters", "run", "discord"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    *logged, last = done.stderr.strip().splitlines()
    assert last.startswith("dailyq: cannot open the database postgresql+asyncpg://bot:***@127.0.0.1:1")
    assert logged and all(set(json.loads(line)) >= {"time", "level", "logger", "message"} for line in logged)
    assert secrets.CANARY not in done.stderr + done.stdout
