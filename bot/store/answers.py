"""Answers to daily rounds: one row per user per round (the schema's UNIQUE), replaced until reveal."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.answers_folded import folded
from bot.store.dialect import insert_construct
from bot.store.rounds import CLAIMED, OPEN
from bot.store.tables import answers, channels, rounds, users
from bot.store.unit import Query, Work
from bot.store.users import MAX_NAME


async def round_answers(conn: AsyncConnection, round_id: int) -> list[Row[Any]]:
    """Every answer of a round with the answerer's name, best first (score, then time)."""
    statement = (
        select(answers, users.c.display_name)
        .join(users, users.c.id == answers.c.user_pk)
        .where(answers.c.round_id == round_id)
        .order_by(answers.c.score.desc(), answers.c.answered_at)
    )
    return list((await conn.execute(statement)).all())


async def set_points(conn: AsyncConnection, answer_id: int, points: int) -> None:
    """Record the points an answer earned at the reveal."""
    await conn.execute(update(answers).where(answers.c.id == answer_id).values(points=points))


async def verdict_counts(conn: AsyncConnection, user_pk: int) -> list[tuple[str, int]]:
    """How many scored answers of a user fall under each verdict."""
    statement = (
        select(answers.c.verdict, func.count())
        .join(rounds, rounds.c.id == answers.c.round_id)
        .where(answers.c.user_pk == user_pk, rounds.c.scored.is_(True))
        .group_by(answers.c.verdict)
    )
    return [(str(v), int(n)) for v, n in (await conn.execute(statement)).all()]


async def scored_answers(conn: AsyncConnection, user_pk: int) -> list[Any]:
    """A user's scored answers with question ids (for accuracy by topic)."""
    statement = (
        select(rounds.c.question_id, answers.c.verdict)
        .join(rounds, rounds.c.id == answers.c.round_id)
        .where(answers.c.user_pk == user_pk, rounds.c.scored.is_(True))
    )
    return list((await conn.execute(statement)).all())


# -- submitting an answer: one unit of work (bot.store.unit) ----------------------------------


class Outcome(StrEnum):
    """What became of a submitted answer."""

    STORED = "stored"
    LOCKED = "locked"  # a quiz pick was already locked in: this one was not stored
    UNGRADED = "ungraded"  # the round is open, but the answer was not graded for its question
    CLOSED = "closed"  # revealed or skipped
    POSTING = "posting"  # claimed, the post not confirmed yet
    NO_ROUND = "no_round"


@dataclass(frozen=True)
class RoundFacts:
    """What answering needs of a round (and its channel's time zone)."""

    round_id: int
    channel_pk: int
    question_id: str
    mode: str
    seed: int
    state: str
    reveal_at: datetime
    timezone: str


@dataclass(frozen=True)
class PriorAnswer:
    """The caller's stored answer to the round, as a closed or locked reply shows it."""

    choice: int | None
    verdict: str
    points: int
    feedback: str | None


@dataclass(frozen=True)
class Graded:
    """An answer graded (written) or judged (quiz pick) for one round's question, ready to store."""

    round_id: int
    question_id: str
    text: str | None
    choice: int | None
    score: float
    verdict: str
    key_points: str | None
    answered_at: datetime


@dataclass(frozen=True)
class Submitted:
    """The unit's outcome, with the round as it stands and the caller's prior answer, if any."""

    outcome: Outcome
    round: RoundFacts | None = None
    prior: PriorAnswer | None = None


@dataclass(frozen=True)
class Target:
    """The round an answer goes to: by id (answer forms, buttons) or the channel's latest."""

    platform: str
    workspace_id: str
    channel_id: str
    round_id: int | None


_USER_MATCH = and_(
    users.c.platform == channels.c.platform,
    users.c.workspace_id == channels.c.workspace_id,
    users.c.user_id == bindparam("user_id"),
)
_FACTS = (
    select(
        rounds.c.id,
        rounds.c.channel_pk,
        rounds.c.question_id,
        rounds.c.mode,
        rounds.c.seed,
        rounds.c.state,
        rounds.c.reveal_at,
        channels.c.timezone,
        users.c.id,
        users.c.display_name,
        answers.c.id,
        answers.c.choice,
        answers.c.verdict,
        answers.c.points,
        answers.c.feedback,
    )
    .select_from(
        rounds.join(channels, channels.c.id == rounds.c.channel_pk)
        .outerjoin(users, _USER_MATCH)
        .outerjoin(answers, and_(answers.c.round_id == rounds.c.id, answers.c.user_pk == users.c.id))
    )
    .where(channels.c.platform == bindparam("platform"), channels.c.workspace_id == bindparam("workspace_id"))
    # PostgreSQL: hold the round row, so a concurrent reveal claim waits for this answer and
    # scores it (SQLite: the unit's BEGIN IMMEDIATE holds the write lock already)
    .with_for_update(of=rounds)
)
_BY_ID = _FACTS.where(rounds.c.id == bindparam("round_id"))
_LATEST = _FACTS.where(channels.c.channel_id == bindparam("channel_id")).order_by(rounds.c.id.desc()).limit(1)
ROUND_BY_ID = Query(_BY_ID)
LATEST_ROUND = Query(_LATEST)
# (by id, replace) -> the folded first statement (bot.store.answers_folded)
FOLDED = {
    (by_id, replace): Query(partial(folded, looked_up=statement, replace=replace), alone=True)
    for by_id, statement in ((True, _BY_ID), (False, _LATEST))
    for replace in (True, False)
}
FIND_USER = Query(
    select(users.c.id).where(
        users.c.platform == bindparam("platform"),
        users.c.workspace_id == bindparam("workspace_id"),
        users.c.user_id == bindparam("user_id"),
    )
)
ADD_USER = Query(
    lambda dialect: insert_construct(dialect, users).on_conflict_do_nothing(
        index_elements=["platform", "workspace_id", "user_id"]
    ),
    ("platform", "workspace_id", "user_id", "display_name", "created_at"),
)
RENAME_USER = Query(update(users).where(users.c.id == bindparam("pk")).values(display_name=bindparam("name")))
_ANSWER_COLUMNS = (
    "round_id",
    "user_pk",
    "text",
    "choice",
    "score",
    "verdict",
    "points",
    "answered_at",
    "key_points",
)


