"""Rendering neutral cards as Discord embeds and buttons (pure: cards in, embeds and actions out).

Every text is cut to Discord's limits (title 256, description 4,096, field 1,024, 25 fields,
6,000 characters over all embeds of a message; 80-character button labels), so no card can make
a send fail. Names typed by users are escaped so they cannot inject markdown.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from adapters.discord_adapter import limits
from adapters.discord_adapter.actions import ActionButton
from adapters.discord_adapter.limits import clip
from bot.cards import (
    LETTERS,
    Action,
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

DOT = " · "
TONE_COLOURS = {
    Tone.INFO: discord.Colour.blurple(),
    Tone.SUCCESS: discord.Colour.green(),
    Tone.ERROR: discord.Colour.red(),
}
QUESTION_COLOUR = discord.Colour(0x3B82F6)
CLOSED_COLOUR = discord.Colour.light_grey()
ANSWER_COLOUR = discord.Colour.green()
BOARD_COLOUR = discord.Colour.gold()


@dataclass
class Rendered:
    """A message to send: embeds within limits and the actions for its buttons."""

    embeds: list[discord.Embed]
    actions: tuple[Action, ...] = ()
    files: tuple[FileCard, ...] = ()

    def attachments(self) -> list[discord.File]:
        """The files as attachments (fresh objects: discord.py consumes them when sending)."""
        return [discord.File(io.BytesIO(f.data), filename=f.filename) for f in self.files]

    def view(self) -> discord.ui.View | None:
        """The buttons as a persistent view (needs a running event loop), or None."""
        if not self.actions:
            return None
        view = discord.ui.View(timeout=None)
        for action in self.actions:
            view.add_item(ActionButton(action))
        return view


QUOTE_LIMIT = 300  # three quotes and names fit one field (1024)


def name(text: str) -> str:
    """A user-chosen name, safe to show (no markdown)."""
    return discord.utils.escape_markdown(text)


def _quote(text: str) -> str:
    """Someone's answer shown verbatim: no markdown, no mentions (not even as a display), clipped."""
    return clip(discord.utils.escape_mentions(discord.utils.escape_markdown(text)), QUOTE_LIMIT)


def _embed(title: str, description: str, colour: discord.Colour) -> discord.Embed:
    return discord.Embed(
        title=clip(title, limits.EMBED_TITLE) or None,
        description=clip(description, limits.EMBED_DESCRIPTION) or None,
        colour=colour,
    )


def _field(embed: discord.Embed, title: str, value: str, *, inline: bool = False) -> None:
    if value and len(embed.fields) < limits.EMBED_FIELDS:
        embed.add_field(
            name=clip(title, limits.FIELD_NAME), value=clip(value, limits.FIELD_VALUE), inline=inline
        )


def _footer(embed: discord.Embed, text: str) -> None:
    if text:
        embed.set_footer(text=clip(text, limits.FOOTER))


def _qa(question: str, answer: str, explanation: str) -> str:
    text = f"**Question:** {question}\n\n**Answer:** {answer}"
    return f"{text}\n\n{explanation}" if explanation else text


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def question_embed(card: QuestionCard) -> discord.Embed:
    """A daily post (``round_id`` set) or a private practice question."""
    daily = card.round_id is not None
    text = card.text
    if card.options:
        text += "\n\n" + "\n".join(f"**{LETTERS[i]}.** {option}" for i, option in enumerate(card.options))
    embed = _embed(
        "Question of the day" if daily else "Practice question",
        text,
        CLOSED_COLOUR if card.closed else QUESTION_COLOUR,
    )
    _field(embed, "Topic", card.topic, inline=True)
    _field(embed, "Difficulty", card.difficulty, inline=True)
    if daily and card.closed:
        _field(embed, "Answers", "Closed", inline=True)
    elif daily and card.reveal_at is not None:
        reveal = (
            f"{discord.utils.format_dt(card.reveal_at, 'f')} ({discord.utils.format_dt(card.reveal_at, 'R')})"
        )
        _field(embed, "Reveal", reveal, inline=True)
    _field(embed, "Note", "\n".join(card.notes))
    if daily:
        hint = "pick one option, it is locked" if card.mode == "quiz" else "press Answer to reply privately"
        _footer(embed, f"Round #{card.round_id}" + ("" if card.closed else f" · {hint}"))
    return embed


