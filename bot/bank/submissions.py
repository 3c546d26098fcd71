"""Members' question submissions and their moderation: submit, queue, edit, approve, reject.

A submission is neutralised (no mentions, no links), checked like a bank question, compared with
the questions the workspace has (near duplicates shown to the submitter and in the queue), and
given suggested key points when it has none. An approved one becomes the next version of a
workspace bank (``members`` by default), credited to the submitter if they agreed. The submitter
is told the outcome privately: at once through the ``Notifier`` when the platform has one, and
in any case on their next ``submit`` or ``bank mine``.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC
from typing import Any

from pydantic import ValidationError

from bot.bank.admin import existing_index
from bot.bank.catalog import qualified
from bot.bank.commands import (
    ApproveSubmission,
    EditSubmission,
    MySubmissions,
    RejectSubmission,
    ShowQueue,
    SubmitQuestion,
)
from bot.bank.duplicates import describe
from bot.bank.forget import credit_line
from bot.bank.key_point_suggest import KeyPointSuggester
from bot.bank.markdown_import import slugify
from bot.bank.model import Bank, BankError, Question
from bot.bank.quality import check_bank
from bot.bank.upload import bank_name
from bot.cards import Notice, Reply, TableCard, Tone, error, notice
from bot.context import Context
from bot.runtime import Runtime
from bot.store import banks as bank_store
from bot.store import submissions as store
from bot.text.bank_grammar import parse_key_points
from bot.text.submission_text import neutralise

MAX_PER_DAY = 3
QUEUE_SHOWN = 10
MEMBERS_BANK = "members"
MEMBERS_TITLE = "Members' questions"
LIMIT_REACHED = f"You can submit {MAX_PER_DAY} questions a day (UTC); try again after midnight UTC."
EDITABLE = ("topic", "question", "answer", "difficulty", "key_points")


def format_key_points(groups: Any) -> str:
    """The typed form of key points (``a/b; c/d``)."""
    return "; ".join(" / ".join(group) for group in groups)


def _draft(body: dict[str, Any]) -> Question:
    """The submission as a question (id assigned at approval); ``ValidationError`` if it is not one."""
    return Question.model_validate({"id": "draft", **body})


def _field_problems(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in exc.errors()]
    return "; ".join(parts)


def _quality_problems(question: Question) -> list[str]:
    return [f.message for f in check_bank(Bank((question,))) if f.error]


async def _suggester(rt: Runtime, ctx: Context) -> KeyPointSuggester:
    async with rt.engine.connect() as conn:
        stored = await bank_store.current_questions(conn, ctx.platform, ctx.workspace_id)
    answers = [q.answer for q in rt.bank.questions]
    answers += [q.answer for questions in stored.values() for q in questions]
    return KeyPointSuggester(answers)


def _outcome(row: store.Submission) -> str:
    text = json.loads(row.body)["question"][:80]
    if row.status == store.APPROVED:
        return f"Your question #{row.id} \u201c{text}\u201d was approved: it is {row.question_id} now."
    return f"Your question #{row.id} \u201c{text}\u201d was not accepted: {row.reason}"


async def _take_untold(rt: Runtime, ctx: Context) -> list[str]:
    async with rt.engine.begin() as conn:
        rows = await store.untold(conn, ctx.platform, ctx.workspace_id, ctx.user_id)
        await store.mark_told(conn, [int(r.id) for r in rows], rt.clock.now())
    return [_outcome(r) for r in rows]


async def submit_question(rt: Runtime, ctx: Context, cmd: SubmitQuestion) -> Reply:
    """Queue a member's question for the admins, with near duplicates and suggested key points."""
    body: dict[str, Any] = {
        "topic": neutralise(cmd.topic),
        "difficulty": cmd.difficulty,
        "question": neutralise(cmd.question),
        "answer": neutralise(cmd.answer),
        "key_points": [[neutralise(s) for s in group] for group in cmd.key_points],
    }
    suggested = False
    if not body["key_points"]:
        body["key_points"] = [
            list(g) for g in (await _suggester(rt, ctx)).suggest(body["answer"], question=body["question"])
        ]
        suggested = bool(body["key_points"])
    try:
        draft = _draft(body)
    except ValidationError as exc:
        return error(f"Nothing was submitted: {_field_problems(exc)}.")
    problems = _quality_problems(draft)
    if problems:
        return error(f"Nothing was submitted: {'; '.join(problems)}.")
    near = (await existing_index(rt, ctx)).find(draft.question, draft.topic)
    now = rt.clock.now()
    async with rt.engine.begin() as conn:
        if not await store.take_slot(
            conn, ctx.platform, ctx.workspace_id, ctx.user_id, now.astimezone(UTC).date(), MAX_PER_DAY
        ):
            return error(LIMIT_REACHED)
        submission_id = await store.add_submission(
            conn,
            {
                "platform": ctx.platform,
                "workspace_id": ctx.workspace_id,
                "user_id": ctx.user_id,
                "display_name": neutralise(ctx.display_name)[:100],
                "credit": cmd.credit,
                "body": json.dumps(body),
                "suggested": suggested,
                "duplicates": describe(near),
                "created_at": now,
            },
        )
    lines = [f"Thanks! Your question is #{submission_id} in the queue; an admin reviews it."]
    if near:
        lines.append(f"Note, {describe(near)}.")
    lines += await _take_untold(rt, ctx)
    return notice("\n".join(lines), Tone.SUCCESS, title="Question submitted")


