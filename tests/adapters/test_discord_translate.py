"""Pure translation: slash options, button ids and form submits -> core commands."""

from __future__ import annotations

from datetime import time, timedelta

import discord
import pytest

from adapters.discord_adapter import options
from adapters.discord_adapter.actions import BadAction, OpenForm, command_for, decode, encode
from adapters.discord_adapter.forms import decode_form, form_command, form_custom_id, form_values
from adapters.discord_adapter.messenger import nonce_for, thread_name
from adapters.discord_adapter.options import OptionError
from adapters.discord_adapter.permissions import check_channel, invite_permissions
from adapters.pacing import DISCORD_GLOBAL_LIMIT, Pacer, pacer_for
from bot.cards import Action, ActionKind, RevealCard
from bot.commands import (
    Ask,
    ConfigureDaily,
    PracticeAnswer,
    RatePractice,
    Rating,
    Scope,
    ShowLeaderboard,
    ShowPracticeAnswer,
    ShowSeasonBoard,
    ShowTeamBoard,
    SubmitAnswer,
    Window,
)
from bot.text.timeparse import WEEKDAYS_ONLY
from tests.fakes.discord_payloads import modal_components


def test_daily_set_options_map_to_configure_daily() -> None:
    command = options.daily_set(
        time="9:30",
        timezone="europe/berlin",
        reveal="1h30m",
        days="weekdays",
        mode="quiz",
        topics="Ensemble, deep learning ,",
        difficulty="any",
    )
    assert command == ConfigureDaily(
        post_time=time(9, 30),
        timezone="Europe/Berlin",
        reveal_after=timedelta(minutes=90),
        days=WEEKDAYS_ONLY,
        mode="quiz",
        topics=("Ensemble", "deep learning"),
        difficulty="any",  # passed on: the core lifts the filter (None keeps the current one)
    )
    assert options.daily_set(time="17:00") == ConfigureDaily(post_time=time(17, 0))
    assert options.daily_set(time="17:00", difficulty="hard").difficulty == "hard"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("time", "25:00", "24-hour HH:MM"),
        ("timezone", "Mars/Base", "IANA name"),
        ("reveal", "8d", "out of range"),
        ("reveal", "soon", "not a duration"),
        ("days", "funday", "weekdays"),
        ("mode", "essay", "open"),
        ("difficulty", "brutal", "easy, medium, hard or any"),
        ("topics", " , ", "at least one topic"),
    ],
)
def test_daily_set_rejects_bad_options_saying_what_is_accepted(field: str, value: str, says: str) -> None:
    values = {"time": "09:00", field: value}
    with pytest.raises(OptionError, match=says):
        options.daily_set(**values)


def test_leaderboard_defaults_to_this_week_in_this_channel() -> None:
    assert options.leaderboard(None, None) == ShowLeaderboard(Window.WEEK, Scope.CHANNEL)
    assert options.leaderboard("all", "server") == ShowLeaderboard(Window.ALL, Scope.SERVER)


def test_context_admin_flag_comes_from_manage_server() -> None:
    def ctx(perms: discord.Permissions) -> bool:
        return options.context_for(
            guild_id=1, channel_id=2, user_id=3, display_name="Ada", permissions=perms
        ).is_admin

    assert ctx(discord.Permissions(manage_guild=True)) and ctx(discord.Permissions(administrator=True))
    assert not ctx(discord.Permissions(send_messages=True, manage_messages=True))
    context = options.context_for(
        guild_id=1, channel_id=2, user_id=3, display_name="Ada", permissions=discord.Permissions.none()
    )
    assert (context.platform, context.workspace_id, context.channel_id, context.user_id) == (
        "discord",
        "1",
        "2",
        "3",
    )


def test_autocomplete_suggestions() -> None:
    topics = ["Ensemble Methods", "Deep Learning", "Reinforcement Learning"]
    assert options.topic_suggestions(topics, "learn") == ["Deep Learning", "Reinforcement Learning"]
    assert options.topic_list_suggestions(topics, "Deep Learning, ens") == ["Deep Learning, Ensemble Methods"]
    assert options.topic_list_suggestions(topics, "Deep Learning,") == [
        "Deep Learning, Ensemble Methods",
        "Deep Learning, Reinforcement Learning",
    ]
    many = options.choices(f"zone{i}" for i in range(100))
    assert len(many) == 25 and many[0].value == "zone0"
    assert options.choices(["x" * 101, "ok"]) == [discord.app_commands.Choice(name="ok", value="ok")]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (ActionKind.ANSWER, "12", OpenForm("answer", "12")),
        (ActionKind.CHOOSE, "12:3", SubmitAnswer(round_id=12, choice=3)),
        (ActionKind.PRACTICE, "Deep Learning", Ask("Deep Learning")),
        (ActionKind.PRACTICE, "", Ask(None)),
        (ActionKind.PRACTICE_ANSWER, "bagging-0", OpenForm("try", "bagging-0")),
        (ActionKind.SHOW_ANSWER, "bagging-0", ShowPracticeAnswer("bagging-0")),
        (ActionKind.RATE, "bagging-0:good", RatePractice(Rating.GOOD, "bagging-0")),
    ],
)
def test_button_ids_round_trip_into_commands(kind: ActionKind, value: str, expected: object) -> None:
    custom_id = encode(Action(kind, "label", value))
    assert custom_id == f"dailyq:{kind.value}:{value}"
    action = decode(custom_id)
    assert action is not None and command_for(action) == expected


