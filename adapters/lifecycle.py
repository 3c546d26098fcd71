"""Process lifecycle shared by every ``dailyq run ...``: a clean stop, and quiet reconnecting.

- ``stop_on_signals``: SIGTERM and SIGINT set an event instead of killing the process, so the
  composition root can stop the timer, close the platform connection and release the database,
  then exit 0 (what a supervisor or a PaaS expects of a stopping process).
- ``until_stopped``: run a step (connecting, a first fan-out) unless the stop comes first.
- ``reach``: call a platform until it answers, one warning line per failed attempt naming the
  host and what to check, waiting longer each time (capped), ending early on a stop.
- ``OneLineErrors``: a logging filter that folds a library's reconnect tracebacks into one line.
- ``read_line``: read a line of input on a daemon thread, so a stop never waits for the Enter key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import TextIO, TypeVar

import aiohttp

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
UNREACHABLE: tuple[type[BaseException], ...] = (OSError, aiohttp.ClientError, asyncio.TimeoutError)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set ``stop`` (the default handlers come back on exit)."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, or not the main thread
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def until_stopped(step: Awaitable[T], stop: asyncio.Event) -> tuple[bool, T | None]:
    """Run ``step`` unless ``stop`` is set first (then ``step`` is cancelled); (finished, result)."""
    task = asyncio.ensure_future(step)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return True, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, *UNREACHABLE):
        await task
    return False, None


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def reach(
    attempt: Callable[[], Awaitable[T]],
    *,
    platform: str,
    host: str,
    hint: str,
    stop: asyncio.Event,
    first_delay: float = FIRST_DELAY,
    max_delay: float = MAX_DELAY,
) -> tuple[bool, T | None]:
    """Call ``attempt`` until it succeeds or ``stop`` is set; (reached, result).

    A network failure logs one warning (platform, host, reason, what to check, next delay) and
    waits, doubling the delay up to ``max_delay`` with a little jitter. Other errors propagate.
    """
    delay = first_delay
    number = 1
    while not stop.is_set():
        finished, result = await _attempt_or_failure(attempt, stop)
        if finished and not isinstance(result, _Failure):
            return True, result
        if not finished:
            return False, None
        assert isinstance(result, _Failure)
        wait = min(delay, max_delay) * random.uniform(0.9, 1.1)
        log.warning(
            "cannot reach %s at %s (attempt %s, %s): check %s; retrying in %.0fs",
            platform,
            host,
            number,
            _reason(result.error),
            hint,
            wait,
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        delay, number = delay * 2, number + 1
    return False, None


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


async def _attempt_or_failure(
    attempt: Callable[[], Awaitable[T]], stop: asyncio.Event
) -> tuple[bool, T | _Failure | None]:
    async def guarded() -> T | _Failure:
        try:
            return await attempt()
        except UNREACHABLE as exc:
            return _Failure(exc)

    return await until_stopped(guarded(), stop)


class OneLineErrors(logging.Filter):
    """Fold the traceback of a record into its last line (for libraries that retry by themselves)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace ``exc_info`` with a one-line reason appended to the message."""
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()} [{_reason(record.exc_info[1])}]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def fold_tracebacks(*logger_names: str) -> None:
    """Install ``OneLineErrors`` on these loggers (their reconnect loops log a traceback per try)."""
    for name in logger_names:
        logging.getLogger(name).addFilter(OneLineErrors())


async def read_line(stream: TextIO) -> str:
    """The next line of ``stream`` ('' at its end), read on a daemon thread.

    The event loop's default executor would keep a blocked ``readline`` thread, and the process
    could not exit on SIGTERM until someone pressed Enter.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def deliver(result: str | BaseException) -> None:
        if done.done():
            return
        if isinstance(result, BaseException):
            done.set_exception(result)
        else:
            done.set_result(result)

    def read() -> None:
        try:
            line: str | BaseException = stream.readline()
        except (OSError, ValueError) as exc:
            line = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(deliver, line)

    threading.Thread(target=read, name="dailyq-stdin", daemon=True).start()
    return await done
