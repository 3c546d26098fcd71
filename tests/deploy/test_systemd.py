"""The systemd unit in deploy/ passes ``systemd-analyze verify`` (skipped where systemd is missing)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "dailyq@.service"
INSTALLED = "/opt/dailyq/.venv/bin/dailyq"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("platform", ["discord", "slack"])
def test_the_unit_file_verifies(tmp_path: Path, platform: str) -> None:
    text = UNIT.read_text()
    assert f"ExecStart={INSTALLED} run %i" in text
    # verify checks that ExecStart exists: point it at this checkout's installed command
    here = Path(sys.executable).parent / "dailyq"
    (tmp_path / UNIT.name).write_text(text.replace(INSTALLED, str(here)))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / f"dailyq@{platform}.service")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert (done.returncode, done.stderr.strip()) == (0, "")
