"""Admin grammar and schedule messages: options keep their values, the reveal comes before the next
post, and every message tells the truth and leads somewhere. Real databases, fake clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from adapters.discord_adapter import options
from bot.app import App
from bot.cards import Notice, QuestionCard, Reply, StatsCard, TableCard, Tone
from bot.commands import ShowStats, ShowToday
from bot.store.tables import answers, channels
from bot.text.grammar import parse
from tests.conftest import admin
from tests.core.rounds_helpers import posts, run_at
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ADMIN = admin()


async def say(app: App, line: str) -> Reply:
    """Type one line as the channel's admin."""
    return await app.service.handle(ADMIN, parse(line))


def text(reply: Reply) -> str:
    """Everything a reply says, flattened."""
    parts = []
    for card in reply.cards:
        if isinstance(card, Notice):
            parts.append(card.text)
        elif isinstance(card, TableCard):
            parts.append(card.title + " " + " ".join(" ".join(row) for row in card.rows))
    return " ".join(parts)


def row(reply: Reply, setting: str) -> str:
    """One value of the schedule table in a reply."""
    card = reply.cards[0]
    assert isinstance(card, TableCard), reply
    return dict(r[:2] for r in card.rows)[setting]  # type: ignore[misc]


def is_error(reply: Reply) -> bool:
    return any(isinstance(c, Notice) and c.tone is Tone.ERROR for c in reply.cards)


async def stored(app: App) -> dict[str, object]:
    async with app.engine.connect() as conn:
        found = (await conn.execute(select(channels).where(channels.c.channel_id == "C1"))).one()
    return dict(found._mapping)


async def test_readme_order_parses_and_topics_stop_at_the_next_keyword(app: App) -> None:
    reply = await say(app, "daily set 09:30 topics nlp,ensemble difficulty hard")
    assert not is_error(reply), text(reply)
    assert row(reply, "topics") == "Natural Language Processing (NLP), Ensemble Methods"
    assert row(reply, "difficulty") == "hard"
    # a topic name with spaces still works before another option
    reply = await say(app, "daily set 09:30 topics time series analysis mode quiz")
    assert row(reply, "topics") == "Time Series Analysis" and row(reply, "mode") == "quiz"


async def test_options_keep_their_values_unless_given(app: App) -> None:
    await say(app, "daily set 09:30 Europe/Berlin reveal 4h days weekdays mode quiz topics ensemble")
    reply = await say(app, "daily set 10:00")
    assert row(reply, "time") == "10:00 Europe/Berlin"
    assert (row(reply, "reveal"), row(reply, "days"), row(reply, "mode")) == ("after 4h", "weekdays", "quiz")
    assert row(reply, "topics") == "Ensemble Methods"
    # the words that lift a filter
    reply = await say(app, "daily set 10:00 topics all difficulty any mode open")
    assert (row(reply, "topics"), row(reply, "difficulty"), row(reply, "mode")) == ("all", "any", "open")
    # after daily off the settings are kept too
    await say(app, "daily off")
    reply = await say(app, "daily set 11:00")
    assert row(reply, "time") == "11:00 Europe/Berlin" and row(reply, "reveal") == "after 4h"


async def test_discord_structured_options_follow_the_same_rules(app: App) -> None:
    first = options.daily_set(time="09:30", timezone="Europe/Berlin", reveal="4h", mode="quiz", topics="rl")
    assert not is_error(await app.service.handle(ADMIN, first))
    reply = await app.service.handle(ADMIN, options.daily_set(time="12:00", difficulty="hard"))
    assert (row(reply, "time"), row(reply, "mode"), row(reply, "reveal")) == (
        "12:00 Europe/Berlin",
        "quiz",
        "after 4h",
    )
    assert (row(reply, "topics"), row(reply, "difficulty")) == ("Reinforcement Learning", "hard")
    reply = await app.service.handle(ADMIN, options.daily_set(time="12:00", topics="all", difficulty="any"))
    assert (row(reply, "topics"), row(reply, "difficulty")) == ("all", "any")
    too_long = await app.service.handle(ADMIN, options.daily_set(time="12:00", reveal="100h"))
    assert is_error(too_long) and "shorter than 23h" in text(too_long)
    with pytest.raises(options.OptionError, match="from 1m to 7d"):
        options.daily_set(time="12:00", reveal="0m")


