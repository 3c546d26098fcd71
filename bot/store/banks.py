"""Workspace banks in the database: save a new version, list, remove, and read questions back.

Rows are never deleted. A new upload under the same name is the next version; removing a bank
sets ``removed_at``; every version's questions stay so a past round can still show its question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.model import Question
from bot.store.dialect import insert_ignore, upsert_replace
from bot.store.tables import bank_questions, banks, channel_banks


@dataclass(frozen=True)
class StoredBank:
    """A workspace bank as listed: name, title, current version, question count, who and when."""

    name: str
    title: str
    version: int
    questions: int
    updated_by: str
    updated_at: datetime
    removed: bool


def _workspace(platform: str, workspace_id: str) -> ColumnElement[bool]:
    return and_(banks.c.platform == platform, banks.c.workspace_id == workspace_id)


async def lock_bank(
    conn: AsyncConnection, platform: str, workspace_id: str, name: str, now: datetime
) -> tuple[int, int]:
    """Lock bank ``name`` for this transaction (creating it, hidden and empty, if new); its id and
    current version (0 for a new one). Whoever reads a bank to write its next version locks it
    first, so two approvals at once cannot both build on the same version."""
    placeholder = {
        "platform": platform,
        "workspace_id": workspace_id,
        "name": name,
        "title": name,
        "version": 0,
        "questions": 0,
        "updated_by": "",
        "updated_at": now,
        "removed_at": now,
    }
    await insert_ignore(conn, banks, placeholder, ("platform", "workspace_id", "name"))
    row = (
        await conn.execute(
            select(banks.c.id, banks.c.version)
            .where(_workspace(platform, workspace_id), banks.c.name == name)
            .with_for_update()
        )
    ).one()
    return int(row.id), int(row.version)


async def save_version(
    conn: AsyncConnection,
    platform: str,
    workspace_id: str,
    name: str,
    title: str,
    questions: tuple[Question, ...],
    *,
    by: str,
    now: datetime,
) -> int:
    """Store ``questions`` as the next version of bank ``name`` (reviving a removed one); the
    version number. Call inside the caller's transaction: the header and every row go together."""
    bank_pk, current = await lock_bank(conn, platform, workspace_id, name, now)
    version = current + 1
    values = {"title": title, "questions": len(questions), "updated_by": by, "updated_at": now}
    await conn.execute(
        update(banks).where(banks.c.id == bank_pk).values(version=version, removed_at=None, **values)
    )
    await conn.execute(
        insert(bank_questions),
        [
            {
                "bank_pk": bank_pk,
                "version": version,
                "question_id": q.id,
                "topic": q.topic,
                "difficulty": q.difficulty,
                "body": q.model_dump_json(),
            }
            for q in questions
        ],
    )
    return version


async def list_banks(
    conn: AsyncConnection, platform: str, workspace_id: str, *, removed: bool = False
) -> list[StoredBank]:
    """The workspace's banks by name; removed ones only when asked."""
    statement = select(banks).where(_workspace(platform, workspace_id)).order_by(banks.c.name)
    if not removed:
        statement = statement.where(banks.c.removed_at.is_(None))
    return [
        StoredBank(
            r.name, r.title, r.version, r.questions, r.updated_by, r.updated_at, r.removed_at is not None
        )
        for r in (await conn.execute(statement)).all()
    ]


async def remove_bank(
    conn: AsyncConnection, platform: str, workspace_id: str, name: str, now: datetime
) -> bool:
    """Mark bank ``name`` removed (its questions stay for history); False if there is none."""
    result = await conn.execute(
        update(banks)
        .where(_workspace(platform, workspace_id), banks.c.name == name, banks.c.removed_at.is_(None))
        .values(removed_at=now)
    )
    return bool(result.rowcount)


async def current_questions(
    conn: AsyncConnection, platform: str, workspace_id: str, names: tuple[str, ...] | None = None
) -> dict[str, tuple[Question, ...]]:
    """The current version's questions of each active bank (of ``names`` when given), by bank name."""
    statement = (
        select(banks.c.name, bank_questions.c.body)
        .join(
            bank_questions,
            (bank_questions.c.bank_pk == banks.c.id) & (bank_questions.c.version == banks.c.version),
        )
        .where(_workspace(platform, workspace_id), banks.c.removed_at.is_(None))
        .order_by(banks.c.name, bank_questions.c.question_id)
    )
    if names is not None:
        statement = statement.where(banks.c.name.in_(names))
    found: dict[str, list[Question]] = {}
    for row in (await conn.execute(statement)).all():
        found.setdefault(row.name, []).append(Question.model_validate(json.loads(row.body)))
    return {name: tuple(questions) for name, questions in found.items()}


async def find_question(
    conn: AsyncConnection, platform: str, workspace_id: str, name: str, question_id: str
) -> Question | None:
    """Question ``question_id`` of bank ``name`` in its latest version that has it, removed or not:
    what a past round shows."""
    statement = (
        select(bank_questions.c.body)
        .join(banks, bank_questions.c.bank_pk == banks.c.id)
        .where(
            _workspace(platform, workspace_id),
            banks.c.name == name,
            bank_questions.c.question_id == question_id,
        )
        .order_by(bank_questions.c.version.desc())
        .limit(1)
    )
    body = (await conn.execute(statement)).scalar()
    return None if body is None else Question.model_validate(json.loads(body))


async def remove_credit(
    conn: AsyncConnection, platform: str, workspace_id: str, name: str, question_id: str, credit: str
) -> int:
    """Strip the sentence ``credit`` from the explanation of question ``question_id`` of bank
    ``name`` in every version that has it (forget-me); how many stored rows changed."""
    statement = (
        select(bank_questions.c.bank_pk, bank_questions.c.version, bank_questions.c.body)
        .join(banks, bank_questions.c.bank_pk == banks.c.id)
        .where(
            _workspace(platform, workspace_id),
            banks.c.name == name,
            bank_questions.c.question_id == question_id,
        )
    )
    changed = 0
    for row in (await conn.execute(statement)).all():
        body = json.loads(row.body)
        explanation = str(body.get("explanation") or "")
        if credit not in explanation:
            continue
        body["explanation"] = " ".join(explanation.replace(credit, " ").split())
        await conn.execute(
            update(bank_questions)
            .where(
                bank_questions.c.bank_pk == row.bank_pk,
                bank_questions.c.version == row.version,
                bank_questions.c.question_id == question_id,
            )
            .values(body=json.dumps(body))
        )
        changed += 1
    return changed


async def forget_editor(conn: AsyncConnection, platform: str, workspace_id: str, user_id: str) -> None:
    """Blank ``user_id`` where it is named as the last to change a bank (forget-me)."""
    await conn.execute(
        update(banks)
        .where(_workspace(platform, workspace_id), banks.c.updated_by == user_id)
        .values(updated_by="")
    )


async def chosen_bank_names(conn: AsyncConnection, channel_pk: int) -> tuple[str, ...] | None:
    """The names of the banks a channel chose; None when it never chose."""
    statement = select(channel_banks.c.names).where(channel_banks.c.channel_pk == channel_pk)
    names = (await conn.execute(statement)).scalar()
    return None if names is None else tuple(json.loads(names))


async def choose_bank_names(conn: AsyncConnection, channel_pk: int, names: tuple[str, ...]) -> None:
    """Store the names of the banks a channel draws from."""
    await upsert_replace(
        conn, channel_banks, {"channel_pk": channel_pk, "names": json.dumps(list(names))}, ("channel_pk",)
    )
