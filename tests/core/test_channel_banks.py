"""A channel draws from the banks it chose; past rounds keep their question after a bank is removed."""

from __future__ import annotations

import json
from datetime import time

from bot.app import App
from bot.bank.catalog import UNGRADED
from bot.bank.commands import ImportBank, RemoveBank
from bot.cards import (
    FileCard,
    MyGradeCard,
    Notice,
    PracticeRevealCard,
    QuestionCard,
    RevealCard,
    StatsCard,
    TableCard,
    Tone,
)
from bot.commands import (
    Ask,
    ConfigureDaily,
    DailyAction,
    Export,
    ExportDaily,
    ExportKind,
    ListTopics,
    ManageDaily,
    Review,
    ShowMyGrade,
    ShowPracticeAnswer,
    ShowStats,
    SubmitAnswer,
)
from bot.text.grammar import CommandError, parse
from tests.conftest import admin, member
from tests.support.messenger import RecordingMessenger

GRAPHS = [
    {
        "id": "spanning-tree",
        "topic": "Graphs",
        "difficulty": "easy",
        "question": "What is a spanning tree of a graph?",
        "answer": "A subgraph that is a tree and connects every vertex of the graph without cycles.",
        "key_points": [["every vertex", "all vertices"], ["without cycles", "no cycles", "acyclic"]],
    },
    {
        "id": "dijkstra",
        "topic": "Graphs",
        "difficulty": "medium",
        "question": "How does Dijkstra's algorithm find shortest paths?",
        "answer": "It repeatedly settles the closest unsettled vertex using a priority queue, which is "
        "correct when edge weights are non-negative.",
        "key_points": [["priority queue", "min heap"], ["non-negative", "nonnegative", "no negative"]],
    },
]


def upload(questions: list[dict[str, object]]) -> ImportBank:
    document = {"name": "Graphs", "version": "1", "questions": questions}
    return ImportBank("ours.json", json.dumps(document).encode())


def posted(messenger: RecordingMessenger) -> list[QuestionCard]:
    return [s.card for s in messenger.sent if s.kind == "post" and isinstance(s.card, QuestionCard)]


async def test_daily_set_banks_draws_from_the_workspace_bank(app: App, messenger: RecordingMessenger) -> None:
    await app.service.handle(admin(), upload(GRAPHS))
    reply = await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("ours",)))
    card = reply.cards[0]
    assert isinstance(card, TableCard)
    assert ("questions", "2") in card.rows and ("banks", "ours") in card.rows
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    question = posted(messenger)[-1]
    assert question.topic == "Graphs"
    assert question.question_id in ("ours:spanning-tree", "ours:dijkstra")


async def test_the_union_with_builtin_counts_both_and_topics_come_from_either(app: App) -> None:
    await app.service.handle(admin(), upload(GRAPHS))
    reply = await app.service.handle(
        admin(), ConfigureDaily(post_time=time(9, 0), banks=("builtin", "ours"), topics=("graphs",))
    )
    card = reply.cards[0]
    assert isinstance(card, TableCard) and ("topics", "Graphs") in card.rows
    # a left-out option keeps its value, so `topics all` (()) lifts the topic filter
    reply = await app.service.handle(
        admin(), ConfigureDaily(post_time=time(9, 0), banks=("builtin", "ours"), topics=())
    )
    card = reply.cards[0]
    assert isinstance(card, TableCard) and ("questions", "102") in card.rows


async def test_an_unknown_bank_changes_nothing(app: App) -> None:
    reply = await app.service.handle(
        admin(), ConfigureDaily(post_time=time(9, 0), banks=("builtin", "theirs"))
    )
    assert reply.cards == (
        Notice(
            "No bank named 'theirs' here. Use builtin (the bundled bank) and names from `bank list`, "
            "separated by commas.",
            Tone.ERROR,
        ),
    )
    status = await app.service.handle(admin(), ManageDaily(DailyAction.STATUS))
    assert "no daily question" in str(status.cards[0])


async def test_a_past_round_keeps_its_question_after_the_bank_is_removed(
    app: App, messenger: RecordingMessenger
) -> None:
    await app.service.handle(admin(), upload(GRAPHS[:1]))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("ours",)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    reply = await app.service.handle(member(), SubmitAnswer(text="it reaches every vertex and has no cycles"))
    assert reply.cards[0].title == "Answer received"  # type: ignore[union-attr]
    await app.service.handle(admin(), RemoveBank("ours"))
    await app.service.handle(admin(), ManageDaily(DailyAction.REVEAL))
    reveal = next(s.card for s in messenger.sent if isinstance(s.card, RevealCard))
    assert reveal.question == "What is a spanning tree of a graph?"
    assert reveal.best[0].verdict == "strong"  # graded on the removed bank's key points
    late = await app.service.handle(member(), SubmitAnswer(text="too late"))
    assert "Reference answer: A subgraph that is a tree" in str(late.cards[0])
    # with its only bank gone the channel goes on with the bundled one
    status = (await app.service.handle(admin(), ManageDaily(DailyAction.STATUS))).cards[0]
    assert isinstance(status, TableCard) and ("questions", "100") in status.rows


