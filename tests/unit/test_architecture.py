"""The core never imports a chat or terminal library, nor the adapters."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "rich", "adapters")
CORE = Path(__file__).resolve().parents[2] / "bot"


def imported_modules(path: Path) -> set[str]:
    """Top-level module names a file imports (static and ``importlib``-by-string)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names.update(
                arg.value.split(".")[0]
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return names


def test_core_imports_no_platform_library() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(path.relative_to(CORE.parent)): sorted(imported_modules(path) & set(FORBIDDEN))
        for path in files
        if imported_modules(path) & set(FORBIDDEN)
    }
    assert offenders == {}


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import discord.ext\nfrom rich.table import Table\n"
        "import importlib\nimportlib.import_module('adapters.x')\n"
    )
    assert imported_modules(sample) >= {"discord", "rich", "adapters"}