@pytest.mark.parametrize("line", ["daily set 09:00 reveal 0m", "daily set 09:00 reveal 8d"])
def test_reveal_out_of_range_is_refused_with_the_range_it_states(line: str) -> None:
    with pytest.raises(ValueError, match="a duration from 1m to 7d is accepted"):
        parse(line)


async def test_reveal_must_come_before_the_next_post(app: App) -> None:
    refused = await say(app, "daily set 09:00 UTC reveal 100h")
    assert is_error(refused)
    assert "would still be open when the next question posts" in text(refused)
    assert "shorter than 1d" in text(refused)
    assert not (await stored(app))["scheduled"]  # nothing written
    assert is_error(await say(app, "daily set 09:00 UTC reveal 24h"))
    assert not is_error(await say(app, "daily set 09:00 UTC reveal 23h30m"))
    # Berlin's clocks change: two 09:00 posts can be 23 h apart
    berlin = await say(app, "daily set 09:00 Europe/Berlin reveal 23h30m")
    assert is_error(berlin) and "shorter than 23h" in text(berlin)
    # posting only on Mondays leaves a week
    assert not is_error(await say(app, "daily set 09:00 UTC days mon reveal 100h"))
    # days that narrow the gap are checked against the kept reveal
    narrowed = await say(app, "daily set 09:00 UTC days every")
    assert is_error(narrowed) and "reveal 100h" in text(narrowed)


async def test_option_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="'mode' is given twice"):
        parse("daily set 09:00 mode quiz mode open")


