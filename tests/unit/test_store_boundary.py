"""Practice, grades and members reach the database only through ``bot.store`` functions returning
records: they build no SQL, import no table and hold no module-level scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ("bot/practice", "bot/grades", "bot/members")
# the connection and engine types may appear in signatures until the unit-of-work runner lands
ALLOWED_SQLALCHEMY = {"sqlalchemy.ext.asyncio"}


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "sqlalchemy" and name not in ALLOWED_SQLALCHEMY:
                found.append(f"imports {name}")
            if name in ("bot.store.tables", "bot.store.dialect"):
                found.append(f"imports {name}")
    for statement in tree.body:  # module level: a scheduler built at import is shared state
        if isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            if isinstance(func, ast.Name) and func.id == "Scheduler":
                found.append(f"builds a Scheduler at import (line {statement.lineno})")
    return found


def test_features_use_the_store_not_sql() -> None:
    files = [p for folder in FEATURES for p in sorted((ROOT / folder).glob("*.py"))]
    assert len(files) >= 10
    offences = {str(p.relative_to(ROOT)): o for p in files if (o := _offences(p))}
    assert offences == {}


def test_the_check_catches_sql_and_a_scheduler(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sqlalchemy import select\nfrom bot.store.tables import cards\n"
        "from fsrs import Scheduler\nSCHEDULER = Scheduler()\n"
    )
    assert _offences(sample) == [
        "imports sqlalchemy",
        "imports bot.store.tables",
        "builds a Scheduler at import (line 4)",
    ]
