"""Builders for signed Slack requests (slash commands, interactivity, Events API).

Usage::

    req = slash_command("daily", response_url=fake.new_response_url("C1"))
    reply = await post_signed(f"{bolt_url}/slack/events", req, secret=SECRET)
    assert reply.status == 200
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

TEAM_ID = "T0TEAM"
CHANNEL_ID = "C0CHAN"
USER_ID = "U0USER"
USER_NAME = "alice"
API_APP_ID = "A0APP"


def new_trigger_id() -> str:
    """A trigger_id carrying its issue time (the fake flags use after 3 s)."""
    return f"{time.time():.3f}.{secrets.token_hex(6)}"


def sign(body: str | bytes, secret: str, timestamp: int | str | None = None) -> dict[str, str]:
    """Return ``X-Slack-Request-Timestamp`` / ``X-Slack-Signature`` headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


@dataclass
class SlackRequest:
    """A request Slack would send to the app; ``payload`` may be edited before sending."""

    kind: Literal["form", "interactive", "json"]
    payload: dict[str, Any]

    @property
    def body(self) -> str:
        """The exact body to sign and send."""
        if self.kind == "form":
            return urlencode(self.payload)
        if self.kind == "interactive":
            return urlencode({"payload": json.dumps(self.payload)})
        return json.dumps(self.payload)

    @property
    def content_type(self) -> str:
        """Content-Type header value for ``body``."""
        return JSON if self.kind == "json" else FORM


def slash_command(
    text: str = "",
    *,
    command: str = "/question",
    response_url: str = "",
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    trigger_id: str | None = None,
) -> SlackRequest:
    """A form-encoded slash command (pass ``response_url=fake.new_response_url(channel_id)``)."""
    return SlackRequest(
        "form",
        {
            "token": "verification-token-unused",
            "team_id": team_id,
            "team_domain": "test",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        },
    )


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def block_actions(
    action_id: str,
    value: str = "",
    *,
    block_id: str = "b1",
    message_ts: str = "1700000000.000100",
    message_blocks: list[dict[str, Any]] | None = None,
    response_url: str = "",
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    trigger_id: str | None = None,
) -> SlackRequest:
    """A ``block_actions`` payload for a button click on a channel message."""
    return SlackRequest(
        "interactive",
        {
            "type": "block_actions",
            "team": {"id": team_id, "domain": "test"},
            "user": _user(user_id, user_name, team_id),
            "api_app_id": API_APP_ID,
            "token": "verification-token-unused",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id or new_trigger_id(),
            "channel": {"id": channel_id, "name": "general"},
            "message": {"type": "message", "ts": message_ts, "text": "", "blocks": message_blocks or []},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "text": {"type": "plain_text", "text": "button"},
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        },
    )


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, Any]] | None = None,
    *,
    private_metadata: str = "",
    view_id: str = "V0VIEW",
    team_id: str = TEAM_ID,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
) -> SlackRequest:
    """A ``view_submission`` payload. ``values`` is ``state.values``:
    ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``."""
    return SlackRequest(
        "interactive",
        {
            "type": "view_submission",
            "team": {"id": team_id, "domain": "test"},
            "user": _user(user_id, user_name, team_id),
            "api_app_id": API_APP_ID,
            "token": "verification-token-unused",
            "trigger_id": new_trigger_id(),
            "view": {
                "id": view_id,
                "team_id": team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "blocks": [],
                "title": {"type": "plain_text", "text": "dailyq"},
                "state": {"values": values or {}},
                "hash": "h0",
                "root_view_id": view_id,
                "app_id": API_APP_ID,
                "bot_id": "B0BOT",
            },
            "response_urls": [],
        },
    )


def event_callback(
    event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None
) -> SlackRequest:
    """An Events API ``event_callback`` envelope around ``event``."""
    return SlackRequest(
        "json",
        {
            "token": "verification-token-unused",
            "team_id": team_id,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": "U0BOT", "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
        },
    )


def app_home_opened(user_id: str = USER_ID, *, team_id: str = TEAM_ID) -> SlackRequest:
    """An ``app_home_opened`` event for the Home tab."""
    return event_callback(
        {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        },
        team_id=team_id,
    )


@dataclass
class BoltReply:
    """What the Bolt endpoint answered."""

    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.text)


async def post_signed(
    url: str,
    request: SlackRequest | str,
    *,
    secret: str,
    content_type: str | None = None,
    timestamp: int | None = None,
    age_seconds: float = 0,
    bad_signature: bool = False,
    missing_signature: bool = False,
    missing_timestamp: bool = False,
    session: aiohttp.ClientSession | None = None,
) -> BoltReply:
    """POST ``request`` to a Bolt HTTP endpoint with a valid (or deliberately broken) signature.

    ``age_seconds=360`` signs with a 6-minute-old timestamp; ``bad_signature`` signs with a
    wrong secret; ``missing_*`` drops that header.
    """
    body = request if isinstance(request, str) else request.body
    ctype = content_type or (FORM if isinstance(request, str) else request.content_type)
    ts = timestamp if timestamp is not None else int(time.time() - age_seconds)
    headers = {"Content-Type": ctype, **sign(body, "wrong-secret" if bad_signature else secret, ts)}
    if missing_signature:
        del headers["X-Slack-Signature"]
    if missing_timestamp:
        del headers["X-Slack-Request-Timestamp"]
    own = session is None
    sess = aiohttp.ClientSession() if session is None else session
    try:
        async with sess.post(
            url, data=body.encode(), headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as res:
            return BoltReply(res.status, await res.text(), dict(res.headers))
    finally:
        if own:
            await sess.close()
