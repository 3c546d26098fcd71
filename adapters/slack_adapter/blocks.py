"""Cards -> Block Kit (built with slack_sdk's block models), within Slack's limits.

Pure: a card in, a list of block dicts out. Every piece of text from the core is escaped for
mrkdwn (see ``text``) and clipped to the limit of the field it goes into; a message never has
more than 50 blocks, a view never more than 100.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from adapters.slack_adapter.actions import button
from adapters.slack_adapter.text import chunks, clip_mrkdwn, local_time, md, plain
from bot.cards import (
    LETTERS,
    Action,
    Card,
    FileCard,
    LeaderboardCard,
    LeaderboardRow,
    MyGradeCard,
    Notice,
    PracticeRevealCard,
    QuestionCard,
    Reply,
    RevealCard,
    StatsCard,
    TableCard,
    Tone,
)

SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,20}")
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
QUESTION_BLOCK = "dailyq-question"
ICONS = {Tone.INFO: "", Tone.SUCCESS: ":white_check_mark: ", Tone.ERROR: ":warning: "}
MEDALS = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}


def header(text: str) -> HeaderBlock:
    """A header block (plain text, at most 150 characters)."""
    return HeaderBlock(text=PlainTextObject(text=plain(text, 150), emoji=True))


def section(text: str, block_id: str | None = None) -> SectionBlock:
    """A section of already-safe mrkdwn, clipped to 3,000 characters."""
    return SectionBlock(text=MarkdownTextObject(text=clip_mrkdwn(text, 3000) or " "), block_id=block_id)


def context(*texts: str) -> ContextBlock:
    """A context line of already-safe mrkdwn elements (at most 10)."""
    return ContextBlock(elements=[MarkdownTextObject(text=clip_mrkdwn(t, 3000)) for t in texts[:10] if t])


def sections(lines: list[str]) -> list[Block]:
    """Lines of safe mrkdwn packed into as few sections as the 3,000-character limit allows."""
    return [section(text) for text in chunks(lines)]


def card_blocks(card: Card) -> list[Block]:
    """The blocks of one card."""
    match card:
        case Notice():
            title = f"*{md(card.title, 300)}*\n" if card.title else ""
            return [section(title + ICONS[card.tone] + md(card.text))]
        case QuestionCard():
            return question_blocks(card)
        case RevealCard():
            return reveal_blocks(card)
        case PracticeRevealCard():
            return practice_reveal_blocks(card)
        case LeaderboardCard():
            return leaderboard_blocks(card)
        case StatsCard():
            return stats_blocks(card)
        case TableCard():
            return table_blocks(card)
        case MyGradeCard():
            return my_grade_blocks(card)

        case FileCard():  # the file itself goes to the member's DM (files.py)
            return [section(md(f"{card.filename}: {card.caption}"))]


def _buttons(block_id: str, actions: tuple[Action, ...]) -> list[Block]:
    if not actions:
        return []
    return [ActionsBlock(block_id=block_id, elements=[button(a, i) for i, a in enumerate(actions[:25])])]


def my_grade_blocks(card: MyGradeCard) -> list[Block]:
    """A player's own grade (ephemeral): verdict, points, key points found and missed, Appeal."""
    blocks: list[Block] = [header("Your grade"), context(f"*Question:* {md(card.question, 2800)}")]
    label = "Your pick" if card.quiz else "Your answer"
    blocks.append(section(f"*{label}:* {md(card.answer, 2800)}"))
    blocks.append(section(f"*Verdict:* {md(card.verdict, 20)} \u00b7 *Points:* {card.points}"))
    lines = []
    if card.found:
        lines += ["*Key points found*", *(f":white_check_mark: {md(p, 300)}" for p in card.found[:20])]
    if card.missed:
        lines += ["*Key points missed*", *(f":x: {md(p, 300)}" for p in card.missed[:20])]
    blocks.extend(sections(lines))
    if card.note:
        blocks.append(section(f"*Why this grade:* {md(card.note, 2800)}"))
    if card.feedback:
        blocks.append(section(f"*Judge's feedback:* {md(card.feedback, 2800)}"))
    if card.status:
        blocks.append(context(md(card.status, 2900)))
    blocks.extend(_buttons("dailyq-grade", card.actions))
    blocks.append(context(f"Round #{card.round_id}"))
    return blocks