def reveal_embed(card: RevealCard) -> discord.Embed:
    """The reveal of a daily round, posted in the post's thread (or as a reply)."""
    title = "Answer revealed"
    embed = _embed(title, _qa(card.question, card.answer, card.explanation), ANSWER_COLOUR)
    _field(embed, "Key points", _bullets(card.key_points))
    results = [f"{card.answered} answered"]
    if card.verdicts:
        results.append(DOT.join(f"{verdict}: {count}" for verdict, count in card.verdicts))
    for index, pick in enumerate(card.picks):
        mark = "✅" if pick.correct else "▫️"
        results.append(f"{mark} **{LETTERS[index]}.** {pick.option} — **{pick.count}**")
    _field(embed, "Results", "\n".join(results))
    best = [f"{i}. {name(b.name)} ({b.verdict}, {b.score:.0%})" for i, b in enumerate(card.best, 1)]
    _field(embed, "Best answers", "\n".join(best))
    quoted = [f"**{name(q.name)}:** \u201c{_quote(q.quote)}\u201d" for q in card.quotes]
    _field(embed, "In their words", "\n".join(quoted))
    _field(embed, "Why the others are wrong", _reasons(card))
    _field(embed, "Follow-up", card.follow_up)
    _field(embed, "Practice", "\n".join(card.notes))
    _footer(embed, f"Round #{card.round_id}")
    return embed


def _reasons(card: RevealCard) -> str:
    return "\n".join(f"**{LETTERS[index]}.** {pick.why}" for index, pick in enumerate(card.picks) if pick.why)


def practice_reveal_embed(card: PracticeRevealCard) -> discord.Embed:
    """The answer of a practice question, above the recall-rating buttons."""
    embed = _embed("Practice answer", _qa(card.question, card.answer, card.explanation), ANSWER_COLOUR)
    _field(embed, "Key points", _bullets(card.key_points))
    _field(embed, "Your answer", card.grade_note)
    suggestion = f" Suggested: {card.suggested}." if card.suggested else ""
    _footer(embed, f"How well did you recall it?{suggestion}")
    return embed


def _board_line(row: LeaderboardRow) -> str:
    who = f"**{name(row.name)}**" if row.is_caller else name(row.name)
    return (
        f"`{row.rank:>2}.` {who} — {row.points} pts · {row.answers} answered "
        f"· {row.strong} strong · streak {row.streak}"
    )


def leaderboard_embed(card: LeaderboardCard) -> discord.Embed:
    """Standings: top rows, then the caller's own line when it is outside them."""
    lines = [_board_line(row) for row in card.rows]
    if card.caller_row is not None:
        lines += ["⋯", _board_line(card.caller_row)]
    return _embed(card.title, "\n".join(lines) or card.empty_text, BOARD_COLOUR)


def stats_embed(card: StatsCard) -> discord.Embed:
    """A player's numbers."""
    embed = _embed(f"Stats: {card.name}", "", discord.Colour.teal())
    _field(embed, f"Points ({card.scope})", str(card.points), inline=True)
    _field(embed, f"Rank ({card.scope})", f"#{card.rank}" if card.rank else "–", inline=True)
    _field(embed, "Streak", card.streak_text, inline=True)
    _field(embed, "Team", card.team, inline=True)
    _field(embed, "Answers", DOT.join(f"{verdict}: {n}" for verdict, n in card.verdicts) or "none")
    topics = [f"{topic}: {good}/{seen} strong" for topic, good, seen in card.topics]
    _field(embed, "By topic (weakest first)", "\n".join(topics))
    _field(embed, "Practice cards", f"{card.cards_due} due of {card.cards_total}")
    return embed