def _replace_answer(dialect: str) -> Any:
    statement = insert_construct(dialect, answers)
    return statement.on_conflict_do_update(
        index_elements=["round_id", "user_pk"],
        set_={name: statement.excluded[name] for name in _ANSWER_COLUMNS[2:]},
    )


REPLACE_ANSWER = Query(_replace_answer, _ANSWER_COLUMNS)
LOCK_IN_ANSWER = Query(
    lambda dialect: insert_construct(dialect, answers).on_conflict_do_nothing(
        index_elements=["round_id", "user_pk"]
    ),
    _ANSWER_COLUMNS,
)
PICKED = Query(
    select(answers.c.choice, answers.c.verdict, answers.c.points, answers.c.feedback).where(
        answers.c.round_id == bindparam("round_id"), answers.c.user_pk == bindparam("user_pk")
    )
)


def submit(
    target: Target, user_id: str, display_name: str, graded: Graded | None, now: datetime
) -> Work[Submitted]:
    """Store ``graded`` as the user's answer if the round is open and it was graded for the round's
    question; else say why not (``UNGRADED``: grade for ``round`` and submit again). Finds or creates
    the user (refreshing a changed display name) only when it stores.

    A graded answer starts with the folded statement (``bot.store.answers_folded``): on PostgreSQL
    it stores the common answer in one round trip, else the unit starts over the long way."""
    keys = {"platform": target.platform, "workspace_id": target.workspace_id, "user_id": user_id}
    given = display_name.strip()[:MAX_NAME]
    row: tuple[Any, ...] | None = None
    if graded is not None and (target.round_id is None or target.round_id == graded.round_id):
        # the common answer in one statement; what it read goes on only if still held
        folded_row = (
            yield FOLDED[target.round_id is not None, graded.choice is None](
                round_id=graded.round_id,
                channel_id=None if target.round_id is not None else target.channel_id,
                question_id=graded.question_id,
                given=given,
                new_name=given or user_id,
                created_at=now,
                **_answer_values(graded, None),
                **keys,
            )
        ).first()
        if folded_row is not None and folded_row[-2]:
            return Submitted(Outcome.STORED, RoundFacts(*folded_row[:8]))
        if folded_row is not None and folded_row[-1]:
            row = folded_row[:-2]
    if row is None and target.round_id is None:
        row = (yield LATEST_ROUND(channel_id=target.channel_id, **keys)).first()
    elif row is None:
        row = (yield ROUND_BY_ID(round_id=target.round_id, **keys)).first()
    if row is None:
        return Submitted(Outcome.NO_ROUND)
    facts = RoundFacts(*row[:8])
    user_pk, stored_name, answer_id = row[8], row[9], row[10]
    prior = PriorAnswer(*row[11:15]) if answer_id is not None else None
    if facts.state == CLAIMED:
        return Submitted(Outcome.POSTING, facts)
    if facts.state != OPEN:
        return Submitted(Outcome.CLOSED, facts, prior)
    if graded is None or (graded.round_id, graded.question_id) != (facts.round_id, facts.question_id):
        return Submitted(Outcome.UNGRADED, facts)
    if user_pk is None:
        yield ADD_USER(display_name=given or user_id, created_at=now, **keys)
        user_pk = (yield FIND_USER(**keys)).rows[0][0]  # ours, or a concurrent first contact's
        stored_name = given or user_id
    if given and stored_name != given:
        yield RENAME_USER(pk=user_pk, name=given)
    values = {"round_id": facts.round_id, **_answer_values(graded, user_pk)}
    if graded.choice is None:
        yield REPLACE_ANSWER(**values)
        return Submitted(Outcome.STORED, facts)
    if (yield LOCK_IN_ANSWER(**values)).rowcount:
        return Submitted(Outcome.STORED, facts)
    picked = (yield PICKED(round_id=facts.round_id, user_pk=user_pk)).first()
    return Submitted(Outcome.LOCKED, facts, PriorAnswer(*picked) if picked is not None else None)


def _answer_values(graded: Graded, user_pk: int | None) -> dict[str, Any]:
    return {
        "user_pk": user_pk,
        "text": graded.text,
        "choice": graded.choice,
        "score": graded.score,
        "verdict": graded.verdict,
        "points": 0,
        "answered_at": graded.answered_at,
        "key_points": graded.key_points,
    }


class RoundHints:
    """The round each target was last found to be, so an answer is graded before its one unit of
    work. Only a hint: the unit checks it against the database and says when it is stale."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._facts: OrderedDict[Target, RoundFacts] = OrderedDict()

    def get(self, target: Target) -> RoundFacts | None:
        """The round last seen for ``target``."""
        return self._facts.get(target)

    def remember(self, target: Target, facts: RoundFacts) -> None:
        """Keep ``facts`` for ``target`` (the oldest hints go first)."""
        self._facts[target] = facts
        self._facts.move_to_end(target)
        while len(self._facts) > self._size:
            self._facts.popitem(last=False)
