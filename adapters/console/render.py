"""Rendering neutral cards as rich renderables for the terminal (pure: card in, renderable out)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.cards import (
    LETTERS,
    ActionKind,
    Card,
    FileCard,
    LeaderboardCard,
    LeaderboardRow,
    MyGradeCard,
    Notice,
    PracticeRevealCard,
    QuestionCard,
    RevealCard,
    StatsCard,
    TableCard,
    Tone,
)

TONE_STYLE = {Tone.INFO: "cyan", Tone.SUCCESS: "green", Tone.ERROR: "red"}
HINTS = {
    ActionKind.ANSWER: "answer <text>",
    ActionKind.PRACTICE_ANSWER: "try <text>",
    ActionKind.SHOW_ANSWER: "show",
}


def render(card: Card) -> RenderableType:
    """The terminal rendering of any card."""
    match card:
        case Notice():
            return _notice(card)
        case QuestionCard():
            return _question(card)
        case RevealCard():
            return _reveal(card)
        case PracticeRevealCard():
            return _practice_reveal(card)
        case LeaderboardCard():
            return _leaderboard(card)
        case StatsCard():
            return _stats(card)
        case TableCard():
            return _table(card)
        case MyGradeCard():
            return _my_grade(card)
        case FileCard():  # the session writes the file; this is its caption
            return Panel(Text(f"{card.caption}\n{card.filename}"), title="Export", title_align="left")


def _notice(card: Notice) -> RenderableType:
    style = TONE_STYLE[card.tone]
    return Panel(Text(card.text), title=escape(card.title) or None, border_style=style, title_align="left")


def _question(card: QuestionCard) -> RenderableType:
    parts: list[RenderableType] = [Text(card.text, style="bold")]
    for index, option in enumerate(card.options):
        parts.append(Text(f"  {LETTERS[index]}. {option}"))
    for note in card.notes:
        parts.append(Text(note, style="yellow"))
    hints = [HINTS[a.kind] for a in card.actions if a.kind in HINTS]
    if any(a.kind is ActionKind.CHOOSE for a in card.actions):
        hints.append("answer A|B|C|D")
    if card.closed:
        parts.append(Text("Answers are closed.", style="dim"))
    elif hints:
        parts.append(Text("Reply with: " + " · ".join(hints), style="dim"))
    kind = "Daily question" if card.round_id is not None else "Practice question"
    subtitle = None
    if card.reveal_at and not card.closed:
        local = card.reveal_at.astimezone(ZoneInfo(card.timezone))
        subtitle = f"reveal {local:%a %d %b %H:%M %Z}"
    title = f"{kind} · {escape(card.topic)} · {card.difficulty}"
    return Panel(Group(*parts), title=title, subtitle=subtitle, border_style="blue", title_align="left")


def _reveal(card: RevealCard) -> RenderableType:
    parts: list[RenderableType] = [
        Text(card.question, style="bold"),
        Text.assemble(("Answer: ", "bold green"), card.answer),
    ]
    if card.explanation:
        parts.append(Text(card.explanation))
    if card.key_points:
        parts.append(Text("Key points: " + "; ".join(card.key_points), style="cyan"))
    parts.append(Text(f"{card.answered} answered", style="bold"))
    if card.verdicts:
        parts.append(Text(" · ".join(f"{name}: {count}" for name, count in card.verdicts)))
    for index, pick in enumerate(card.picks):
        parts.append(Text(f"  {'✔' if pick.correct else ' '} {LETTERS[index]}. {pick.option} — {pick.count}"))
    for index, pick in enumerate(card.picks):
        if pick.why:
            parts.append(Text(f"  {LETTERS[index]} is wrong: {pick.why}", style="dim"))
    if card.best:
        parts.append(Text("Best: " + ", ".join(f"{b.name} ({b.verdict})" for b in card.best)))
    for quote in card.quotes:
        parts.append(Text(f"  {quote.name}: \u201c{quote.quote}\u201d", style="italic"))
    if card.follow_up:
        parts.append(Text(f"Follow-up: {card.follow_up}", style="italic"))
    if any(a.kind is ActionKind.MY_GRADE for a in card.actions):
        parts.append(Text("Your own grade: grade · contest it: appeal <reason>", style="dim"))
    parts.extend(Text(note, style="dim") for note in card.notes)
    return Panel(Group(*parts), title="Reveal", border_style="green", title_align="left")


def _my_grade(card: MyGradeCard) -> RenderableType:
    parts: list[RenderableType] = [
        Text(card.question, style="bold"),
        Text.assemble(("Your answer: ", "bold"), card.answer),
        Text(f"Verdict: {card.verdict} · {card.points} points", style="bold"),
    ]
    if card.found:
        parts.append(Text("Found: " + "; ".join(card.found), style="green"))
    if card.missed:
        parts.append(Text("Missed: " + "; ".join(card.missed), style="yellow"))
    if card.note:
        parts.append(Text(card.note, style="yellow"))
    if card.feedback:
        parts.append(Text(f"Judge's feedback: {card.feedback}"))
    if card.status:
        parts.append(Text(card.status, style="cyan"))
    if any(a.kind is ActionKind.APPEAL for a in card.actions):
        parts.append(Text("Contest it within a day of the reveal: appeal <reason>", style="dim"))
    title = f"Your grade · round #{card.round_id}"
    return Panel(Group(*parts), title=title, border_style="magenta", title_align="left")


def _practice_reveal(card: PracticeRevealCard) -> RenderableType:
    parts: list[RenderableType] = [Text(card.question, style="bold")]
    if card.grade_note:
        parts.append(Text(card.grade_note, style="yellow"))
    parts.append(Text.assemble(("Answer: ", "bold green"), card.answer))
    if card.explanation:
        parts.append(Text(card.explanation))
    if card.key_points:
        parts.append(Text("Key points: " + "; ".join(card.key_points), style="cyan"))
    suggestion = f" (suggested: {card.suggested})" if card.suggested else ""
    parts.append(Text(f"How well did you recall it? rate again|hard|good|easy{suggestion}", style="dim"))
    return Panel(Group(*parts), title="Practice answer", border_style="green", title_align="left")


def _board_row(table: Table, row: LeaderboardRow) -> None:
    style = "bold yellow" if row.is_caller else ""
    table.add_row(
        str(row.rank),
        Text(row.name),
        str(row.points),
        str(row.answers),
        str(row.strong),
        str(row.streak),
        style=style,
    )


def _leaderboard(card: LeaderboardCard) -> RenderableType:
    if not card.rows:
        return Panel(Text(card.empty_text), title=escape(card.title), title_align="left")
    table = Table(title=escape(card.title), title_justify="left")
    for column in ("#", "player", "points", "answers", "strong", "streak"):
        table.add_column(column, justify="left" if column == "player" else "right")
    for row in card.rows:
        _board_row(table, row)
    if card.caller_row is not None:
        table.add_section()
        _board_row(table, card.caller_row)
    return table


def _stats(card: StatsCard) -> RenderableType:
    table = Table(title=f"Stats: {escape(card.name)}", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row(f"points ({card.scope})", str(card.points))
    table.add_row(f"rank ({card.scope})", str(card.rank) if card.rank else "-")
    table.add_row("streak", card.streak_text)
    if card.team:
        table.add_row("team", card.team)
    table.add_row("answers", ", ".join(f"{v}: {n}" for v, n in card.verdicts))
    for topic, good, seen in card.topics:
        table.add_row(Text(f"  {topic}"), f"{good}/{seen} strong")
    table.add_row("practice cards", f"{card.cards_due} due of {card.cards_total}")
    for index, grade in enumerate(card.recent):
        label = "last grades" if index == 0 else ""
        table.add_row(
            label, Text(f"{grade.local_date} {grade.verdict}, {grade.points} pts: {grade.question}")
        )
    return table


def _table(card: TableCard) -> RenderableType:
    table = Table(title=escape(card.title), title_justify="left", caption=escape(card.footer) or None)
    for column in card.columns:
        table.add_column(column)
    for row in card.rows:
        table.add_row(*(Text(cell) for cell in row))
    return table
