"""Settings from the environment (and ``.env``), validated once at start.

Command-line options override these; see ``.env.example`` for every variable.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.text.timeparse import TimeInputError, parse_duration, parse_timezone

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/dailyq.db"
# shipped inside the package (a build copies the top-level questions.json authors edit into it)
BUNDLED_BANK = Path(str(files("bot") / "data" / "questions.json"))


def _split_paths(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return value


def _duration(value: object) -> object:
    if isinstance(value, str):
        try:
            return parse_duration(value, maximum=timedelta(days=2))
        except TimeInputError as exc:
            raise ValueError(str(exc)) from None
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class Settings(BaseSettings):
    """Core settings. Each field is read from ``DAILYQ_<NAME>`` except ``DATABASE_URL``."""

    model_config = SettingsConfigDict(
        env_prefix="DAILYQ_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    questions: Annotated[list[Path], NoDecode, BeforeValidator(_split_paths)] = Field(
        default_factory=lambda: [BUNDLED_BANK]
    )
    timezone: str = "UTC"
    catchup: Duration = timedelta(hours=6)
    lease: Duration = timedelta(seconds=30)
    tick: Duration = timedelta(seconds=30)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line (bot/logs.py)
    # serve Prometheus metrics on this port (bots only; unset: no metrics endpoint)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # connections per process (plus as many again in bursts); PostgreSQL only
    db_pool: int = Field(default=5, ge=1, le=100)
    # "all": every process posts and reveals (row claims split the work); "elected": one process
    # elected through the database does, so a per-process rate limiter covers all of them
    dispatch: Literal["all", "elected"] = "all"
    # Time warp for demos and soak tests: simulated time runs time_scale times faster from
    # time_anchor on. Leave at 1 in production.
    time_scale: float = Field(default=1.0, ge=1.0, le=1_000_000.0)
    time_anchor: datetime | None = None
    # Optional judge (off unless judge_url is set): an OpenAI-compatible chat-completions server
    # grades written answers at the reveal. Answers then leave the process.
    judge_url: str | None = None
    judge_model: str = Field(default="", validate_default=True)
    judge_api_key: SecretStr | None = None
    judge_timeout: Duration = timedelta(seconds=10)  # per request
    judge_budget: Duration = Field(default=timedelta(seconds=20), validate_default=True)  # per reveal
    judge_concurrency: int = Field(default=4, ge=1, le=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return parse_timezone(value)
        except TimeInputError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("tick", "lease")
    @classmethod
    def _at_least_a_second(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError("must be at least 1s (for example 30s)")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("judge_url")
    @classmethod
    def _judge_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("use the server's OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1")
        return value

    @field_validator("judge_model")
    @classmethod
    def _judge_model(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("judge_url") and not value.strip():
            raise ValueError("name the model to ask when DAILYQ_JUDGE_URL is set, e.g. llama3.2")
        return value.strip()

    @field_validator("judge_timeout")
    @classmethod
    def _judge_timeout(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError("must be at least 1s (for example 10s)")
        return value

    @field_validator("judge_budget")
    @classmethod
    def _budget_within_lease(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        lease = info.data.get("lease")
        if info.data.get("judge_url") and isinstance(lease, timedelta) and value >= lease:
            # past the lease another worker would take the reveal over while we still wait
            raise ValueError(f"must be shorter than DAILYQ_LEASE ({int(lease.total_seconds())}s)")
        if value < timedelta(seconds=1):
            raise ValueError("must be at least 1s (for example 20s)")
        return value
