"""Discord settings from the environment (and ``.env``), validated once at start.

A missing or malformed variable raises pydantic's ``ValidationError`` whose location is the
variable's name; ``adapters/cli.py`` prints it on one line and exits with code 2.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BeforeValidator, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Discord's global limit is 50 requests/s per bot token; the pacer keeps a margin (see pacing.py).
DEFAULT_REQUESTS_PER_SECOND = 49.0


def _split_ints(value: object) -> object:
    if isinstance(value, str):
        parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        for part in parts:
            if not part.isdigit():
                raise ValueError(f"'{part}' is not a shard number: use a list such as 0,1,2")
        return [int(part) for part in parts]
    return value


class _DiscordEnv(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    @classmethod
    def from_env(cls) -> Self:
        """Read and validate the environment (and ``.env``); raises ``ValidationError``."""
        return cls()


class InviteSettings(_DiscordEnv):
    """What ``dailyq discord invite-url`` needs: the application (client) id."""

    client_id: int = Field(validation_alias="DISCORD_CLIENT_ID", gt=0)


class DiscordSettings(_DiscordEnv):
    """What ``dailyq run discord`` needs: the bot token, plus optional sync and shard settings."""

    token: SecretStr = Field(validation_alias="DISCORD_TOKEN")
    guild_id: int | None = Field(default=None, validation_alias="DISCORD_GUILD_ID", gt=0)
    shard_count: int | None = Field(default=None, validation_alias="DISCORD_SHARD_COUNT", ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode, BeforeValidator(_split_ints)] = Field(
        default=None, validation_alias="DISCORD_SHARD_IDS"
    )
    requests_per_second: float = Field(
        default=DEFAULT_REQUESTS_PER_SECOND, validation_alias="DISCORD_REQUESTS_PER_SECOND", ge=2, le=50
    )

    @field_validator("token")
    @classmethod
    def _plain_token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("is empty: paste the bot token from the Developer Portal (Bot page)")
        if token.lower().startswith("bot ") or any(ch.isspace() for ch in token):
            raise ValueError("must be the bare bot token, without 'Bot ' or spaces")
        return SecretStr(token)

    @field_validator("shard_ids")
    @classmethod
    def _shards_in_range(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is None:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("needs DISCORD_SHARD_COUNT (the total number of shards) as well")
        if not value or any(shard >= count for shard in value):
            raise ValueError(f"shard numbers must be between 0 and {count - 1} (DISCORD_SHARD_COUNT={count})")
        return sorted(set(value))
