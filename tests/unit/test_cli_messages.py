"""What the dailyq command says: run --help per platform, settings errors in our words, bank tools."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.discord_adapter.settings import DiscordSettings
from adapters.settings_errors import describe_settings_error
from bot.config import Settings


def dailyq(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def test_run_help_says_what_each_platform_needs() -> None:
    out = dailyq("run", "--help").stdout
    for needed in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        assert needed in out
    assert "Socket Mode, the" in out and "HTTP mode" in out
    assert "headless terminal worker for scripts and tests" in out and "dailyq play" in out


def test_bank_grade_help_documents_its_arguments() -> None:
    out = dailyq("bank", "grade", "--help").stdout
    assert "`dailyq bank list` shows every id" in out and "the answer to grade" in out


def test_bank_list_shows_ids_by_topic() -> None:
    result = dailyq("bank", "list", "--topic", "rl")
    assert result.returncode == 0
    assert "exploration-exploitation" in result.stdout and "5 questions" in result.stdout


def test_unknown_question_id_suggests_close_ones() -> None:
    result = dailyq("bank", "grade", "early-stoping", "x")
    assert result.returncode == 2
    assert "did you mean early-stopping" in result.stderr and "`dailyq bank list`" in result.stderr


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        ({}, "DISCORD_TOKEN: not set. Set it to the bot token (Developer Portal > your application > Bot"),
        (
            {"DISCORD_TOKEN": "t", "DISCORD_GUILD_ID": "abc"},
            "DISCORD_GUILD_ID: 'abc' is not a whole number. Set it to a server id",
        ),
        (
            {"DISCORD_TOKEN": "t", "DISCORD_REQUESTS_PER_SECOND": "500"},
            "DISCORD_REQUESTS_PER_SECOND: '500' is out of range: it must be at most 50",
        ),
    ],
)
def test_settings_errors_in_our_own_words(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], says: str
) -> None:
    for name in ("DISCORD_TOKEN", "DISCORD_GUILD_ID", "DISCORD_REQUESTS_PER_SECOND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    described = describe_settings_error(caught.value)
    assert described.startswith(says), described
    assert "Field required" not in described and "Input should be" not in described


def test_a_secret_value_is_never_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILYQ_DISPATCH", "sometimes")
    with pytest.raises(ValidationError) as caught:
        Settings(database_url="mysql://root:hunter2@db/x")
    described = describe_settings_error(caught.value)
    assert "DATABASE_URL:" in described and "hunter2" not in described
    assert "DAILYQ_DISPATCH: 'sometimes' is not accepted: use 'all' or 'elected'" in described


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("markdown", "says"),
    [
        ("# Notes\n\nNothing numbered here.\n", "bank.md: no questions found"),
        ("### T\n\n1. **Empty?**\n\n2. **Full?**\n   - yes\n", "bank.md:3: question 'empty' has no answer"),
        ("### T\n\n1. **" + "x" * 1200 + "?**\n   - a\n", "bank.md:3: question"),
    ],
)
def test_import_refuses_a_bank_that_would_not_load(tmp_path: Path, markdown: str, says: str) -> None:
    out = tmp_path / "out.json"
    result = dailyq("bank", "import", str(write(tmp_path, markdown)), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert says in result.stderr and "nothing written" in result.stderr
    assert not out.exists()


def test_import_without_key_points_writes_a_draft_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    md = write(tmp_path, "---\ntitle: x\n---\n### T\n\n1. **Bagging?**\n   - averages models\n")
    result = dailyq("bank", "import", str(md), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "bank.md:6: question 'bagging': no key_points, so every answer (even the reference)" in result.stderr
    )
    assert "1 of 1 questions need key_points" in result.stderr
    assert json.loads(out.read_text())["questions"][0]["answer"] == "averages models"