def question_blocks(card: QuestionCard) -> list[Block]:
    """A daily post (with ``round_id``) or a practice question, with its buttons."""
    kind = "Daily question" if card.round_id is not None else "Practice question"
    blocks: list[Block] = [header(kind), section(md(card.text), block_id=QUESTION_BLOCK)]
    if card.options:
        blocks.append(section("\n".join(f"*{LETTERS[i]}.* {md(o, 600)}" for i, o in enumerate(card.options))))
    facts = [f"*Topic:* {md(card.topic, 200)}", f"*Difficulty:* {md(card.difficulty, 50)}"]
    if card.reveal_at is not None and not card.closed:
        facts.append(f"*Reveal:* {local_time(card.reveal_at)}")
    blocks.append(context(*facts))
    if card.notes:
        blocks.append(context(*(md(note, 500) for note in card.notes)))
    if card.closed:
        blocks.append(context("_Answers are closed: the answer is in the thread._"))
    elif card.actions:
        blocks.append(
            ActionsBlock(
                block_id="dailyq-actions", elements=[button(a, i) for i, a in enumerate(card.actions[:25])]
            )
        )
    return blocks


def _key_points(points: tuple[str, ...]) -> list[str]:
    return ["*Key points*", *(f"\u2022 {md(p, 300)}" for p in points[:20])] if points else []


def reveal_blocks(card: RevealCard) -> list[Block]:
    """The reveal reply: reference answer, explanation, how the channel did, best answers."""
    blocks: list[Block] = [header("Answer revealed")]
    blocks.append(section(f"*Answer:* {md(card.answer, 2900)}"))
    if card.explanation:
        blocks.append(section(md(card.explanation)))
    blocks.extend(sections(_key_points(card.key_points)))
    summary = [f"*{card.answered} answered*"]
    if card.verdicts:
        summary.append(" \u00b7 ".join(f"{md(name, 40)}: {count}" for name, count in card.verdicts))
    for index, pick in enumerate(card.picks[:4]):
        mark = ":white_check_mark:" if pick.correct else ":white_small_square:"
        summary.append(f"{mark} *{LETTERS[index]}.* {md(pick.option, 500)} \u2014 *{pick.count}*")
    if card.best:
        best = ", ".join(f"{md(b.name, 80)} ({md(b.verdict, 20)})" for b in card.best[:10])
        summary.append(f"*Best answers:* {best}")
    blocks.extend(sections(summary))
    if card.quotes:
        quoted = [f"> *{md(q.name, 80)}:* {md(q.quote, 600)}" for q in card.quotes]
        blocks.extend(sections(["*In their words*", *quoted]))
    reasons = [f"*{LETTERS[i]}.* {md(p.why, 600)}" for i, p in enumerate(card.picks[:4]) if p.why]
    if reasons:
        blocks.extend(sections(["*Why the others are wrong*", *reasons]))
    if card.follow_up:
        blocks.append(context(f"*Follow-up:* {md(card.follow_up, 2800)}"))
    blocks.extend(_buttons("dailyq-reveal", card.actions))
    blocks.extend(context(md(note, 2900)) for note in card.notes[:3])
    return blocks


def practice_reveal_blocks(card: PracticeRevealCard) -> list[Block]:
    """A practice answer with its recall-rating buttons."""
    blocks: list[Block] = [header("Practice answer"), context(f"*Question:* {md(card.question, 2800)}")]
    if card.grade_note:
        blocks.append(section(f"_{md(card.grade_note, 2900)}_"))
    blocks.append(section(f"*Answer:* {md(card.answer, 2900)}"))
    if card.explanation:
        blocks.append(section(md(card.explanation)))
    blocks.extend(sections(_key_points(card.key_points)))
    if card.actions:
        ask = "How well did you recall it?"
        if card.suggested:
            ask += f" Suggested: *{md(card.suggested, 20)}*"
        blocks.append(section(ask))
        blocks.append(
            ActionsBlock(
                block_id="dailyq-rate", elements=[button(a, i) for i, a in enumerate(card.actions[:25])]
            )
        )
    return blocks


def _board_line(row: LeaderboardRow) -> str:
    rank = MEDALS.get(row.rank, f"`{row.rank:>3}`")
    name = f"*{md(row.name, 60)}*" + (" \u2190 you" if row.is_caller else "")
    return (
        f"{rank} {name} \u2014 {row.points} pts \u00b7 {row.answers} answered \u00b7 "
        f"{row.strong} strong \u00b7 streak {row.streak}"
    )


def leaderboard_blocks(card: LeaderboardCard) -> list[Block]:
    """Top rows, then the caller's own line when outside them; ties share a rank (core)."""
    blocks: list[Block] = [header(card.title)]
    if not card.rows:
        return [*blocks, section(md(card.empty_text))]
    lines = [_board_line(row) for row in card.rows[:25]]
    if card.caller_row is not None:
        lines += ["\u2026", _board_line(card.caller_row)]
    return blocks + sections(lines)


