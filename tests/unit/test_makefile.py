"""`make play` installs what playing needs; `make test` still installs the test tools and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def planned(target: str) -> list[str]:
    """The pip commands ``make`` would run for a target on a fresh clone (dry run)."""
    done = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stdout.splitlines()
    return [line for line in lines if "pip install" in line and "--upgrade pip" not in line]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_play_installs_the_bot_without_test_tools() -> None:
    play = planned("play")
    assert len(play) == 1 and play[0].endswith(" -e .")  # no extras: no pytest, mypy, ruff, hypothesis
    assert any("[dev,postgres]" in line for line in planned("test"))
