"""The App Home tab: the user's numbers, a practice button, and the workspace leaderboard (pure)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from adapters.slack_adapter.actions import button
from adapters.slack_adapter.blocks import VIEW_BLOCKS, context, header, leaderboard_blocks, section
from bot.cards import Action, ActionKind, Card, LeaderboardCard, StatsCard

PRACTICE = Action(ActionKind.PRACTICE, "Practice a question", "", "primary")
INTRO = (
    "A daily interview question for the team, answered privately and revealed later, "
    "plus solo practice with spaced repetition (no points)."
)
FOOTER = (
    "`/question help` lists every command. Admins schedule a channel with "
    "`/question daily set 09:30 Europe/Berlin`."
)


def _stats(card: StatsCard) -> list[Block]:
    fields = [
        f"*Points*\n{card.points}",
        f"*Rank*\n{card.rank if card.rank else '-'}",
        f"*Streak*\n{card.streak_text}",
        f"*Practice cards due*\n{card.cards_due} of {card.cards_total}",
    ]
    return [SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields])]


def home_view(cards: tuple[Card, ...]) -> dict[str, Any]:
    """The Home tab for the stats and leaderboard cards the core returned (either may be missing)."""
    stats = next((c for c in cards if isinstance(c, StatsCard)), None)
    board = next((c for c in cards if isinstance(c, LeaderboardCard)), None)
    blocks: list[Block] = [header("dailyq"), section(INTRO), DividerBlock(), header("You")]
    if stats is not None:
        blocks += _stats(stats)
    else:
        blocks.append(section("_Your numbers are not available right now; open this tab again later._"))
    blocks.append(ActionsBlock(block_id="dailyq-home", elements=[button(PRACTICE, 0)]))
    blocks.append(DividerBlock())
    if board is not None:
        blocks += leaderboard_blocks(board)
    blocks += [DividerBlock(), context(FOOTER)]
    return View(type="home", blocks=blocks[:VIEW_BLOCKS]).to_dict()
