"""The package as a deployment installs it: a wheel in a fresh venv, played from another folder.

Builds the wheel from the checkout, installs it (dependencies from the registry through pip's cache)
into a new virtualenv, and plays a scripted game with the bundled bank from a folder outside the
checkout, so a bank or migration found only relative to the checkout fails here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.wheel
NOT_SOURCES = (".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def _run(*args: str | Path, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=540
    )


def test_wheel_installs_and_plays_outside_the_checkout(tmp_path: Path) -> None:
    wheels, venv, elsewhere = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    # from a copy of the sources: an in-tree build/ left by an earlier build would put stale files
    # (a renamed migration, say) into the wheel
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source, cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("dailyq-*.whl")
    assert _run(sys.executable, "-m", "venv", venv, cwd=tmp_path).returncode == 0
    installed = _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"dailyq-{wheel.name.split('-')[1]}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata.splitlines()  # the modern form, no deprecation warning

    dailyq = venv / "bin" / "dailyq"
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    shown = _run(dailyq, "--version", cwd=elsewhere)
    assert (shown.returncode, shown.stdout.strip()) == (0, f"dailyq {expected}")

    game = _run(
        dailyq, "play", "--user", "ada", "--db", "game.db",
        cwd=elsewhere,
        stdin="topics\nanswer it averages bootstrap models\ndaily reveal\nleaderboard\nquit\n",
    )  # fmt: skip
    assert game.returncode == 0, game.stderr
    assert game.stderr == ""
    out = game.stdout
    bank = json.loads((ROOT / "questions.json").read_text(encoding="utf-8"))
    assert f"{len(bank['questions'])} questions" in out  # the bundled bank, read from the package
    assert bank["questions"][0]["topic"] in out
    assert "Saved your answer" in out
    assert "ada" in out.split("Saved your answer")[1]  # the leaderboard after the reveal lists the player
    assert (elsewhere / "game.db").stat().st_size > 0  # migrations ran from the package
    # the package's copy is the top-level file authors edit, not a second copy kept by hand
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "bot" / "data" / "questions.json").read_bytes() == (ROOT / "questions.json").read_bytes()
    assert not (site / "questions.json").exists()


def test_the_sdist_carries_the_bank_as_a_file(tmp_path: Path) -> None:
    built = _run(sys.executable, "-m", "build", "--sdist", "--outdir", tmp_path, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (sdist,) = tmp_path.glob("dailyq-*.tar.gz")
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/bot/data/questions.json"))
        assert member.isfile()  # the link's content, not a link that would dangle outside the checkout
        extracted = archive.extractfile(member)
        assert extracted is not None and extracted.read() == (ROOT / "questions.json").read_bytes()
        names = archive.getnames()
    assert any(n.endswith("/bot/store/migrations/versions/0001_initial_schema.py") for n in names)
