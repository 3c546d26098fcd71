"""Pure translation, tested directly: cards -> Block Kit within Slack's limits, escaping, button ids,
payload shapes -> Context, settings errors, Retry-After parsing, event de-duplication, the manifest."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from multidict import CIMultiDict
from pydantic import ValidationError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from adapters.cli import describe_settings_error
from adapters.pacing import ChannelPacer
from adapters.slack_adapter import inbound
from adapters.slack_adapter.actions import Clicked, action_id, button, decode, to_command
from adapters.slack_adapter.background import EventDeduper
from adapters.slack_adapter.blocks import message, reply_blocks
from adapters.slack_adapter.client import RetryAfterHandler, retry_after_seconds
from adapters.slack_adapter.home import home_view
from adapters.slack_adapter.settings import SlackSettings
from adapters.slack_adapter.text import clip_mrkdwn, md
from adapters.slack_adapter.views import answer_modal, metadata, practice_modal, reply_modal
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
from bot.commands import Ask, RatePractice, Rating, ShowPracticeAnswer, SubmitAnswer
from tests.adapters.slack_harness import clear_slack_env
from tests.fakes.slack_limits import check_message, check_view
from tests.fakes.slack_payloads import block_actions, slash_command, view_submission
from tests.support.virtual_time import run_in_virtual_time

NASTY = "<!channel> & <@U123> *bold* " * 200  # 5,600 characters of would-be mentions
NAME = "<!everyone>" + "n" * 200
WHEN = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def extreme_cards() -> list[Card]:
    """Every card type, with the longest and most hostile content the core could produce."""
    row = LeaderboardRow(1, NAME, 10**6, 999, 999, 365, is_caller=True)
    return [
        Notice(NASTY, Tone.ERROR, title=NAME),
        QuestionCard(
            "q",
            NASTY[:80],
            "hard",
            NASTY[:1000],
            round_id=7,
            mode="quiz",
            options=(NASTY[:1500],) * 4,
            reveal_at=WHEN,
            notes=(NASTY,) * 12,
            actions=tuple(Action(ActionKind.CHOOSE, "ABCD"[i] * 100, f"7:{i}") for i in range(4)),
        ),
        QuestionCard(
            "q", "t", "easy", "practice", actions=(Action(ActionKind.PRACTICE_ANSWER, "x", "q" * 3000),)
        ),
        RevealCard(
            7,
            NASTY,
            NASTY[:1500],
            NASTY[:2000],
            (NASTY[:300],) * 5,
            12,
            verdicts=(("strong", 3), ("partial", 2), ("missed", 7)),
            picks=tuple(QuizPick(NASTY[:500], 3, i == 0, "" if i == 0 else NASTY[:300]) for i in range(4)),
            best=(BestAnswer(NAME, "strong", 1.0),) * 3,
            follow_up=NASTY[:500],
        ),
        PracticeRevealCard(
            "q",
            NASTY,
            NASTY[:1500],
            NASTY[:2000],
            (NASTY[:300],) * 5,
            grade_note=NASTY,
            suggested="good",
            actions=tuple(Action(ActionKind.RATE, r.value, f"q:{r.value}") for r in Rating),
        ),
        LeaderboardCard(NASTY, (row,) * 30, caller_row=row),
        LeaderboardCard("empty", ()),
        StatsCard(NAME, 5, 1, 3, 9, (("strong", 1),), ((NASTY[:100], 1, 2),) * 60, 4, 10),
        TableCard(
            NASTY, ("a", "b", "c"), tuple((NASTY[:300], NASTY[:300], "x") for _ in range(200)), footer=NASTY
        ),
    ]


@pytest.mark.parametrize("card", extreme_cards(), ids=lambda c: type(c).__name__)
def test_every_card_fits_slack_limits_and_mentions_stay_inert(card: Card) -> None:
    body = message(card)
    assert check_message("chat.postMessage", body) == []
    assert check_view("views.open", reply_modal((card,))) == []
    shown = json.dumps(body)
    assert "<!channel>" not in shown and "<@U123>" not in shown and "<!everyone>" not in shown


def test_a_reply_of_many_cards_is_capped_at_50_blocks() -> None:
    blocks = reply_blocks(tuple(extreme_cards()) * 5)
    assert len(blocks) == 50 and "more than fits" in json.dumps(blocks[-1])
    assert check_message("response_url", {"text": "x", "blocks": blocks}) == []  # block ids unique


def test_forms_and_home_fit_slack_limits() -> None:
    cards = tuple(extreme_cards())
    assert check_view("views.open", answer_modal(7, "C1", md(NASTY))) == []
    assert check_view("views.open", practice_modal("q" * 80, "C1", None)) == []
    assert check_view("views.publish", home_view(cards)) == []
    assert check_view("views.publish", home_view(())) == []


def test_escaping_and_clipping() -> None:
    assert md("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    clipped = clip_mrkdwn(md("a" * 9 + "&"), 11)  # "aaaaaaaaa&amp;" cut mid-entity
    assert clipped == "a" * 9 + "\u2026"
    assert len(md("x" * 5000)) == 3000


def test_every_action_round_trips_through_a_button() -> None:
    cases = [
        (Action(ActionKind.CHOOSE, "B", "12:1"), SubmitAnswer(round_id=12, choice=1)),
        (Action(ActionKind.PRACTICE, "Practice", ""), Ask(None)),
        (Action(ActionKind.PRACTICE, "Practice", "Ensemble Methods"), Ask("Ensemble Methods")),
        (Action(ActionKind.SHOW_ANSWER, "Show", "bias-variance"), ShowPracticeAnswer("bias-variance")),
        (Action(ActionKind.RATE, "Good", "bias-variance:good"), RatePractice(Rating.GOOD, "bias-variance")),
    ]
    for index, (action, command) in enumerate(cases):
        element = button(action, index).to_dict()
        clicked = decode(element["action_id"], element.get("value"))
        assert clicked == Clicked(action.kind, action.value)
        assert to_command(clicked) == command
    answer = button(Action(ActionKind.ANSWER, "Answer", "12"), 0).to_dict()
    assert decode(answer["action_id"], answer["value"]) == Clicked(ActionKind.ANSWER, "12")
    assert to_command(Clicked(ActionKind.ANSWER, "12")) is None  # opens a modal instead


def test_long_values_keep_ids_short_and_bad_values_decode_to_nothing() -> None:
    long = Action(ActionKind.SHOW_ANSWER, "Show", "q" * 400)
    assert action_id(long, 3) == "dailyq:show:#3"
    assert decode("dailyq:show:#3", "q" * 400) == Clicked(ActionKind.SHOW_ANSWER, "q" * 400)
    assert decode("other:show:1", "1") is None and decode("dailyq:nope:1", "1") is None
    for bad in (
        Clicked(ActionKind.CHOOSE, "x:1"),
        Clicked(ActionKind.CHOOSE, "1:x"),
        Clicked(ActionKind.RATE, "q:maybe"),
        Clicked(ActionKind.CHOOSE, "9" * 30 + ":1"),
    ):
        assert to_command(bad) is None


def test_payload_shapes_become_contexts() -> None:
    slash = inbound.context(
        slash_command("x", team_id="T1", channel_id="C1", user_id="U1", user_name="ann").payload,
        is_admin=True,
    )
    assert (
        slash.platform,
        slash.workspace_id,
        slash.channel_id,
        slash.user_id,
        slash.display_name,
        slash.is_admin,
    ) == ("slack", "T1", "C1", "U1", "ann", True)
    click = block_actions("dailyq:answer:1", "1", team_id="T2", channel_id="C2", user_id="U2", user_name="bo")
    ctx = inbound.context(click.payload)
    assert (ctx.workspace_id, ctx.channel_id, ctx.user_id, ctx.display_name, ctx.is_admin) == (
        "T2",
        "C2",
        "U2",
        "bo",
        False,
    )
    assert inbound.surface(click.payload).kind == "message"
    submitted = view_submission(
        "dailyq:answer",
        team_id="T3",
        user_id="U3",
        user_name="cy",
        private_metadata='{"round": 4, "channel": "C3"}',
    )
    assert inbound.channel_id(submitted.payload) is None
    assert metadata(submitted.payload["view"]) == {"round": 4, "channel": "C3"}
    ctx = inbound.context(submitted.payload, channel="C3")
    assert (ctx.workspace_id, ctx.channel_id, ctx.user_id) == ("T3", "C3", "U3")
    assert inbound.surface(submitted.payload).kind == "modal"


def test_settings_errors_name_the_variable_and_never_echo_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_slack_env(monkeypatch)
    cases = [
        ({}, "SLACK_BOT_TOKEN: not set. Set it to the Bot User OAuth Token, xoxb-..."),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN: not set. Socket Mode, the default, needs"),
        (
            {"SLACK_BOT_TOKEN": "xoxp-secret-user-token", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_BOT_TOKEN: must be",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN: must be"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT:"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.com"},
            "SLACK_API_URL:",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DAILYQ_SLACK_ADMINS": "@ann"},
            "DAILYQ_SLACK_ADMINS:",
        ),
    ]
    for env, expected in cases:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError) as caught:
            SlackSettings(_env_file=None)  # type: ignore[call-arg]
        described = describe_settings_error(caught.value)
        assert expected in described and "secret-user-token" not in described
        for name in env:
            monkeypatch.delenv(name)


def test_settings_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_slack_env(monkeypatch)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    socket = SlackSettings(_env_file=None)  # type: ignore[call-arg]
    assert socket.socket_mode and socket.port == 3000 and "xapp-1" not in repr(socket)
    monkeypatch.delenv("SLACK_APP_TOKEN")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("DAILYQ_SLACK_ADMINS", "U01, W02")
    http = SlackSettings(_env_file=None)  # type: ignore[call-arg]
    assert not http.socket_mode and http.api_url == "http://127.0.0.1:9/api/"
    assert http.admins == frozenset({"U01", "W02"})


async def test_retry_after_is_read_whole() -> None:
    assert retry_after_seconds(CIMultiDict({"Retry-After": "30"})) == 30
    assert retry_after_seconds({"retry-after": ["12"]}) == 12
    assert retry_after_seconds({}) == 1 and retry_after_seconds({"Retry-After": "soon"}) == 1
    assert retry_after_seconds({"Retry-After": "86400"}) == 60
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    handler = RetryAfterHandler(sleep=sleep)
    state = RetryState()
    response = HttpResponse(status_code=429, headers=CIMultiDict({"Retry-After": "30"}))  # type: ignore[arg-type]
    request = HttpRequest(method="POST", url="http://127.0.0.1/api/chat.postMessage", headers={})
    assert await handler.can_retry_async(state=state, request=request, response=response)
    await handler.prepare_for_next_attempt_async(state=state, request=request, response=response)
    assert 30 <= slept[0] < 31 and state.next_attempt_requested


def test_posts_are_paced_per_channel_and_per_workspace() -> None:
    sends = [("T1", "C1"), ("T1", "C1"), ("T1", "C2"), ("T2", "C1")]
    sends += [("T3", f"C{n}") for n in range(240)] + [("T1", "C1")]

    async def fan_out() -> list[float]:
        pacer = ChannelPacer(channel_gap=1.0, workspace_rate=4.0)
        loop = asyncio.get_running_loop()
        started = loop.time()

        async def send(workspace: str, channel: str) -> float:
            await pacer.wait(workspace, channel)
            return loop.time() - started

        return await asyncio.gather(*(send(workspace, channel) for workspace, channel in sends))

    sent_at = run_in_virtual_time(fan_out())
    assert sent_at[0] == pytest.approx(0, abs=0.01)
    assert sent_at[1] == pytest.approx(1.0, abs=0.01)  # one post per second per channel
    assert sent_at[2] == pytest.approx(0.5, abs=0.01)  # four per second per workspace, in order of arrival
    assert sent_at[3] == pytest.approx(0, abs=0.01)  # another workspace has its own budget
    fanout = sent_at[4:-1]
    assert fanout == sorted(fanout) and fanout[1] - fanout[0] == pytest.approx(0.25, abs=0.01)
    assert fanout[-1] == pytest.approx(59.75, abs=0.01)  # 240 channels take a minute
    assert sent_at[-1] == pytest.approx(2.0, abs=0.01)  # the channel's third post, two gaps on


def test_event_ids_are_remembered_for_a_while() -> None:
    now = [0.0]
    dedupe = EventDeduper(ttl=10, max_entries=3, monotonic=lambda: now[0])
    assert dedupe.first_time("Ev1") and not dedupe.first_time("Ev1")
    now[0] = 11
    assert dedupe.first_time("Ev1")
    for n in range(5):
        assert dedupe.first_time(f"Ev{n + 2}")
    assert len(dedupe._seen) <= 3


def test_manifest_asks_for_what_the_adapter_uses_and_nothing_more() -> None:
    text = (Path(__file__).resolve().parents[2] / "manifest.yml").read_text(encoding="utf-8")
    scopes = re.search(r"bot:\n((?:\s+- .*\n)+)", text)
    assert scopes is not None
    found = {line.split("#")[0].strip().removeprefix("- ").strip() for line in scopes.group(1).splitlines()}
    assert found == {
        "commands",
        "chat:write",
        "channels:join",
        "channels:history",
        "groups:history",
        "users:read",
    }
    for needed in (
        "command: /question",
        "home_tab_enabled: true",
        "- app_home_opened",
        "socket_mode_enabled: true",
        "interactivity:\n    is_enabled: true",
    ):
        assert needed in text
