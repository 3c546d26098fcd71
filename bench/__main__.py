"""``make bench``: run every benchmark, print one markdown table, write ``bench/results.md``.

``python -m bench`` runs them all; ``python -m bench answers leaderboard`` runs a subset. A
benchmark that fails is reported as a row saying so (the others still run) and makes the exit
code 1; a missed goal is a figure like any other (marked **no**), not a failure.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sqlite3
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata

from bench.common import BENCH_DIR, Figure, quiet_logs

# cheapest first; each module has run() -> list[Figure]
BENCHMARKS = (
    "bank_import",
    "answers",
    "leaderboard",
    "competition",
    "postgres",
    "process",
    "burst",
    "claims",
    "fanout",
    "reminders",
)
PACKAGES = ("sqlalchemy", "aiosqlite", "asyncpg", "discord.py", "slack-bolt", "slack-sdk", "aiohttp")
HEADER = "| figure | result | baseline (same run) | ratio | goal | met |\n|---|---|---|---|---|---|"


def environment() -> list[str]:
    """Machine, versions and date, as bullet lines for the results file."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    cpu = platform.processor() or platform.machine()
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.system()} {platform.release()}, {cpu}, {_cores()} cores, {_memory()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, " + ", ".join(versions),
    ]


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def _memory() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return "memory unknown"
    return f"{kib / 2**20:.0f} GiB RAM"


def row(figure: Figure) -> str:
    """One table row."""
    cells = (figure.figure, figure.result, figure.baseline, figure.ratio, figure.goal, figure.verdict)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def run_one(name: str) -> tuple[list[Figure], float, bool]:
    """Run one benchmark module: (its figures, seconds taken, whether it completed)."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{name}")
        figures = module.run()
        ok = True
    except Exception as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        figures = [Figure(name, f"failed: {type(exc).__name__}: {exc}", "-", "-", "-", None)]
        ok = False
    return figures, time.perf_counter() - started, ok


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks (default: all), print and save the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], help="benchmarks to run")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    quiet_logs()
    figures: list[Figure] = []
    failed = False
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        found, seconds, ok = run_one(name)
        failed = failed or not ok
        figures.extend(found)
        print(f"  {name}: {seconds:.0f} s", file=sys.stderr, flush=True)
    table = "\n".join([HEADER, *(row(f) for f in figures)])
    print(table)
    if not args.names:  # a partial run does not replace the full results
        text = "# Benchmark results\n\n" + "\n".join(environment()) + "\n\n" + table + "\n"
        (BENCH_DIR / "results.md").write_text(text)
        print(f"\nwritten to {BENCH_DIR / 'results.md'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
