"""Use cases of workspace banks: import an uploaded file, list, remove.

An import is all or nothing: any error (named by file, question and field) and nothing is
stored; otherwise the bank's questions are stored as its next version in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from bot.bank.commands import ImportBank, ListBanks, RemoveBank
from bot.bank.duplicates import Candidate, DuplicateIndex, describe
from bot.bank.model import BankError
from bot.bank.upload import bank_name, validate_upload
from bot.cards import Reply, TableCard, Tone, error, notice
from bot.context import Context
from bot.runtime import Runtime
from bot.store import banks as bank_store

SHOWN_PROBLEMS = 10
SHOWN_DUPLICATES = 5
BUILTIN = "builtin"
FORGOTTEN = "(forgotten)"  # who changed a bank, after they used forget-me


def _problems(message: str) -> str:
    lines = message.splitlines()
    shown = "\n".join(lines[:SHOWN_PROBLEMS])
    more = len(lines) - SHOWN_PROBLEMS
    return shown + (f"\n... and {more} more." if more > 0 else "")


async def existing_index(rt: Runtime, ctx: Context, *, besides: str = "") -> DuplicateIndex:
    """Every question the workspace can already draw from (the bundled bank and its banks but
    ``besides``), ready for duplicate checks."""
    async with rt.engine.connect() as conn:
        stored = await bank_store.current_questions(conn, ctx.platform, ctx.workspace_id)
    candidates = [Candidate(q.id, q.topic, q.question, q.answer) for q in rt.bank.questions]
    for name, questions in stored.items():
        if name != besides:
            candidates += [Candidate(f"{name}:{q.id}", q.topic, q.question, q.answer) for q in questions]
    return DuplicateIndex(candidates)


async def import_bank(rt: Runtime, ctx: Context, cmd: ImportBank) -> Reply:
    """Validate the uploaded file and store it as the next version of its bank."""
    try:
        name = bank_name(cmd.name or cmd.filename)
        index = await existing_index(rt, ctx, besides=name)
        upload = validate_upload(cmd.filename, cmd.content, name, index)
    except BankError as exc:
        return error(f"Nothing was imported.\n{_problems(str(exc))}")
    async with rt.engine.begin() as conn:
        version = await bank_store.save_version(
            conn,
            ctx.platform,
            ctx.workspace_id,
            upload.name,
            upload.title,
            upload.questions,
            by=ctx.user_id,
            now=rt.clock.now(),
        )
    lines = [
        f"Imported bank '{upload.name}' version {version}: {len(upload.questions):,} questions.",
        f"A channel draws from it with: daily set HH:MM banks builtin,{upload.name}",
    ]
    if upload.warnings:
        lines.append(f"{len(upload.warnings)} warnings (fields to fill in), e.g. {upload.warnings[0]}")
    for question_id, near in upload.duplicates[:SHOWN_DUPLICATES]:
        lines.append(f"'{question_id}': {describe(near)}")
    if len(upload.duplicates) > SHOWN_DUPLICATES:
        lines.append(f"... and {len(upload.duplicates) - SHOWN_DUPLICATES} more possible duplicates.")
    return notice("\n".join(lines), Tone.SUCCESS)


def _changed(when: datetime, by: str) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC by {by or FORGOTTEN}"


async def list_banks(rt: Runtime, ctx: Context, _cmd: ListBanks) -> Reply:
    """The bundled bank and the workspace's banks."""
    async with rt.engine.connect() as conn:
        stored = await bank_store.list_banks(conn, ctx.platform, ctx.workspace_id)
    rows = [(BUILTIN, "-", str(len(rt.bank.questions)), "bundled with the bot")]
    rows += [
        (
            b.name,
            str(b.version),
            str(b.questions),
            f"{b.updated_at:%Y-%m-%d %H:%M} UTC by {b.updated_by or FORGOTTEN}",
        )
        for b in stored
    ]
    return Reply(
        (
            TableCard(
                "Question banks",
                ("bank", "version", "questions", "updated"),
                tuple(rows),
                footer="Admins: bank import <file>, bank remove <name>; daily set ... banks a,b",
            ),
        )
    )


async def remove_bank(rt: Runtime, ctx: Context, cmd: RemoveBank) -> Reply:
    """Stop offering a bank; channels drawing from it fall back to their other banks."""
    name = cmd.name.strip().casefold()
    if name == BUILTIN:
        return error(
            "The bundled bank cannot be removed; a channel can leave it out with daily set ... banks."
        )
    async with rt.engine.begin() as conn:
        removed = await bank_store.remove_bank(conn, ctx.platform, ctx.workspace_id, name, rt.clock.now())
    if not removed:
        return error(f"There is no bank '{cmd.name[:40]}' here. `bank list` shows them.")
    return notice(
        f"Removed bank '{name}'. Past rounds keep their questions; `bank import` brings it back.",
        Tone.SUCCESS,
    )
