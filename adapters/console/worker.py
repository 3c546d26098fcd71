"""``dailyq run console``: a headless terminal-platform worker for scripted multi-user play.

It runs the rounds logic (posts and reveals go to stdout and the optional transcript) and reads
lines ``<channel> <user> <command ...>`` from stdin, so scripts and tests can act as many users in
many channels. Like ``play``, every console user is the admin of its channel. At the end of the
input it keeps running the schedule until SIGTERM or SIGINT, which stop it cleanly (exit 0).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console

from adapters.console.messenger import ConsoleMessenger
from adapters.console.render import render
from adapters.lifecycle import read_line, stop_on_signals, until_stopped
from adapters.metrics import PrometheusMetrics, serving_metrics
from bot.app import build_app
from bot.cards import Reply, error
from bot.config import Settings
from bot.context import Context
from bot.service import Service
from bot.text.grammar import CommandError, parse

PLATFORM, WORKSPACE = "console", "local"


async def handle_line(service: Service, line: str) -> tuple[Context, Reply] | None:
    """Run one ``<channel> <user> <command>`` line; None for a blank line."""
    parts = line.strip().split(maxsplit=2)
    if not parts:
        return None
    if len(parts) < 3:
        ctx = Context(PLATFORM, WORKSPACE, "-", "-", "-", is_admin=True)
        return ctx, error("Lines look like: <channel> <user> <command>")
    channel, user, text = parts
    ctx = Context(PLATFORM, WORKSPACE, channel, user, user, is_admin=True)
    try:
        command = parse(text)
    except CommandError as exc:
        return ctx, error(str(exc))
    return ctx, await service.handle(ctx, command)


async def serve(settings: Settings, transcript: Path | None, stdin: TextIO = sys.stdin) -> int:
    """Run until killed: the schedule, plus whatever commands arrive on ``stdin``."""
    console = Console(file=sys.stdout, highlight=False, width=100)
    metrics = PrometheusMetrics() if settings.metrics_port else None
    messenger = ConsoleMessenger(console, transcript)
    app = await build_app(settings, messenger, metrics=metrics, nudger=messenger)
    stop = asyncio.Event()
    with stop_on_signals(stop):
        try:
            async with serving_metrics(metrics, settings.metrics_port, app.dispatcher.backlog):
                started, _ = await until_stopped(app.start(), stop)
                if started:
                    console.print("worker ready")
                    await until_stopped(_commands(app.service, console, stdin), stop)
                    await stop.wait()
        finally:
            await app.close()
    return 0


async def _commands(service: Service, console: Console, stdin: TextIO) -> None:
    while line := await read_line(stdin):
        handled = await handle_line(service, line)
        if handled is not None:
            ctx, reply = handled
            console.print(f"[{ctx.channel_id} {ctx.user_id}]", markup=False)
            for card in reply.cards:
                console.print(render(card))
