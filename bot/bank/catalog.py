"""Which questions a channel draws from, and finding any round's question again.

A channel draws from the banks it chose (``daily set ... banks builtin,ours``; the bundled bank
alone by default). A workspace question's id is qualified with its bank, ``ours:my-question``,
in rounds and practice cards, so it never clashes with a bundled id and a past round finds its
question (in the latest stored version that has it) even after the bank was removed or replaced.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.bank.model import Bank, Question
from bot.context import Context
from bot.daily.posts import MISSING_QUESTION, question_or_placeholder
from bot.store import banks as bank_store
from bot.store.channels import Channel, get_channel
from bot.store.workspaces import channel_workspace, user_workspace

UNGRADED = (
    "This question has no key points yet, so answers are not graded: every answer earns the "
    "participation points (and streak), none the quality points."
)
JUDGED_ONLY = (
    "This question has no key points yet, so the judge grades the answers against the reference "
    "answer at the reveal."
)
BUILTIN = "builtin"
DEFAULT = (BUILTIN,)
SEPARATOR = ":"


def qualified(bank: str, question_id: str) -> str:
    """The id a workspace question goes by outside its bank."""
    return f"{bank}{SEPARATOR}{question_id}"


def qualify(bank: str, questions: tuple[Question, ...]) -> list[Question]:
    """Copies of ``questions`` under their qualified ids (ids are only ever compared, not re-validated)."""
    return [q.model_copy(update={"id": qualified(bank, q.id)}) for q in questions]


async def chosen_banks(conn: AsyncConnection, channel_pk: int) -> tuple[str, ...]:
    """The names of the banks a channel draws from."""
    names = await bank_store.chosen_bank_names(conn, channel_pk)
    return DEFAULT if names is None else names


async def choose_banks(conn: AsyncConnection, channel_pk: int, names: tuple[str, ...]) -> None:
    """Store the banks a channel draws from."""
    await bank_store.choose_bank_names(conn, channel_pk, names)


async def missing_banks(
    conn: AsyncConnection, platform: str, workspace_id: str, names: tuple[str, ...]
) -> list[str]:
    """The names among ``names`` that are neither the bundled bank nor an active workspace bank."""
    stored = {b.name for b in await bank_store.list_banks(conn, platform, workspace_id)}
    return [name for name in names if name != BUILTIN and name not in stored]


async def union(
    conn: AsyncConnection, bundled: Bank, platform: str, workspace_id: str, names: tuple[str, ...]
) -> Bank:
    """The questions of the banks ``names`` of a workspace together (a removed bank is left out)."""
    if names == DEFAULT:
        return bundled
    questions = list(bundled.questions) if BUILTIN in names else []
    stored = await bank_store.current_questions(conn, platform, workspace_id, names)
    for name in names:
        questions += qualify(name, stored.get(name, ()))
    # every chosen bank removed: the channel goes on with the bundled one rather than stop
    return Bank(tuple(questions), bundled.sources) if questions else bundled


async def workspace_bank(conn: AsyncConnection, bundled: Bank, platform: str, workspace_id: str) -> Bank:
    """Every question a workspace has: the bundled bank and all its active banks (for stats)."""
    names = tuple(b.name for b in await bank_store.list_banks(conn, platform, workspace_id))
    return await union(conn, bundled, platform, workspace_id, (BUILTIN, *names))


async def draw_bank(conn: AsyncConnection, bundled: Bank, channel: Channel) -> Bank:
    """The union of the banks ``channel`` chose."""
    names = await chosen_banks(conn, channel.id)
    return await union(conn, bundled, channel.platform, channel.workspace_id, names)


def _placeholder(question_id: str) -> Question:
    # built through model_copy: a qualified id does not match the pattern of a bank file's ids
    return Question(
        id="missing", topic="unknown", question=MISSING_QUESTION, answer=MISSING_QUESTION
    ).model_copy(update={"id": question_id})


async def round_question(
    db: AsyncConnection | AsyncEngine, bundled: Bank, channel_pk: int, question_id: str
) -> Question:
    """The question of a round or practice card of channel ``channel_pk``; a placeholder if it is
    nowhere. Give the open connection when inside a transaction (SQLite has one connection)."""
    found = bundled.get(question_id)
    if found is not None or SEPARATOR not in question_id:
        return question_or_placeholder(bundled, question_id)
    if isinstance(db, AsyncEngine):
        async with db.connect() as conn:
            return await round_question(conn, bundled, channel_pk, question_id)
    channel = await channel_workspace(db, channel_pk)
    if channel is None:
        return _placeholder(question_id)
    return await workspace_question(db, bundled, channel.platform, channel.workspace_id, question_id)


async def workspace_question(
    conn: AsyncConnection, bundled: Bank, platform: str, workspace_id: str, question_id: str
) -> Question:
    """A bundled or (qualified id) workspace question; a placeholder if it is nowhere."""
    if SEPARATOR not in question_id:
        return question_or_placeholder(bundled, question_id)
    bank, _, local_id = question_id.partition(SEPARATOR)
    question = await bank_store.find_question(conn, platform, workspace_id, bank, local_id)
    if question is None:
        return _placeholder(question_id)
    return question.model_copy(update={"id": question_id})


async def questions_by_id(
    conn: AsyncConnection, bundled: Bank, platform: str, workspace_id: str, ids: Iterable[str]
) -> dict[str, Question]:
    """Each id's question, bundled or from the workspace's banks (removed ones too, so past rounds
    keep their text); a placeholder for an id that is nowhere."""
    return {
        question_id: await workspace_question(conn, bundled, platform, workspace_id, question_id)
        for question_id in dict.fromkeys(ids)
    }


async def practice_bank(conn: AsyncConnection, bundled: Bank, ctx: Context) -> Bank:
    """What the caller practises from: the banks of the channel they ask in (bundled by default)."""
    channel = await get_channel(conn, ctx.channel)
    return bundled if channel is None else await draw_bank(conn, bundled, channel)


async def topic_names(
    conn: AsyncConnection, bundled: Bank, ctx: Context, banks: tuple[str, ...] | None = None
) -> list[str]:
    """The topics autocomplete offers, in bank order (bundled first): of the banks ``banks`` when
    given (``daily set ... banks`` typed in the same command), else of the banks the caller's
    channel draws from. Unknown or removed names among ``banks`` are left out."""
    if banks is None:
        bank = await practice_bank(conn, bundled, ctx)
    else:
        bank = await union(conn, bundled, ctx.platform, ctx.workspace_id, banks)
    return [name for name, _ in bank.topics()]


async def practice_question(
    conn: AsyncConnection, bundled: Bank, user_pk: int, question_id: str
) -> Question | None:
    """A practice card's question, bundled or from the user's workspace; None if it is nowhere."""
    if SEPARATOR not in question_id:
        return bundled.get(question_id)
    user = await user_workspace(conn, user_pk)
    if user is None:
        return None
    question = await workspace_question(conn, bundled, user.platform, user.workspace_id, question_id)
    return None if question.question == MISSING_QUESTION else question


def ungraded_note(question: Question, mode: str, *, judged: bool = False) -> tuple[str, ...]:
    """The note a daily post carries when its written answers have no key points to be graded on:
    the judge grades them when one is configured (``judged``), else they are not graded."""
    if mode != "open" or question.key_points:
        return ()
    return (JUDGED_ONLY,) if judged else (UNGRADED,)