async def show_queue(rt: Runtime, ctx: Context, _cmd: ShowQueue) -> Reply:
    """The oldest pending submissions, every field shown, with duplicates and suggestions marked."""
    async with rt.engine.connect() as conn:
        rows = await store.pending(conn, ctx.platform, ctx.workspace_id, QUEUE_SHOWN)
    if not rows:
        return notice("No submissions are waiting.")
    table = []
    for row in rows:
        body = json.loads(row.body)
        points = format_key_points(body["key_points"]) + (" (suggested)" if row.suggested else "")
        table.append(
            (
                f"#{row.id}",
                f"{row.display_name}{' (credit)' if row.credit else ''}",
                f"{body['topic']} · {body['difficulty']}",
                body["question"],
                body["answer"],
                points or "(none)",
                row.duplicates or "-",
            )
        )
    return Reply(
        (
            TableCard(
                "Submitted questions",
                ("#", "by", "topic", "question", "answer", "key points", "duplicates"),
                tuple(table),
                footer="bank queue approve N [to bank] · bank queue edit N field text · "
                "bank queue reject N reason",
            ),
        )
    )


async def edit_submission(rt: Runtime, ctx: Context, cmd: EditSubmission) -> Reply:
    """Change one field of a pending submission; the result must still be a valid question."""
    field = cmd.field.strip().casefold().replace("-", "_").replace(" ", "_")
    if field in ("keypoints", "points", "key"):
        field = "key_points"
    if field not in EDITABLE:
        return error(f"'{cmd.field[:40]}' is not a field: edit {', '.join(EDITABLE)}.")
    value = neutralise(cmd.value)
    async with rt.engine.begin() as conn:
        row = await store.get_pending(conn, ctx.platform, ctx.workspace_id, cmd.submission_id)
        if row is None:
            return error(f"No pending submission #{cmd.submission_id}. `bank queue` lists them.")
        body = json.loads(row.body)
        body[field] = [list(g) for g in parse_key_points(value)] if field == "key_points" else value
        try:
            _draft(body)
        except ValidationError as exc:
            return error(f"Not changed: {_field_problems(exc)}.")
        suggested = bool(row.suggested) and field != "key_points"
        await store.update_body(conn, row.id, body, suggested)
    return notice(f"Submission #{row.id}: {field} changed.", Tone.SUCCESS)


def _new_id(question: str, taken: set[str]) -> str:
    counts: Counter[str] = Counter()
    while True:
        candidate = slugify(question, counts)[:60]
        if candidate not in taken:
            return candidate


