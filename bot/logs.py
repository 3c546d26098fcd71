"""Log lines as readable text (the default) or one JSON object per line (``DAILYQ_LOG_FORMAT=json``).

Every JSON line has ``time``, ``level``, ``logger`` and ``message``, plus the ids of the workspace,
channel and round being worked on where known: the core binds them around a command
(``Service.handle``) and around the work on one round, in a context variable, so every line
logged meanwhile, by any module or library, carries them. Secrets never reach a log line in the
first place (settings hold them as ``SecretStr``; URLs are redacted), whatever the format.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Concatenate, Literal, ParamSpec, TypeVar

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ID_FIELDS = ("workspace", "channel", "round")

# A context variable, not a global: each asyncio task sees the ids bound in its own context.
_ids: ContextVar[Mapping[str, str]] = ContextVar("dailyq_log_ids", default=MappingProxyType({}))

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


@contextlib.contextmanager
def bind(**ids: object) -> Iterator[None]:
    """Within the block, log lines carry these ids (``workspace``, ``channel``, ``round``)."""
    token = _ids.set({**_ids.get(), **{key: str(value) for key, value in ids.items() if value is not None}})
    try:
        yield
    finally:
        _ids.reset(token)


def bound_ids() -> Mapping[str, str]:
    """The ids bound where this is called."""
    return _ids.get()


def round_logged(
    method: Callable[Concatenate[S, int, P], Awaitable[R]],
) -> Callable[Concatenate[S, int, P], Awaitable[R]]:
    """Decorate an async method whose first argument is a round id: its log lines carry it."""

    @functools.wraps(method)
    async def wrapper(self: S, round_id: int, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with bind(round=round_id):
            return await method(self, round_id, *args, **kwargs)

    return wrapper


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback goes into ``exception``)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ids = getattr(record, "dailyq_ids", None) or bound_ids()
        entry.update({key: ids[key] for key in ID_FIELDS if key in ids})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _CaptureIds(logging.Filter):
    """Copies the bound ids onto the record where it is logged (handlers may run elsewhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the ids; never drops a record."""
        if not hasattr(record, "dailyq_ids"):
            record.dailyq_ids = dict(bound_ids())
        return True


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    """The formatter of ``log_format``."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure(log_format: LogFormat, level: int | str) -> None:
    """Log to stderr in ``log_format`` at ``level`` (replaces any handler set up before)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(_CaptureIds())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
