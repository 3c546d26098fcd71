"""``export cards``, ``export answers`` and ``daily export``: your data out, as files, privately.

Grades stay hidden until the reveal, in exports too: an answer to a round not yet scored is
exported without its verdict, score and points, and ``daily export`` (admins) lists an open
round without anybody's answers, so an admin cannot read them before the reveal.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol

from bot.bank.catalog import practice_question, questions_by_id
from bot.bank.model import Question
from bot.cards import FileCard, Reply, notice
from bot.commands import Export, ExportDaily, ExportKind
from bot.context import Context
from bot.daily.picker import quiz_options
from bot.members.export_formats import Note, anki_tsv, csv_bytes
from bot.runtime import Runtime
from bot.store import exports as export_store
from bot.store.exports import AnswerLine, RoundLine
from bot.store.flashcards import flashcards_of

TSV = "text/tab-separated-values"
CSV = "text/csv"
ANSWER_COLUMNS = (
    "date",
    "channel",
    "round",
    "question_id",
    "topic",
    "question",
    "mode",
    "answer",
    "verdict",
    "score",
    "points",
    "answered_at",
)
ROUND_COLUMNS = (
    "round",
    "date",
    "slot",
    "question_id",
    "topic",
    "question",
    "mode",
    "state",
    "posted_at",
    "revealed_at",
    "user_id",
    "user",
    "answer",
    "verdict",
    "score",
    "points",
    "answered_at",
)
NO_CARDS = "You have no practice cards yet: `question` starts practice, and missed daily questions add cards."
NO_ANSWERS = "You have not answered a daily question yet, so there is nothing to export."
NO_ROUNDS = "This channel has had no daily rounds yet, so there is nothing to export."


def note_for(question: Question) -> Note:
    """A practice card as an Anki note: question in front; answer, explanation, key points behind."""
    back = [question.answer]
    if question.explanation:
        back.append(question.explanation)
    if question.key_points:
        back.append("Key points: " + "; ".join(group[0] for group in question.key_points))
    return Note(question.question, "\n\n".join(back), question.topic)


class Picked(Protocol):
    """What was answered: a text, or a quiz pick with the seed that ordered the options."""

    @property
    def text(self) -> str | None: ...

    @property
    def choice(self) -> int | None: ...

    @property
    def seed(self) -> int: ...


def answer_text(question: Question, row: Picked) -> str:
    """What was answered to ``question``: the text, or the quiz pick as its letter and option."""
    if row.choice is None:
        return str(row.text or "")
    options, _ = quiz_options(question, row.seed)
    picked = options[row.choice] if 0 <= row.choice < len(options) else ""
    return f"{'ABCD'[row.choice] if 0 <= row.choice < 4 else row.choice}. {picked}"


def _grade(row: AnswerLine | RoundLine) -> tuple[object, object, object]:
    """Verdict, score and points, only once the round is scored."""
    if not row.scored or row.verdict is None or row.score is None:
        return ("", "", "")
    return (row.verdict.value, f"{row.score:.2f}", row.points)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


async def export(rt: Runtime, ctx: Context, cmd: Export) -> Reply:
    """The caller's practice cards (Anki TSV) or daily answers (CSV)."""
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        if cmd.kind is ExportKind.CARDS:
            card_rows = await flashcards_of(conn, user_pk)
            found = [await practice_question(conn, rt.bank, user_pk, r.question_id) for r in card_rows]
            questions = [q for q in found if q is not None]
            if not questions:
                return notice(NO_CARDS)
            data = anki_tsv(note_for(q) for q in questions)
            caption = f"{len(questions)} practice cards for Anki (File > Import; tab-separated, HTML)."
            return Reply((FileCard("dailyq-cards.tsv", TSV, data, caption),))
        answer_rows = await export_store.user_answers(conn, user_pk)
        by_id = await questions_by_id(
            conn, rt.bank, ctx.platform, ctx.workspace_id, (r.question_id for r in answer_rows)
        )
    if not answer_rows:
        return notice(NO_ANSWERS)
    rows = []
    for row in answer_rows:
        question = by_id[row.question_id]
        rows.append(
            (
                row.local_date,
                row.channel_id,
                row.round_id,
                row.question_id,
                question.topic,
                question.question,
                row.mode,
                answer_text(question, row),
                *_grade(row),
                _iso(row.answered_at),
            )
        )
    data = csv_bytes(ANSWER_COLUMNS, rows)
    caption = f"{len(rows)} daily answers (CSV); grades appear once a round is revealed."
    return Reply((FileCard("dailyq-answers.csv", CSV, data, caption),))


async def export_daily(rt: Runtime, ctx: Context, _cmd: ExportDaily) -> Reply:
    """Admins: the channel's rounds and their answers (CSV, one line per answer)."""
    async with rt.engine.begin() as conn:
        channel = await rt.channel(conn, ctx)
        found = await export_store.channel_rounds(conn, channel.id)
        by_id = await questions_by_id(
            conn, rt.bank, ctx.platform, ctx.workspace_id, (r.question_id for r in found)
        )
    if not found:
        return notice(NO_ROUNDS)
    rows = []
    for row in found:
        question = by_id[row.question_id]
        shown = row.scored and row.user_id is not None  # answers only after the reveal
        rows.append(
            (
                row.round_id,
                row.local_date,
                row.slot,
                row.question_id,
                question.topic,
                question.question,
                row.mode,
                row.state,
                _iso(row.posted_at),
                _iso(row.revealed_at),
                row.user_id if shown else "",
                row.display_name if shown else "",
                answer_text(question, row) if shown else "",
                *(_grade(row) if shown else ("", "", "")),
                _iso(row.answered_at) if shown else "",
            )
        )
    rows = list(dict.fromkeys(rows))  # an open round's hidden answers collapse to one line
    data = csv_bytes(ROUND_COLUMNS, rows)
    caption = f"{len({r[0] for r in rows})} rounds of this channel with their answers (CSV)."
    name = re.sub(r"[^A-Za-z0-9_-]", "_", ctx.channel_id)[:60]
    return Reply((FileCard(f"dailyq-{name}-rounds.csv", CSV, data, caption),))
