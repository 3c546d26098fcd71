"""``dailyq doctor`` as a process: a good configuration passes; each broken one fails on one line
that names the variable and says what to set; no token is ever printed; no platform is contacted."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.db import open_database
from tests.support import secrets

ROOT = Path(__file__).resolve().parents[2]
# the newest migration's revision (files are numbered NNNN_name.py, revision "NNNN")
HEAD = sorted((ROOT / "bot/store/migrations/versions").glob("[0-9][0-9][0-9][0-9]_*.py"))[-1].name[:4]
GOOD = {
    "DISCORD_TOKEN": secrets.DISCORD_TOKEN,
    "SLACK_BOT_TOKEN": secrets.SLACK_BOT_TOKEN,
    "SLACK_APP_TOKEN": secrets.SLACK_APP_TOKEN,
    # would be contacted by `run`: doctor must not even try (nothing listens there)
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "DAILYQ_TIMEZONE": "Europe/Berlin",
}


def doctor(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DAILYQ_", "DISCORD_"))}
    base.pop("DATABASE_URL", None)
    base.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "adapters", "doctor"],
        env=base, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
async def migrated(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = await open_database(url)
    await engine.dispose()
    return url


def test_a_good_configuration_passes_every_check(tmp_path: Path, migrated: str) -> None:
    done = doctor(tmp_path, DATABASE_URL=migrated, **GOOD)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "ok    DISCORD_TOKEN: Discord configured (a three-part bot token)",
        "ok    SLACK_BOT_TOKEN: Slack configured (xoxb- token, Socket Mode (xapp- token))",
        "ok    DAILYQ_TIMEZONE: Europe/Berlin is a known time zone",
        "ok    DAILYQ_QUESTIONS: 100 questions from questions.json",
        f"ok    DATABASE_URL: {migrated} answers, migrated (revision {HEAD})",
        "all checks passed",
    ]
    assert secrets.CANARY not in done.stdout + done.stderr


BAD_BANK = (
    '{"name": "x", "version": "1", '
    '"questions": [{"id": "Bad Id", "topic": "t", "question": "q", "answer": "a"}]}'
)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            {"DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""},
            "FAIL  platforms: none configured: set DISCORD_TOKEN (Discord) or SLACK_BOT_TOKEN (Slack)",
        ),
        (
            {"SLACK_BOT_TOKEN": f"xoxp-{secrets.CANARY}-user-token"},
            "FAIL  SLACK_BOT_TOKEN: must be the app's Bot User OAuth Token, starting with xoxb-",
        ),
        (
            {"SLACK_APP_TOKEN": f"xoxb-{secrets.CANARY}"},
            "FAIL  SLACK_APP_TOKEN: must be an app-level token starting with xapp- (scope connections:write)",
        ),
        (
            {"DISCORD_TOKEN": f"{secrets.CANARY}-only-one-part"},
            "FAIL  DISCORD_TOKEN: not shaped like a bot token (three parts separated by dots): set it to",
        ),
        (
            {"DATABASE_URL": f"postgresql+asyncpg://bot:{secrets.DATABASE_PASSWORD}@127.0.0.1:1/dailyq"},
            "FAIL  DATABASE_URL: cannot connect to postgresql+asyncpg://bot:***@127.0.0.1:1/dailyq (",
        ),
        (
            {"DATABASE_URL": "UNMIGRATED"},
            f"is at revision none, the code needs {HEAD}: start the bot once with this DATABASE_URL",
        ),
        (
            {"DAILYQ_QUESTIONS": "bad.json"},
            "FAIL  DAILYQ_QUESTIONS: bad.json: question 'Bad Id' (#1): field 'id': String should match",
        ),
        (
            {"DAILYQ_TIMEZONE": "Mars/Olympus"},
            "FAIL  DAILYQ_TIMEZONE: 'Mars/Olympus' is not a time zone: use an IANA name such as",
        ),
    ],
    ids=["no-platform", "slack-token", "app-token", "discord-token", "db-down", "db-old", "bank", "zone"],
)
def test_each_broken_configuration_fails_on_one_line_saying_what_to_set(
    tmp_path: Path, migrated: str, broken: dict[str, str], expected: str
) -> None:
    (tmp_path / "bad.json").write_text(BAD_BANK)
    env = {**GOOD, "DATABASE_URL": migrated, **broken}
    if env["DATABASE_URL"] == "UNMIGRATED":
        old = tmp_path / "old.db"
        sqlite3.connect(old).execute("CREATE TABLE notes (text TEXT)").connection.close()
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{old}"
    done = doctor(tmp_path, **env)
    assert done.returncode == 1, done.stdout + done.stderr
    failures = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failures) == 1 and expected in failures[0], done.stdout
    assert done.stdout.splitlines()[-1] == "1 problem found"
    assert secrets.CANARY not in done.stdout + done.stderr
    assert done.stderr == ""
