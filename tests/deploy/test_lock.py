"""``requirements.txt`` (the pinned lock a PaaS Python buildpack installs) matches pyproject.toml.

No network: it compares the lock's pins and its "via dailyq (pyproject.toml)" entries with the
dependencies declared in pyproject.toml (plus the ``postgres`` extra, which a PaaS needs).
Regenerate with ``make lock`` after changing dependencies.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.txt"
HOW = "run `make lock` to regenerate requirements.txt from pyproject.toml"


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    return {canonicalize_name(req.name): req for req in map(Requirement, names)}


def pins() -> tuple[dict[str, Version], set[str]]:
    """Every pinned package, and those the lock says come straight from pyproject.toml."""
    pinned: dict[str, Version] = {}
    direct: set[str] = set()
    current = ""
    for line in LOCK.read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if match := re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", entry):
            current = canonicalize_name(match[1])
            pinned[current] = Version(match[2])
        elif entry:
            raise AssertionError(f"unexpected lock line {line!r}: every entry must be name==version")
        elif "dailyq (pyproject.toml)" in line:
            direct.add(current)
    return pinned, direct


def test_every_dependency_is_pinned_within_its_range() -> None:
    pinned, _ = pins()
    wanted = declared()
    missing = sorted(set(wanted) - set(pinned))
    assert missing == [], f"not in the lock: {missing}; {HOW}"
    outside = {name: str(pinned[name]) for name, req in wanted.items() if pinned[name] not in req.specifier}
    assert outside == {}, f"pinned outside pyproject's range: {outside}; {HOW}"


def test_the_lock_was_generated_from_the_current_dependencies() -> None:
    _, direct = pins()
    assert direct == set(declared()), HOW  # a dependency removed from pyproject.toml is stale here


def test_the_lock_includes_the_postgres_driver_a_paas_needs() -> None:
    pinned, _ = pins()
    assert "asyncpg" in pinned and "prometheus-client" in pinned
