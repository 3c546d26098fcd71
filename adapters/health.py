"""``GET /healthz``: 200 while the database answers, 503 while it does not.

A load balancer or a PaaS probes it to take a worker out of rotation while its database is
unreachable. The probe runs ``SELECT 1`` with a short timeout, so a hung database reads as down
instead of hanging the probe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 2.0
Handler = Callable[[web.Request], Awaitable[web.Response]]


async def database_answers(engine: AsyncEngine, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether ``SELECT 1`` comes back within ``timeout`` seconds."""

    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), timeout)
    except Exception as exc:  # any failure of the probe means: not healthy
        log.warning("health check: the database does not answer (%s)", type(exc).__name__)
        return False
    return True


def health_handler(engine: AsyncEngine | None, timeout: float = PROBE_TIMEOUT_S) -> Handler:
    """The aiohttp handler of ``/healthz`` for ``engine`` (without one: always 200)."""

    async def healthz(_request: web.Request) -> web.Response:
        if engine is None or await database_answers(engine, timeout):
            return web.Response(text="ok")
        return web.Response(status=503, text="database unreachable")

    return healthz
