"""Slack settings from the environment (and ``.env``), validated once at start.

A missing or malformed value raises pydantic's ``ValidationError`` whose location is the
environment variable's name; ``adapters/cli.py`` prints it on one line and exits with code 2.
Tokens are ``SecretStr``: they never appear in a repr, a log line or an error message.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_MISSING = object()


def _split_ids(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\s]+", value) if part.strip()]
    return value


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class SlackSettings(BaseSettings):
    """Everything the Slack adapter reads from the environment.

    Socket Mode (the default, as in the README) needs ``SLACK_APP_TOKEN``; HTTP mode, on ``PORT``
    at ``/slack/events``, is chosen by setting ``SLACK_SIGNING_SECRET`` and no app token.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    bot_token: SecretStr = Field(validation_alias="SLACK_BOT_TOKEN")
    app_token: Annotated[SecretStr | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, validation_alias="SLACK_APP_TOKEN"
    )
    signing_secret: Annotated[SecretStr | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    api_url: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, validation_alias="SLACK_API_URL"
    )
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")
    host: str = Field(default="0.0.0.0", validation_alias="DAILYQ_HTTP_HOST")
    admins: Annotated[frozenset[str], NoDecode, BeforeValidator(_split_ids)] = Field(
        default=frozenset(), validation_alias="DAILYQ_SLACK_ADMINS"
    )

    @property
    def socket_mode(self) -> bool:
        """Whether to connect over Socket Mode (an app-level token is set)."""
        return self.app_token is not None

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be the app's Bot User OAuth Token, starting with xoxb-")
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp- (scope connections:write)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _a_mode_is_chosen(cls, data: Any) -> Any:
        # Neither mode's credential: mark the app token (Socket Mode is the default) missing so
        # the error is reported under the variable's own name (a model-level error would have no
        # location for the CLI to name).
        if isinstance(data, dict):
            present = {str(k).lower(): v for k, v in data.items() if _blank_is_none(v) is not None}
            if (
                not {"slack_app_token", "app_token"} & present.keys()
                and not {
                    "slack_signing_secret",
                    "signing_secret",
                }
                & present.keys()
            ):
                data = {**data, "SLACK_APP_TOKEN": _MISSING}
        return data

    @field_validator("app_token", mode="before")
    @classmethod
    def _app_token_given(cls, value: object) -> object:
        if value is _MISSING:
            raise ValueError(
                "not set. Socket Mode, the default, needs an app-level token xapp-... (Basic "
                "Information > App-Level Tokens, scope connections:write); for HTTP mode set "
                "SLACK_SIGNING_SECRET instead (Basic Information > App Credentials)"
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, value: frozenset[str]) -> frozenset[str]:
        bad = sorted(v for v in value if not _USER_ID.match(v))
        if bad:
            raise ValueError(f"'{bad[0][:40]}' is not a Slack user id (such as U012AB3CD), comma-separated")
        return value
