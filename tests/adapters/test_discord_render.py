"""Cards -> Discord embeds and buttons: content, escaping, and Discord's size limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord

from adapters.discord_adapter import limits
from adapters.discord_adapter.actions import ActionButton, encode
from adapters.discord_adapter.render import embed_for, fit, render
from bot.bank.model import Bank
from bot.cards import (
    Action,
    ActionKind,
    BestAnswer,
    Card,
    LeaderboardCard,
    LeaderboardRow,
    Notice,
    PracticeRevealCard,
    QuestionCard,
    QuizPick,
    RevealCard,
    StatsCard,
    TableCard,
    Tone,
)
from bot.commands import Rating

REVEAL_AT = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    """Every Discord embed limit, checked on the payload that would be sent."""
    assert len(embeds) <= limits.EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= limits.EMBED_TOTAL
    for embed in embeds:
        data: dict[str, Any] = embed.to_dict()  # type: ignore[assignment]
        assert len(data.get("title", "")) <= limits.EMBED_TITLE
        assert len(data.get("description", "")) <= limits.EMBED_DESCRIPTION
        assert len(data.get("fields", [])) <= limits.EMBED_FIELDS
        for field in data.get("fields", []):
            assert 0 < len(field["name"]) <= limits.FIELD_NAME
            assert 0 < len(field["value"]) <= limits.FIELD_VALUE
        assert len(data.get("footer", {}).get("text", "")) <= limits.FOOTER


def daily_card(**changes: Any) -> QuestionCard:
    values: dict[str, Any] = {
        "question_id": "bagging-0",
        "topic": "Ensemble Methods",
        "difficulty": "medium",
        "text": "What does bagging reduce?",
        "round_id": 7,
        "reveal_at": REVEAL_AT,
        "actions": (Action(ActionKind.ANSWER, "Answer", "7", "primary"),),
    }
    values.update(changes)
    return QuestionCard(**values)


async def test_daily_question_embed_shows_topic_reveal_time_and_answer_button() -> None:
    rendered = render((daily_card(),))
    data = rendered.embeds[0].to_dict()
    assert data["title"] == "Question of the day"
    assert data["description"] == "What does bagging reduce?"
    fields = {f["name"]: f["value"] for f in data["fields"]}
    stamp = int(REVEAL_AT.timestamp())
    assert fields["Topic"] == "Ensemble Methods" and fields["Difficulty"] == "medium"
    assert fields["Reveal"] == f"<t:{stamp}:f> (<t:{stamp}:R>)"
    assert data["footer"]["text"].startswith("Round #7")
    view = rendered.view()
    assert view is not None and view.timeout is None and view.is_persistent()
    [button] = view.children
    assert isinstance(button, ActionButton)
    assert button.custom_id == "dailyq:answer:7" and button.item.style is discord.ButtonStyle.primary


async def test_quiz_post_lists_options_and_has_four_buttons() -> None:
    options = ("variance", "bias", "latency", "memory")
    actions = tuple(Action(ActionKind.CHOOSE, "ABCD"[i], f"7:{i}") for i in range(4))
    rendered = render((daily_card(mode="quiz", options=options, actions=actions),))
    description = rendered.embeds[0].description or ""
    assert "**A.** variance" in description and "**D.** memory" in description
    view = rendered.view()
    assert view is not None
    assert [c.custom_id for c in view.children if isinstance(c, ActionButton)] == [
        f"dailyq:choose:7:{i}" for i in range(4)
    ]


async def test_closed_post_has_no_buttons() -> None:
    rendered = render((daily_card(closed=True, actions=()),))
    fields = {f.name: f.value for f in rendered.embeds[0].fields}
    assert fields["Answers"] == "Closed" and "Reveal" not in fields
    assert rendered.view() is None


def test_reveal_marks_the_right_option_and_escapes_names() -> None:
    card = RevealCard(
        round_id=7,
        question="What does bagging reduce?",
        answer="Variance",
        explanation="It averages.",
        key_points=("variance", "averaging"),
        answered=3,
        picks=(
            QuizPick("Variance", 2, True),
            QuizPick("Bias", 1, False, "Bagging does not touch bias much."),
        ),
        best=(BestAnswer("*Ada*_`x`", "strong", 1.0),),
        follow_up="And boosting?",
    )
    data = embed_for(card).to_dict()
    fields = {f["name"]: f["value"] for f in data["fields"]}
    assert "**Answer:** Variance" in data["description"]
    assert "✅ **A.** Variance — **2**" in fields["Results"] and "3 answered" in fields["Results"]
    assert fields["Why the others are wrong"] == "**B.** Bagging does not touch bias much."
    assert fields["Best answers"] == "1. \\*Ada\\*\\_\\`x\\` (strong, 100%)"
    assert fields["Key points"] == "• variance\n• averaging"


def test_leaderboard_shows_the_caller_below_the_top() -> None:
    rows = tuple(LeaderboardRow(i, f"player{i}", 100 - i, 3, 1, 2) for i in range(1, 11))
    me = LeaderboardRow(14, "me", 5, 1, 0, 1, is_caller=True)
    text = embed_for(LeaderboardCard("Leaderboard", rows, me)).description or ""
    lines = text.splitlines()
    assert len(lines) == 12 and lines[-2] == "⋯" and "**me**" in lines[-1]
    empty = embed_for(LeaderboardCard("Leaderboard", ())).description
    assert empty == "No points yet in this window."


def test_notice_colour_follows_tone() -> None:
    assert embed_for(Notice("no", Tone.ERROR)).colour == discord.Colour.red()
    assert embed_for(Notice("ok", Tone.SUCCESS, title="Done")).title == "Done"


async def test_longest_cards_stay_within_discord_limits() -> None:
    huge = "x" * 5000
    rows = tuple(LeaderboardRow(i, "n" * 300, i, 1, 1, 1) for i in range(1, 40))
    cards: list[Card] = [
        daily_card(text=huge, notes=(huge, huge), topic=huge),
        RevealCard(
            7, huge, huge, huge, (huge,) * 5, 3, best=(BestAnswer(huge, "strong", 1.0),), follow_up=huge
        ),
        PracticeRevealCard("q", huge, huge, huge, (huge,), grade_note=huge, suggested="good"),
        LeaderboardCard(huge, rows, rows[0]),
        StatsCard(huge, 1, 1, 1, 1, (("strong", 1),), tuple((huge, 1, 2) for _ in range(50)), 1, 2),
        TableCard(huge, ("a", "b"), tuple((huge, huge) for _ in range(30)), footer=huge),
        Notice(huge, Tone.ERROR, title=huge),
    ]
    for card in cards:
        assert_within_limits(render((card,)).embeds)
    assert_within_limits(render(cards * 2).embeds)  # many cards in one message: 10 embeds, 6,000 chars


def test_fit_shortens_the_longest_parts_first() -> None:
    embeds = [discord.Embed(title="a", description="d" * 4000), discord.Embed(description="e" * 3000)]
    embeds[1].add_field(name="f", value="v" * 1000)
    fit(embeds)
    assert sum(len(e) for e in embeds) <= limits.EMBED_TOTAL
    assert len(embeds[1].fields[0].value or "") == 1000  # the longest part took the cut


async def test_buttons_respect_label_and_custom_id_limits(bank: Bank) -> None:
    long_label = Action(ActionKind.SHOW_ANSWER, "L" * 200, "q")
    view = render((daily_card(actions=(long_label,)),)).view()
    assert view is not None
    button = view.children[0]
    assert isinstance(button, ActionButton) and len(button.item.label or "") == limits.BUTTON_LABEL
    for question in bank.questions:  # every id of the bundled bank fits every button kind
        for action in (
            Action(ActionKind.RATE, "Again", f"{question.id}:{Rating.AGAIN.value}"),
            Action(ActionKind.SHOW_ANSWER, "Show", question.id),
            Action(ActionKind.PRACTICE_ANSWER, "Answer", question.id),
            Action(ActionKind.PRACTICE, "More", question.topic),
        ):
            assert len(encode(action)) <= limits.CUSTOM_ID
