"""Prometheus metrics (``prometheus-client``) on ``DAILYQ_METRICS_PORT``, for every bot process.

``PrometheusMetrics`` implements the core's ``Metrics`` port (posts, reveals, answers, retries,
command latency) and the adapters' own counts (429 responses, time spent waiting for the pacer).
Each app creates its own ``CollectorRegistry`` (no module-level default registry), so two apps
in one process, or two tests, never share a counter. ``MetricsServer`` serves ``/metrics`` on
aiohttp inside the bot's event loop, so it stops with the bot; the due and overdue gauges are
read from the database at each scrape.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace

import aiohttp
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0)
Backlog = Callable[[], Awaitable[tuple[int, int]]]


class PrometheusMetrics:
    """The ``Metrics`` port on a registry of its own, plus the adapters' counters."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.posts = Counter("dailyq_posts", "Daily questions posted", ["platform"], registry=r)
        self.reveals = Counter("dailyq_reveals", "Rounds revealed", ["platform"], registry=r)
        self.answers = Counter("dailyq_answers", "Daily answers recorded", ["platform"], registry=r)
        self.retries = Counter(
            "dailyq_send_retries",
            "Posts and reveals that failed and will be retried",
            ["platform"],
            registry=r,
        )
        self.rate_limits = Counter(
            "dailyq_rate_limited", "429 responses from the platform", ["platform"], registry=r
        )
        self.pacer_wait = Histogram(
            "dailyq_pacer_wait_seconds", "Time a send waited for the pacer", ["platform"],
            buckets=WAIT_BUCKETS, registry=r,
        )  # fmt: skip
        self.commands = Histogram(
            "dailyq_command_seconds",
            "Time to handle a command",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.due = Gauge("dailyq_rounds_due", "Posts and reveals whose moment has come, not done", registry=r)
        self.overdue = Gauge("dailyq_rounds_overdue", "Of those, more than a minute late", registry=r)

    def posted(self, platform: str) -> None:
        """A daily question was posted."""
        self.posts.labels(platform).inc()

    def revealed(self, platform: str) -> None:
        """A round was revealed."""
        self.reveals.labels(platform).inc()

    def answered(self, platform: str) -> None:
        """An answer was recorded."""
        self.answers.labels(platform).inc()

    def retried(self, platform: str) -> None:
        """A send failed and will be retried."""
        self.retries.labels(platform).inc()

    def command_took(self, command: str, seconds: float) -> None:
        """A command ran for ``seconds``."""
        self.commands.labels(command).observe(seconds)

    def rate_limited(self, platform: str) -> None:
        """The platform answered 429."""
        self.rate_limits.labels(platform).inc()

    def pacer_waited(self, platform: str, seconds: float) -> None:
        """A send waited ``seconds`` for a pacer slot."""
        self.pacer_wait.labels(platform).observe(seconds)

    def http_trace(self, platform: str) -> aiohttp.TraceConfig:
        """An aiohttp trace that counts the 429 responses of a client session."""

        async def on_end(_session: aiohttp.ClientSession, _ctx: SimpleNamespace, params: object) -> None:
            if getattr(getattr(params, "response", None), "status", None) == 429:
                self.rate_limited(platform)

        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(on_end)
        return trace


class MetricsServer:
    """``GET /metrics`` in the Prometheus text format on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self, metrics: PrometheusMetrics, port: int, backlog: Backlog, host: str = "0.0.0.0"
    ) -> None:
        self.metrics = metrics
        self.backlog = backlog
        self.host, self.port = host, port
        application = web.Application()
        application.router.add_get("/metrics", self._scrape)
        self.runner = web.AppRunner(application, access_log=None, shutdown_timeout=1.0, handle_signals=False)

    async def start(self) -> None:
        """Bind and serve."""
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, self.port).start()
        log.info("metrics on %s:%s/metrics", self.host, self.bound_port)

    @property
    def bound_port(self) -> int:
        """The port actually bound."""
        return int(self.runner.addresses[0][1])

    async def close(self) -> None:
        """Stop serving."""
        await self.runner.cleanup()

    async def _scrape(self, _request: web.Request) -> web.Response:
        try:
            due, overdue = await self.backlog()
        except Exception as exc:  # the counters are still worth serving
            log.warning("metrics: cannot read the backlog from the database (%s)", type(exc).__name__)
        else:
            self.metrics.due.set(due)
            self.metrics.overdue.set(overdue)
        body = generate_latest(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@contextlib.asynccontextmanager
async def serving_metrics(
    metrics: PrometheusMetrics | None, port: int | None, backlog: Backlog
) -> AsyncIterator[MetricsServer | None]:
    """Serve ``metrics`` on ``port`` while inside (nothing when either is unset)."""
    if metrics is None or not port:
        yield None
        return
    server = MetricsServer(metrics, port, backlog)
    await server.start()
    try:
        yield server
    finally:
        await server.close()