async def test_practice_draws_from_the_channel_banks(app: App) -> None:
    await app.service.handle(admin(), upload(GRAPHS))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("builtin", "ours")))
    card = (await app.service.handle(member(), Ask("graphs"))).cards[0]
    assert isinstance(card, QuestionCard) and card.question_id.startswith("ours:")
    shown = (await app.service.handle(member(), ShowPracticeAnswer())).cards[0]
    assert isinstance(shown, PracticeRevealCard) and shown.question_id == card.question_id
    # another channel of the workspace chose nothing: the bundled bank only
    elsewhere = await app.service.handle(member(channel="C2"), Ask("graphs"))
    assert "Unknown topic 'graphs'" in str(elsewhere.cards[0])


def test_daily_set_parses_banks() -> None:
    command = parse("daily set 09:00 Europe/Berlin banks builtin,Ours mode quiz")
    assert isinstance(command, ConfigureDaily)
    assert command.banks == ("builtin", "ours") and command.mode == "quiz"
    assert parse("daily set 09:00").banks is None  # type: ignore[union-attr]
    try:
        parse("daily set 09:00 banks ,,")
    except CommandError as exc:
        assert "Name at least one bank" in str(exc)
    else:
        raise AssertionError("expected a CommandError")


async def test_a_question_without_key_points_runs_and_says_it_is_not_graded(
    app: App, messenger: RecordingMessenger
) -> None:
    markdown = "### Graphs\n\n1. **What is a spanning tree?**\n   - A tree that reaches every vertex.\n"
    await app.service.handle(admin(), ImportBank("graphs.md", markdown.encode()))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("graphs",)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    card = posted(messenger)[-1]
    assert card.question_id == "graphs:spanning-tree"
    assert card.notes == ("Admins: 0 of 1 questions left before the bank starts over.", UNGRADED)


async def test_topics_lists_the_channel_banks(app: App) -> None:
    await app.service.handle(admin(), upload(GRAPHS))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("builtin", "ours")))
    table = (await app.service.handle(member(), ListTopics())).cards[0]
    assert isinstance(table, TableCard)
    # one-word topic: no short name
    assert ("Graphs", "-", "2") in table.rows and table.footer.startswith("102 questions.")
    elsewhere = (await app.service.handle(member(channel="C2"), ListTopics())).cards[0]
    assert isinstance(elsewhere, TableCard) and "Graphs" not in [row[0] for row in elsewhere.rows]


async def test_stats_count_workspace_questions_under_their_topic(app: App) -> None:
    await app.service.handle(admin(), upload(GRAPHS[:1]))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("ours",)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    await app.service.handle(member(), SubmitAnswer(text="it reaches every vertex with no cycles"))
    await app.service.handle(admin(), ManageDaily(DailyAction.REVEAL))
    stats = (await app.service.handle(member(), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.topics == (("Graphs", 1, 1),)


async def test_grade_review_and_exports_show_a_workspace_question_also_after_removal(app: App) -> None:
    await app.service.handle(admin(), upload(GRAPHS[:1]))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), banks=("ours",)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    await app.service.handle(member(), SubmitAnswer(text="a path"))  # missed: a review card
    await app.service.handle(admin(), ManageDaily(DailyAction.REVEAL))
    await app.service.handle(admin(), RemoveBank("ours"))
    text = "What is a spanning tree of a graph?"
    grade = (await app.service.handle(member(), ShowMyGrade())).cards[0]
    assert isinstance(grade, MyGradeCard) and grade.question == text
    assert grade.missed == ("every vertex", "without cycles")
    stats = (await app.service.handle(member(), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and [r.question for r in stats.recent] == [text]
    review = (await app.service.handle(member(), Review())).cards[0]
    assert isinstance(review, QuestionCard) and review.text == text
    answers = (await app.service.handle(member(), Export(ExportKind.ANSWERS))).cards[0]
    assert isinstance(answers, FileCard) and text in answers.data.decode()
    assert "ours:spanning-tree" in answers.data.decode()
    cards = (await app.service.handle(member(), Export(ExportKind.CARDS))).cards[0]
    assert isinstance(cards, FileCard) and "spanning tree" in cards.data.decode()
    daily = (await app.service.handle(admin(), ExportDaily())).cards[0]
    assert isinstance(daily, FileCard) and text in daily.data.decode()
