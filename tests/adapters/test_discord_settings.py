"""Settings, the invite URL and the command line: one clear line naming the variable, exit 2."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters import cli
from adapters.discord_adapter.permissions import invite_permissions
from adapters.discord_adapter.settings import DiscordSettings

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = (
    "DISCORD_TOKEN",
    "DISCORD_CLIENT_ID",
    "DISCORD_GUILD_ID",
    "DISCORD_SHARD_COUNT",
    "DISCORD_SHARD_IDS",
    "DISCORD_REQUESTS_PER_SECOND",
)


@pytest.fixture(autouse=True)
def _no_discord_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no developer .env is read


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.mark.parametrize(
    ("environment", "variable", "says"),
    [
        ({}, "DISCORD_TOKEN", "not set. Set it to the bot token (Developer Portal"),
        ({"DISCORD_TOKEN": " "}, "DISCORD_TOKEN", "is empty"),
        ({"DISCORD_TOKEN": "Bot abc.def"}, "DISCORD_TOKEN", "bare bot token"),
        ({"DISCORD_TOKEN": "t", "DISCORD_GUILD_ID": "my-server"}, "DISCORD_GUILD_ID", "not a whole number"),
        ({"DISCORD_TOKEN": "t", "DISCORD_SHARD_IDS": "0,1"}, "DISCORD_SHARD_IDS", "DISCORD_SHARD_COUNT"),
        (
            {"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,2"},
            "DISCORD_SHARD_IDS",
            "0 and 1",
        ),
        (
            {"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "one"},
            "DISCORD_SHARD_IDS",
            "shard",
        ),
        ({"DISCORD_TOKEN": "t", "DISCORD_REQUESTS_PER_SECOND": "500"}, "DISCORD_REQUESTS_PER_SECOND", "50"),
    ],
)
def test_run_discord_with_bad_settings_prints_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    variable: str,
    says: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(["run", "discord"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"dailyq: bad setting: {variable}: ")
    assert says in err
    assert "abc.def" not in err  # a token never appears in errors


def test_settings_parse_shards_and_keep_the_token_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "2, 3")
    monkeypatch.setenv("DISCORD_GUILD_ID", "1234")
    settings = DiscordSettings.from_env()
    assert settings.shard_ids == [2, 3] and settings.shard_count == 4 and settings.guild_id == 1234
    assert settings.token.get_secret_value() == "abc.def.ghi"
    assert "abc.def.ghi" not in repr(settings) and "abc.def.ghi" not in str(settings)


def test_invite_url_has_both_scopes_and_exactly_the_permissions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_CLIENT_ID", "112233445566778899")
    code, out, _ = run_cli(["discord", "invite-url"], capsys)
    assert code == 0
    url = urlsplit(out.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == ["112233445566778899"]
    assert query["scope"] == ["bot applications.commands"]
    assert query["permissions"] == [str(invite_permissions().value)]


def test_invite_url_without_client_id_names_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["discord", "invite-url"], capsys)
    assert code == 2 and err.startswith("dailyq: bad setting: DISCORD_CLIENT_ID: ")


def test_procfile_runs_the_discord_bot() -> None:
    procfile = ROOT / "Procfile"
    # a buildpack installs requirements.txt, not the package itself: run the module, not the script
    assert "discord: python -m adapters run discord" in procfile.read_text().splitlines()


def test_aiolimiter_is_a_declared_dependency() -> None:
    assert '"aiolimiter~=1.1"' in (ROOT / "pyproject.toml").read_text()