def stats_blocks(card: StatsCard) -> list[Block]:
    """A user's points, rank, streaks, answers, practice cards and weakest topics."""
    verdicts = ", ".join(f"{md(v, 20)}: {n}" for v, n in card.verdicts) or "none yet"
    fields = [
        f"*Points* ({card.scope})\n{card.points}",
        f"*Rank* ({card.scope})\n{card.rank if card.rank else '-'}",
        f"*Streak*\n{card.streak_text}",
        f"*Practice cards*\n{card.cards_due} due of {card.cards_total}",
        f"*Answers*\n{verdicts}",
    ]
    if card.team:
        fields.append(f"*Team*\n{md(card.team, 200)}")
    blocks: list[Block] = [
        header(f"Stats: {card.name}"),
        SectionBlock(fields=[MarkdownTextObject(text=clip_mrkdwn(f, 2000)) for f in fields]),
    ]
    if card.topics:
        lines = ["*By topic* (weakest first)"]
        lines += [f"\u2022 {md(t, 100)}: {good}/{seen} strong" for t, good, seen in card.topics[:30]]
        blocks.extend(sections(lines))
    if card.recent:
        lines = ["*Last grades*"]
        lines += [
            f"\u2022 {md(g.local_date, 10)} {md(g.verdict, 20)}, {g.points} pts: {md(g.question, 200)}"
            for g in card.recent
        ]
        blocks.extend(sections(lines))
    return blocks


def table_blocks(card: TableCard) -> list[Block]:
    """A titled table as lines: the first cell bold, the others after a dash."""
    lines = []
    for row in card.rows:
        first, *rest = row or ("",)
        tail = " \u00b7 ".join(md(cell, 600) for cell in rest)
        lines.append(f"*{md(first, 600)}*" + (f" \u2014 {tail}" if tail else ""))
    blocks: list[Block] = [header(card.title), *sections(lines)]
    if card.mentions:
        blocks.append(section(f":trophy: Congratulations {mentions(card.mentions)}!"))
    if card.footer:
        blocks.append(context(md(card.footer, 2900)))
    return blocks


def mentions(user_ids: tuple[str, ...]) -> str:
    """Live mentions of the members a card congratulates (only well-formed Slack user ids;
    everything else on a card stays neutralised)."""
    return ", ".join(f"<@{u}>" for u in user_ids[:20] if SLACK_USER.fullmatch(u))


def reply_blocks(cards: tuple[Card, ...], limit: int = MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """The blocks of several cards, divided, capped at ``limit`` blocks (as JSON dicts)."""
    blocks: list[Block] = []
    for card in cards:
        if blocks:
            blocks.append(DividerBlock())
        blocks.extend(card_blocks(card))
    if len(blocks) > limit:
        blocks = [*blocks[: limit - 1], context("_\u2026more than fits in one message._")]
    seen: set[str] = set()
    for number, block in enumerate(blocks):
        if block.block_id is not None and block.block_id in seen:  # Slack rejects duplicate ids
            block.block_id = f"{block.block_id}-{number}"
        seen.add(block.block_id or "")
    return [block.to_dict() for block in blocks]


def fallback_text(card: Card) -> str:
    """The notification / accessibility text of a card (safe mrkdwn, short)."""
    match card:
        case Notice():
            text = f"{card.title}: {card.text}" if card.title else card.text
        case QuestionCard():
            kind = "Daily question" if card.round_id is not None else "Practice question"
            text = f"{kind}: {card.text}"
        case RevealCard():
            text = f"Answer: {card.answer}"
        case PracticeRevealCard():
            text = f"Answer: {card.answer}"
        case StatsCard():
            text = f"Stats: {card.name}"
        case TableCard() if card.mentions:
            return f"{md(card.title, 200)}: {mentions(card.mentions)}"
        case LeaderboardCard() | TableCard():
            text = card.title
        case MyGradeCard():
            text = f"Your grade: {card.verdict}, {card.points} points"
        case FileCard():
            text = card.filename
    return md(text, 300)


def message(card: Card) -> dict[str, Any]:
    """``text`` and ``blocks`` of a channel message showing ``card``."""
    return {"text": fallback_text(card), "blocks": reply_blocks((card,))}


def reply_message(reply: Reply) -> dict[str, Any]:
    """``text`` and ``blocks`` of a message showing a whole reply."""
    text = fallback_text(reply.cards[0]) if reply.cards else "dailyq"
    return {"text": text, "blocks": reply_blocks(reply.cards)}