async def test_set_after_todays_round_confirms_a_post_that_will_happen(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # Wed 02 Dec
    await say(app, "daily set 08:00 UTC reveal 1h")
    await say(app, "daily now")
    await run_at(app, clock, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # revealed at 10:00
    reply = await say(app, "daily set 12:30")
    assert row(reply, "next post").startswith("Thu 03 Dec 12:30")
    await run_at(app, clock, datetime(2026, 12, 2, 12, 31, tzinfo=UTC))
    assert len(posts(messenger)) == 1  # nothing posted at 12:30 today
    await run_at(app, clock, datetime(2026, 12, 3, 12, 31, tzinfo=UTC))
    assert len(posts(messenger)) == 2
    # resume after a pause follows the same rule
    await say(app, "daily pause")
    resumed = await say(app, "daily resume")
    assert "next post Fri 04 Dec 12:30" in text(resumed)


async def test_daily_now_after_a_reveal_or_off_says_what_is_true(app: App) -> None:
    await say(app, "daily set 09:00 UTC")
    await say(app, "daily now")
    open_again = await say(app, "daily now")
    assert "still open. `daily skip` replaces it" in text(open_again)
    revealed = await say(app, "daily reveal")
    assert text(revealed) == "Revealed the answer. Next question: Thu 26 Nov 09:00 UTC."
    after_reveal = await say(app, "daily now")
    assert is_error(after_reveal)
    assert "already posted and revealed here" in text(after_reveal)
    assert "daily skip" not in text(after_reveal) and "daily reveal" not in text(after_reveal)
    assert "Next question: Thu 26 Nov 09:00 UTC" in text(after_reveal)
    off = await say(app, "daily off")
    assert "`daily set HH:MM` starts it again with the same settings" in text(off)
    after_off = await say(app, "daily now")
    assert "The daily question is off here; `daily set HH:MM` starts it again" in text(after_off)
    await say(app, "daily set 09:00")
    await say(app, "daily pause")
    paused = await say(app, "daily now")
    assert "paused; `daily resume` starts it again" in text(paused)


async def test_off_with_an_open_round_says_when_it_is_revealed(app: App) -> None:
    await say(app, "daily set 09:00 UTC reveal 4h")
    await say(app, "daily now")
    off = await say(app, "daily off")
    assert "The open question is still revealed on time (Wed 25 Nov 12:00 UTC)" in text(off)


async def test_stats_and_leaderboard_say_their_scope(app: App) -> None:
    stats = (await app.service.handle(ADMIN, ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.scope == "this server, all time"
    slack = ADMIN.__class__("slack", "T1", "C1", "U1", "Ada", is_admin=True)
    slack_stats = (await app.service.handle(slack, ShowStats())).cards[0]
    assert isinstance(slack_stats, StatsCard) and slack_stats.scope == "this workspace, all time"
    board = (await say(app, "leaderboard")).cards[0]
    assert board.title.startswith("Leaderboard: this channel, ")  # type: ignore[union-attr]


async def test_question_card_carries_the_channel_zone(app: App, messenger: RecordingMessenger) -> None:
    await say(app, "daily set 09:00 Asia/Tokyo")
    await say(app, "daily now")
    assert posts(messenger)[0].timezone == "Asia/Tokyo"
    today = (await app.service.handle(ADMIN, ShowToday())).cards[0]
    assert isinstance(today, QuestionCard) and today.timezone == "Asia/Tokyo"


async def test_forget_me_asks_before_deleting(app: App) -> None:
    await say(app, "daily set 09:00 UTC")
    await say(app, "daily now")
    await say(app, "answer bagging averages models")
    ask = await say(app, "forget-me")
    assert text(ask) == (
        "This deletes everything dailyq stored about you, for good: answers, points, streaks, "
        "appeals, practice cards, reminders and your pending or rejected question submissions. "
        "Questions of yours an admin approved stay in the workspace's bank, without your name. "
        "To go ahead, send `forget-me confirm`."
    )
    assert await answer_count(app) == 1  # asking deletes nothing
    done = await say(app, "forget-me confirm")
    assert "Deleted everything" in text(done)
    assert await answer_count(app) == 0


async def answer_count(app: App) -> int:
    async with app.engine.connect() as conn:
        return len((await conn.execute(select(answers))).all())


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (
            "question hyperparameter",
            "matches several topics: Model Optimization and Hyperparameter Tuning (moht), "
            "Hyperparameter Optimization (ho). Name one",
        ),
        ("question astrology", "Unknown topic 'astrology'. Topics: Basic Machine Learning Concepts (bmlc), "),
        (
            "question optimisation",
            "Unknown topic 'optimisation'. Did you mean Model Optimization and Hyperparameter Tuning (moht) "
            "or Hyperparameter Optimization (ho)?",
        ),
    ],
)
async def test_topics_that_are_not_chosen_say_why(app: App, line: str, says: str) -> None:
    reply = await say(app, line)
    assert is_error(reply) and says in text(reply)


@pytest.mark.parametrize(
    ("typed", "topic"),
    [
        ("ensembel", "Ensemble Methods"),
        ("rl", "Reinforcement Learning"),
        ("NLP", "Natural Language Processing (NLP)"),
        ("time series", "Time Series Analysis"),
        ("reinforcment learning", "Reinforcement Learning"),
        ("ensembl methds", "Ensemble Methods"),
        ("clowd", "Cloud Deployment Strategies"),
    ],
)
async def test_forgiving_topic_words(app: App, typed: str, topic: str) -> None:
    practice = (await say(app, f"question {typed}")).cards[0]
    assert isinstance(practice, QuestionCard) and practice.topic == topic
    schedule = await say(app, f"daily set 09:00 topics {typed}")
    assert row(schedule, "topics") == topic


async def test_topics_lists_short_names(app: App) -> None:
    card = (await say(app, "topics")).cards[0]
    assert isinstance(card, TableCard) and card.columns == ("topic", "short", "questions")
    shorts = {r[0]: r[1] for r in card.rows}
    assert shorts["Reinforcement Learning"] == "rl"
    assert shorts["Natural Language Processing (NLP)"] == "nlp"
    assert len({s for s in shorts.values() if s != "-"}) == len([s for s in shorts.values() if s != "-"])


async def test_zone_typo_suggests_the_iana_name(app: App) -> None:
    with pytest.raises(ValueError, match="Did you mean Europe/Berlin"):
        parse("daily set 09:00 berlin")
    with pytest.raises(ValueError, match="Did you mean America/New_York"):
        parse("daily set 09:00 tz new_york")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("hlep", "help"), ("anwser x", "answer"), ("topcis", "topics"), ("daily reveral", "daily reveal")],
)
def test_unknown_command_suggests_the_near_one(typed: str, meant: str) -> None:
    with pytest.raises(ValueError, match=f"Did you mean `{meant}`"):
        parse(typed)


def test_far_off_word_gets_no_guess() -> None:
    with pytest.raises(ValueError) as caught:
        parse("dance")
    assert "Did you mean" not in str(caught.value)


async def test_a_kept_reveal_is_stored_unchanged(app: App) -> None:
    await say(app, "daily set 09:00 UTC reveal 2h")
    await say(app, "daily set 09:30")
    assert (await stored(app))["reveal_after_s"] == 2 * 3600