async def approve_submission(rt: Runtime, ctx: Context, cmd: ApproveSubmission) -> Reply:
    """Add the submission to a workspace bank as that bank's next version."""
    try:
        name = bank_name(cmd.bank or MEMBERS_BANK)
    except BankError as exc:
        return error(str(exc))
    async with rt.engine.begin() as conn:
        row = await store.get_pending(conn, ctx.platform, ctx.workspace_id, cmd.submission_id)
        if row is None:
            return error(f"No pending submission #{cmd.submission_id}. `bank queue` lists them.")
        body = json.loads(row.body)
        await bank_store.lock_bank(conn, ctx.platform, ctx.workspace_id, name, rt.clock.now())
        current = (await bank_store.current_questions(conn, ctx.platform, ctx.workspace_id, (name,))).get(
            name, ()
        )
        question_id = _new_id(body["question"], {q.id for q in current})
        credit = credit_line(row.display_name) if row.credit else ""
        try:
            question = Question.model_validate({"id": question_id, "explanation": credit, **body})
        except ValidationError as exc:
            return error(f"Not approved: {_field_problems(exc)}. Fix it with bank queue edit.")
        problems = _quality_problems(question)
        if problems:
            return error(f"Not approved: {'; '.join(problems)}. Fix it with bank queue edit.")
        listed = {b.name: b for b in await bank_store.list_banks(conn, ctx.platform, ctx.workspace_id)}
        title = listed[name].title if name in listed else MEMBERS_TITLE
        version = await bank_store.save_version(
            conn,
            ctx.platform,
            ctx.workspace_id,
            name,
            title,
            (*current, question),
            by=ctx.user_id,
            now=rt.clock.now(),
        )
        await store.decide(
            conn,
            row.id,
            store.APPROVED,
            by=ctx.user_id,
            now=rt.clock.now(),
            question_id=qualified(name, question_id),
        )
    await _tell(rt, ctx, row.id)
    return notice(
        f"Approved #{row.id}: {qualified(name, question_id)} in bank '{name}' version {version}.",
        Tone.SUCCESS,
    )


async def reject_submission(rt: Runtime, ctx: Context, cmd: RejectSubmission) -> Reply:
    """Turn a submission down; the submitter is shown the reason."""
    reason = neutralise(cmd.reason)[:300]
    if not reason:
        return error("Give the submitter a reason: bank queue reject N <reason>.")
    async with rt.engine.begin() as conn:
        row = await store.get_pending(conn, ctx.platform, ctx.workspace_id, cmd.submission_id)
        if row is None:
            return error(f"No pending submission #{cmd.submission_id}. `bank queue` lists them.")
        await store.decide(conn, row.id, store.REJECTED, by=ctx.user_id, now=rt.clock.now(), reason=reason)
    await _tell(rt, ctx, row.id)
    return notice(f"Rejected #{row.id}; the submitter is told why.", Tone.SUCCESS)


async def _tell(rt: Runtime, ctx: Context, submission_id: int) -> None:
    """Tell the submitter now, when the platform can; else they see it on their next command."""
    if rt.notifier is None:
        return
    async with rt.engine.connect() as conn:
        row = await store.get_submission(conn, submission_id)
    if row is None:
        return
    delivered = await rt.notifier.tell(ctx.platform, ctx.workspace_id, row.user_id, Notice(_outcome(row)))
    if delivered:
        async with rt.engine.begin() as conn:
            await store.mark_told(conn, [submission_id], rt.clock.now())


async def my_submissions(rt: Runtime, ctx: Context, _cmd: MySubmissions) -> Reply:
    """The caller's news first, then the state of what they submitted."""
    news = await _take_untold(rt, ctx)
    async with rt.engine.connect() as conn:
        rows = await store.mine(conn, ctx.platform, ctx.workspace_id, ctx.user_id)
    if not rows:
        return notice("You have not submitted questions. `submit topic | question | answer` does.")
    table = tuple(
        (f"#{r.id}", json.loads(r.body)["question"][:80], r.status, r.question_id or r.reason or "")
        for r in rows
    )
    cards: list[Notice | TableCard] = [Notice(n) for n in news]
    cards.append(TableCard("Your submissions", ("#", "question", "status", "outcome"), table))
    return Reply(tuple(cards))
