"""`.env.example` lists every setting the bot reads from the environment."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings

from adapters.discord_adapter.settings import DiscordSettings, InviteSettings
from adapters.slack_adapter.settings import SlackSettings
from bot.config import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def variables(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


def test_every_variable_is_documented() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), flags=re.MULTILINE))
    expected = set().union(
        *(variables(s) for s in (Settings, DiscordSettings, InviteSettings, SlackSettings))
    )
    assert expected - documented == set()
    assert documented - expected == set()


README = EXAMPLE.parent / "README.md"


def test_readme_configuration_lists_the_same_variables() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    in_readme = set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+|PORT)`", section))
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), flags=re.MULTILINE))
    assert documented - in_readme == set(), "in .env.example, missing from the README's Configuration"
    assert in_readme - documented == set(), "in the README's Configuration, missing from .env.example"


def test_readme_cites_the_source_post_instead_of_a_path_outside_the_repository() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "../shared" not in readme
    assert "Top 100 AI/ML interview questions and answers" in readme and "Shyam Mohan" in readme
