"""``dailyq backup FILE``: a consistent copy of the SQLite database while the bot runs.

It uses SQLite's online backup API (``sqlite3.Connection.backup``, what ``sqlite3 db .backup``
does): the copy is one consistent snapshot even while answers are being written, unlike copying
the file (whose ``-wal`` companion holds the latest transactions). Restore by stopping the bot
and putting the copy in place of the database file. PostgreSQL is backed up with ``pg_dump``.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings

# One step: in WAL mode the copy reads one snapshot while writers go on; copying in several steps
# would restart whenever another process writes, which under a burst of answers is all the time.
PAGES_PER_STEP = 0
BUSY_TIMEOUT_S = 10.0


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``dailyq backup``."""
    parser.add_argument("destination", type=Path, help="file to write the copy to (replaced if present)")
    parser.add_argument("--db", help="SQLite file or database URL (env DATABASE_URL)")


def database_file(url: str) -> Path:
    """The SQLite file of ``url``; ``BackupError`` for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError(
            f"backup copies SQLite files; for {parsed.get_backend_name()} use its own tools (pg_dump)"
        )
    return Path(parsed.database)


def backup(source: Path, destination: Path) -> int:
    """Copy ``source`` to ``destination`` with the online backup API; returns the pages copied."""
    if not source.is_file():
        raise BackupError(f"{source}: no database file there (check DATABASE_URL or --db)")
    if destination.resolve() == source.resolve():
        raise BackupError("the destination is the database itself: choose another file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    pages = 0

    def progress(_status: int, _remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=progress)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: backup failed: {exc}") from None
    finally:
        src.close()
    partial.replace(destination)  # never a half-written file under the destination's name
    return pages


def run(args: argparse.Namespace) -> int:
    """The ``backup`` command: 0 on success, 2 with a one-line message otherwise."""
    url = args.db if args.db and "://" in args.db else None
    plain_file = args.db and url is None
    source = Path(args.db) if plain_file else database_file(url or Settings().database_url)
    pages = backup(source, args.destination)
    print(f"backed up {source} to {args.destination} ({pages} pages)")
    return 0
