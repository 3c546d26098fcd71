"""Start-up time and resident memory of a real bot process with 10,000 scheduled channels.

The process is ``dailyq run console`` (``python -m adapters run console``): the headless worker
that runs the whole core (settings, bank, migrations, the timer and the rounds logic) with the
console messenger, its output sent to /dev/null. It is ready when it prints ``worker ready``:
the database is migrated, the bank validated and the timer armed.

- start-up: process start to ``worker ready`` on a database with 10,000 channels scheduled for
  tomorrow (nothing due). Baseline: the same interpreter importing the same modules and exiting
  (``python -c "import adapters.cli, ..."``), so the ratio is what the bot adds to its imports.
- footprint idle: resident memory (VmRSS) two seconds after ready, same database.
- footprint during fan-out: peak resident memory (VmHWM) of a worker with the same 10,000
  channels of which ``DUE`` are due at start; the worker posts what is due before it says it is
  ready, so the peak covers the whole fan-out (the console renders every post with rich, which
  makes a post cost about 20 ms: ``DUE`` keeps the run short). Baseline for both: the resident
  memory of a process that imported the same modules.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import seed
from bench.common import ROOT, Figure, median, scratch_dir, sqlite_url

CHANNELS = 10_000
REPEATS = 3
GOAL_START_S = 3.0
GOAL_MB = 150.0
DUE = 1_000
IMPORTS = "import adapters.cli, adapters.console.worker, bot.app, bot.store.db, sqlalchemy, aiosqlite"


def build_db(path: Path, next_post: datetime) -> None:
    """A fresh database with ``CHANNELS`` console channels scheduled at ``next_post``."""
    seed.scheduled_channels_db(
        path,
        CHANNELS,
        platform="console",
        workspaces=["local"],
        channel_ids=[f"c{i:05d}" for i in range(CHANNELS)],
        next_post=next_post,
    )


def worker_env(path: Path) -> dict[str, str]:
    """The worker's environment: the benchmark database, the bundled bank, quiet logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILYQ_", "DATABASE_URL"))}
    env.update(DATABASE_URL=sqlite_url(path), DAILYQ_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return env


def start_worker(path: Path) -> tuple[subprocess.Popen[str], float]:
    """Start a worker on ``path``; return it and the seconds until it printed ``worker ready``."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "adapters", "run", "console"],
        cwd=ROOT,
        env=worker_env(path),
        stdin=subprocess.PIPE,  # kept open: the worker serves until stopped
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "worker ready" in line:
            ready = time.perf_counter() - started
            # drain the rest of its output so a fan-out never blocks on a full pipe
            subprocess.Popen(["cat"], stdin=proc.stdout, stdout=subprocess.DEVNULL)
            return proc, ready
    proc.kill()
    raise RuntimeError(f"worker exited with {proc.wait()} before it was ready")


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill a worker and reap it."""
    proc.kill()
    proc.wait(10)


def memory_mb(pid: int, field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not found for {pid}")


def baseline_start() -> float:
    """Seconds for the interpreter to import the same modules and exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORTS], cwd=ROOT, check=True)
    return time.perf_counter() - started


def baseline_memory() -> float:
    """Resident MB of a process that imported the same modules."""
    code = f"{IMPORTS}\nimport sys, time\nprint('ok', flush=True)\ntime.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        return memory_mb(proc.pid, "VmRSS")
    finally:
        stop(proc)


def make_due(path: Path, count: int, moment: datetime) -> None:
    """Make the first ``count`` channels due at ``moment``."""
    con = sqlite3.connect(path)
    try:
        con.execute("UPDATE channels SET next_post_at = ? WHERE id <= ?", (seed.ts(moment), count))
        con.commit()
    finally:
        con.close()


def posted(path: Path) -> int:
    """Rounds posted in the benchmark database."""
    con = sqlite3.connect(path, timeout=30)
    try:
        return int(con.execute("SELECT count(posted_at) FROM rounds").fetchone()[0])
    finally:
        con.close()


def fanout_peak(path: Path) -> tuple[float, int, float]:
    """(peak MB, rounds posted, seconds to ready) of a worker that starts with ``DUE`` due."""
    proc, ready = start_worker(path)
    try:
        return memory_mb(proc.pid, "VmHWM"), posted(path), ready
    finally:
        stop(proc)


def run() -> list[Figure]:
    """Rows for start-up, idle footprint and footprint during a fan-out."""
    now = datetime.now(UTC)
    with scratch_dir("process") as tmp:
        idle_db = tmp / "idle.db"
        build_db(idle_db, now + timedelta(days=1))
        starts, bases, idle = [], [], []
        for _ in range(REPEATS):
            bases.append(baseline_start())
            proc, ready = start_worker(idle_db)
            try:
                starts.append(ready)
                time.sleep(2)
                idle.append(memory_mb(proc.pid, "VmRSS"))
            finally:
                stop(proc)
        base_mb = baseline_memory()
        due_db = tmp / "due.db"
        build_db(due_db, now + timedelta(days=1))
        make_due(due_db, DUE, now - timedelta(minutes=1))
        peak, done, seconds = fanout_peak(due_db)
    start, base = median(starts), median(bases)
    idle_mb = median(idle)
    return [
        Figure(
            "start-up (10,000 scheduled channels)",
            f"{start:.2f} s from process start to ready (median of {REPEATS})",
            f"importing the same modules: {base:.2f} s",
            f"{start / base:.1f}",
            f"< {GOAL_START_S:.0f} s",
            start < GOAL_START_S,
        ),
        Figure(
            "footprint idle (10,000 scheduled channels)",
            f"{idle_mb:.0f} MB resident",
            f"same imports, idle: {base_mb:.0f} MB",
            f"{idle_mb / base_mb:.2f}",
            f"< {GOAL_MB:.0f} MB",
            idle_mb < GOAL_MB,
        ),
        Figure(
            f"footprint during fan-out ({DUE:,} of the 10,000 channels due)",
            f"{peak:.0f} MB peak resident ({done:,} posted in {seconds:.0f} s)",
            f"same imports, idle: {base_mb:.0f} MB",
            f"{peak / base_mb:.2f}",
            f"< {GOAL_MB:.0f} MB",
            peak < GOAL_MB and done == DUE,
        ),
    ]