@pytest.mark.parametrize(
    "custom_id", ["dailyq:choose:12", "dailyq:choose:a:b", "dailyq:rate:q:meh", "dailyq:answer:x"]
)
def test_malformed_button_ids_are_refused(custom_id: str) -> None:
    action = decode(custom_id)
    assert action is not None
    with pytest.raises(BadAction):
        command_for(action)


def test_foreign_ids_are_not_ours() -> None:
    assert decode("other:answer:1") is None and decode("dailyq:unknown:1") is None
    assert decode_form("dailyq:answer:1") is None and decode_form("dailyq:form:nope:1") is None
    with pytest.raises(ValueError, match="100"):
        encode(Action(ActionKind.PRACTICE, "x", "t" * 100))


@pytest.mark.parametrize("labels", [False, True])
def test_form_submits_decode_in_both_layouts(labels: bool) -> None:
    components = modal_components({"text": "  averaging  ", "other": "x"}, labels=labels)
    assert form_values(components) == {"text": "  averaging  ", "other": "x"}


def test_forms_map_to_answers() -> None:
    answer = OpenForm("answer", "12")
    assert decode_form(form_custom_id(answer)) == answer
    assert form_command(answer, "it averages") == SubmitAnswer(round_id=12, text="it averages")
    assert form_command(OpenForm("answer", ""), "B") == SubmitAnswer(round_id=None, text="B")
    assert form_command(OpenForm("try", "q-1"), "x") == PracticeAnswer("x", "q-1")


def test_invite_asks_for_exactly_the_needed_permissions() -> None:
    perms = invite_permissions()
    expected = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38)
    assert perms.value == expected
    assert not perms.administrator and not perms.manage_messages and not perms.mention_everyone


def test_channel_check_names_what_is_missing() -> None:
    text = discord.ChannelType.text
    assert not check_channel(invite_permissions(), text).blocking
    assert check_channel(invite_permissions(), text).warnings == ()
    no_embeds = invite_permissions()
    no_embeds.embed_links = False
    check = check_channel(no_embeds, text)
    assert check.blocking and check.missing == ("Embed Links",) and "Embed Links" in check.refusal()
    no_threads = invite_permissions()
    no_threads.create_public_threads = False
    check = check_channel(no_threads, text)
    assert not check.blocking and "Create Public Threads" in check.warnings[0]
    assert "a reply" in check.warnings[0]
    assert check_channel(invite_permissions(), discord.ChannelType.voice).blocking


def test_pacer_stays_under_the_global_limit() -> None:
    assert Pacer().peak_per_second < DISCORD_GLOBAL_LIMIT
    assert pacer_for(45).peak_per_second == 45
    assert pacer_for(50).peak_per_second <= DISCORD_GLOBAL_LIMIT
    assert pacer_for(2).peak_per_second <= 2


def test_nonce_and_thread_name_fit_discord() -> None:
    assert nonce_for("post-123") == "post-123"
    long = nonce_for("reveal-" + "9" * 40)
    assert len(long) == 25 and long == nonce_for("reveal-" + "9" * 40)
    card = RevealCard(1, "q" * 300, "a", "", (), 0)
    assert len(thread_name(card)) == 100 and thread_name(card).startswith("Answer: ")


def test_leaderboard_season_window_and_a_named_season() -> None:
    assert options.leaderboard("season", None) == ShowSeasonBoard(None, Scope.SERVER)
    assert options.leaderboard(None, "channel", "2026-q4") == ShowSeasonBoard("2026-Q4", Scope.CHANNEL)
    assert options.leaderboard("month", "teams") == ShowTeamBoard("month")
    with pytest.raises(options.OptionError, match="a month like 2026-11"):
        options.leaderboard("season", None, "autumn")