def table_embed(card: TableCard) -> discord.Embed:
    """A titled table (topics, schedule, usage) as one line per row."""
    lines = []
    for row in card.rows:
        head, rest = (row[0], row[1:]) if row else ("", ())
        lines.append(f"**{head}** — {DOT.join(rest)}" if rest else f"**{head}**")
    embed = _embed(card.title, "\n".join(lines), discord.Colour.blurple())
    _footer(embed, card.footer)
    return embed


def notice_embed(card: Notice) -> discord.Embed:
    """A short message; errors are red."""
    return _embed(card.title, card.text, TONE_COLOURS[card.tone])


def embed_for(card: Card) -> discord.Embed:
    """The embed of any card."""
    match card:
        case Notice():
            return notice_embed(card)
        case QuestionCard():
            return question_embed(card)
        case RevealCard():
            return reveal_embed(card)
        case PracticeRevealCard():
            return practice_reveal_embed(card)
        case LeaderboardCard():
            return leaderboard_embed(card)
        case StatsCard():
            return stats_embed(card)
        case TableCard():
            return table_embed(card)
        case MyGradeCard():
            return my_grade_embed(card)

        case FileCard():
            return _embed("Export", f"{card.caption}\nAttached: `{card.filename}`", ANSWER_COLOUR)


def my_grade_embed(card: MyGradeCard) -> discord.Embed:
    """A player's own grade of a revealed round (ephemeral), with the Appeal button if possible."""
    colour = {"strong": discord.Colour.green(), "partial": discord.Colour.gold()}.get(
        card.verdict, discord.Colour.light_grey()
    )
    embed = _embed("Your grade", f"**Question:** {card.question}", colour)
    _field(embed, "Your pick" if card.quiz else "Your answer", card.answer)
    _field(embed, "Verdict", card.verdict, inline=True)
    _field(embed, "Points", str(card.points), inline=True)
    _field(embed, "Key points found", _bullets(card.found))
    _field(embed, "Key points missed", _bullets(card.missed))
    _field(embed, "Why this grade", card.note)
    _field(embed, "Judge's feedback", card.feedback)
    _field(embed, "Status", card.status)
    appeal = any(a.kind is ActionKind.APPEAL for a in card.actions)
    _footer(
        embed, f"Round #{card.round_id}" + (" · you can appeal within a day of the reveal" if appeal else "")
    )
    return embed


def _actions(card: Card) -> tuple[Action, ...]:
    if isinstance(card, QuestionCard | PracticeRevealCard | RevealCard | MyGradeCard):
        return card.actions
    return ()


def render(cards: Sequence[Card]) -> Rendered:
    """One message for ``cards``: at most 10 embeds and 25 buttons, 6,000 characters in all."""
    shown = list(cards)[: limits.EMBEDS_PER_MESSAGE]
    embeds = fit([embed_for(card) for card in shown])
    actions = tuple(action for card in shown for action in _actions(card))
    files = tuple(card for card in shown if isinstance(card, FileCard))[: limits.FILES_PER_MESSAGE]
    return Rendered(embeds, actions[: limits.BUTTONS_PER_MESSAGE], files)


def fit(embeds: list[discord.Embed], total: int = limits.EMBED_TOTAL) -> list[discord.Embed]:
    """Shorten the longest texts until all embeds together hold at most ``total`` characters."""
    while (excess := sum(len(e) for e in embeds) - total) > 0:
        # (length, embed index, field index or -1 for the description)
        parts = [(len(e.description or ""), i, -1) for i, e in enumerate(embeds)]
        parts += [(len(f.value or ""), i, j) for i, e in enumerate(embeds) for j, f in enumerate(e.fields)]
        length, index, field_index = max(parts)
        if length <= 1:
            break  # only titles and names left; they are capped individually
        keep = max(length - excess, 1)
        embed = embeds[index]
        if field_index < 0:
            embed.description = clip(embed.description or "", keep)
        else:
            old = embed.fields[field_index]
            embed.set_field_at(
                field_index, name=old.name or "", value=clip(old.value or "", keep), inline=bool(old.inline)
            )
    return embeds
