"""The shape of the code: dependencies point one way, adapters use the core's declared surface only,
and the core has no import cycles."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What adapters may import from the core. Everything else in bot/ is the core's own business.
SURFACE = {
    "bot.app",
    "bot.cards",
    "bot.commands",
    "bot.config",
    "bot.context",
    "bot.logs",
    "bot.ports",
    "bot.service",
    "bot.store.db",  # opening and checking a database: `dailyq doctor`, the CLI's errors
    "bot.bank.model",
    "bot.bank.commands",
    "bot.bank.upload",
    # `dailyq bank check|grade`: the bank tools run the same checks and grading the core runs
    "bot.bank.grading",
    "bot.bank.quality",
    "bot.bank.quiz_quality",
    "bot.bank.markdown_import",
    # parsing what people type into a command
    "bot.text.grammar",
    "bot.text.bank_grammar",
    "bot.text.timeparse",
    "bot.text.sanitize",
    "bot.daily.schedule",
    "bot.standings.seasons",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports, anywhere in the file (``from pkg import mod`` names mod)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in modules}


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _all_modules() -> set[str]:
    return {_module_name(p) for folder in ("bot", "adapters") for p in _sources(folder)}


def test_adapters_import_only_the_core_surface() -> None:
    modules = _all_modules()
    outside = {
        f"{_module_name(path)} imports {name}"
        for path in _sources("adapters")
        for name in _imports(path, modules)
        if name.startswith("bot.") and name not in SURFACE and name != "bot"
    }
    assert outside == set()


def test_the_core_never_imports_an_adapter() -> None:
    modules = _all_modules()
    upward = {
        f"{_module_name(path)} imports {name}"
        for path in _sources("bot")
        for name in _imports(path, modules)
        if name.startswith("adapters")
    }
    assert upward == set()


@pytest.mark.xfail(strict=True, reason="the round engine and the revealer point at each other (#15)")
def test_no_import_cycle_inside_the_core() -> None:
    modules = {m for m in _all_modules() if m.startswith("bot")}
    graph: dict[str, set[str]] = {}
    for path in _sources("bot"):
        source = _module_name(path)
        # a package's own __init__ is not a dependency of its modules
        graph[source] = {t for t in _imports(path, modules) if t != source and not source.startswith(t + ".")}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
