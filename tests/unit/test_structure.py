"""The shape of the code: dependencies point one way, adapters use the core's declared surface only,
and the core has no import cycles."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What adapters may import from the core. Everything else in bot/ is the core's own business.
SURFACE = {
    "bot.actions",
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


ENGINE_PEERS = {
    "bot.daily.poster",
    "bot.daily.revealer",
    "bot.standings.champions",
    "bot.daily.reminder_fanout",
}


def test_the_engine_peers_never_import_one_another() -> None:
    modules = _all_modules()
    crossing = {
        f"{_module_name(path)} imports {name}"
        for path in _sources("bot")
        if _module_name(path) in ENGINE_PEERS
        for name in _imports(path, modules)
        if name in ENGINE_PEERS | {"bot.daily.dispatch", "bot.daily.controls", "bot.app"}
    }
    assert crossing == set()


def test_admin_verbs_reach_the_engine_only_through_its_controls() -> None:
    modules = _all_modules()
    admin = ROOT / "bot" / "daily" / "admin.py"
    inside = ENGINE_PEERS | {"bot.daily.dispatch", "bot.daily.failures", "bot.daily.policy"}
    assert _imports(admin, modules) & inside == set()
    assert "bot.daily.controls" in _imports(admin, modules)


def test_the_engine_and_the_use_cases_see_records_not_rows() -> None:
    # answering.py is on its way (the answer path's own records); everything else stays clean
    files = [p for p in _sources("bot/daily") if p.name != "answering.py"] + [ROOT / "bot" / "runtime.py"]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "Row[Any]" in line or ".c." in line
    ]
    assert found == []


SQL_BUILDING = {"select", "insert", "update", "delete", "Row"}


def test_only_the_store_builds_sql_or_sees_rows() -> None:
    found = []
    for path in _sources("bot"):
        name = str(path.relative_to(ROOT))
        if name.startswith("bot/store/"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "Row[Any]" in line or ".c." in line:
                found.append(f"{name}:{number}")
        for node in ast.walk(ast.parse(path.read_text(), name)):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("sqlalchemy")
                and {alias.name for alias in node.names} & SQL_BUILDING
            ):
                found.append(f"{name}:{node.lineno}")
    assert found == []
