"""Web API clients: which failures slack_sdk retries by itself, and how long it waits on a 429.

Two clients share the token, the base URL and one aiohttp session (``open_session``): without a
session slack_sdk opens a new TCP (and TLS) connection for every call; with it calls reuse
kept-alive connections. The session is closed on shutdown.

- the *interactive* client (Bolt listeners: views.open, users.info, response posts...) retries
  dropped connections once and 429s after Retry-After;
- the *posting* client (daily posts, edits, reveal replies) retries 429s only. A dropped
  connection after Slack accepted a ``chat.postMessage`` would be re-sent and appear twice, so
  such failures go back to the core, which retries with ``resend=True``: the messenger then
  looks the message up by its metadata before posting again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter.settings import SlackSettings

DEFAULT_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 10
MAX_RETRY_AFTER = 60.0


def retry_after_seconds(headers: Mapping[str, Any], maximum: float = MAX_RETRY_AFTER) -> float:
    """Seconds to wait from a ``Retry-After`` header (1 when absent or unreadable)."""
    for name, value in headers.items():
        if name.lower() != "retry-after":
            continue
        raw = value[0] if isinstance(value, list | tuple) and value else value
        try:
            return min(max(float(str(raw).strip()), 0.0), maximum)
        except ValueError:
            return 1.0
    return 1.0


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's rate-limit retry handler, reading the whole ``Retry-After`` value.

    The stock async handler indexes the header string with ``[0]`` (the sync one gets a list),
    so ``Retry-After: 30`` waits 3 seconds and earns another 429.
    """

    def __init__(
        self,
        max_retry_count: int = 3,
        *,
        maximum: float = MAX_RETRY_AFTER,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.maximum = maximum
        self.sleep = sleep
        self.on_retry = on_retry  # metrics: called on every 429 it waits out

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait as long as Slack asked (plus a little jitter), then allow the next attempt."""
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        if self.on_retry is not None:
            self.on_retry()
        await self.sleep(retry_after_seconds(response.headers, self.maximum) + random.uniform(0, 0.2))
        state.increment_current_attempt()


def open_session() -> aiohttp.ClientSession:
    """The one HTTP session (a pool of kept-alive connections) every Web API call goes through;
    the caller closes it on shutdown. Its timeout is the per-call timeout (slack_sdk applies its
    own only to sessions it opens itself)."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))


def make_client(
    settings: SlackSettings,
    *,
    session: aiohttp.ClientSession | None = None,
    posting: bool = False,
    on_rate_limited: Callable[[], None] | None = None,
) -> AsyncWebClient:
    """A Web API client for the bot token (``session``: the shared session, see ``open_session``;
    without one every call opens its own connection; ``posting``: never re-sends after a dropped
    connection; ``on_rate_limited``: called on each 429)."""
    handlers: list[AsyncRetryHandler] = [RetryAfterHandler(on_retry=on_rate_limited)]
    if not posting:
        handlers.insert(0, AsyncConnectionErrorRetryHandler())
    return AsyncWebClient(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.api_url or DEFAULT_API_URL,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=handlers,
        session=session,
    )
