"""The one button codec (``bot.actions``): every kind round-trips, ids written by older Slack and
Discord versions still decode (buttons on old posts stay live), one bound, invalid ids are None."""

from __future__ import annotations

import pytest

from bot.actions import MAX_ID, Clicked, command_of, decode, encode
from bot.cards import Action, ActionKind
from bot.commands import Ask, RatePractice, Rating, ShowMyGrade, ShowPracticeAnswer, SubmitAnswer

VALUES = {
    ActionKind.ANSWER: "12",
    ActionKind.CHOOSE: "12:3",
    ActionKind.PRACTICE: "Deep Learning",
    ActionKind.PRACTICE_ANSWER: "bagging-0",
    ActionKind.SHOW_ANSWER: "bagging-0",
    ActionKind.RATE: "bagging-0:good",
    ActionKind.MY_GRADE: "7",
    ActionKind.APPEAL: "7",
}


@pytest.mark.parametrize("kind", list(ActionKind))
def test_every_kind_round_trips(kind: ActionKind) -> None:
    value = VALUES[kind]
    custom_id = encode(Action(kind, "label", value))
    assert custom_id == f"dailyq:{kind.value}:{value}"
    assert decode(custom_id) == Clicked(kind, value)  # Discord: the id alone
    assert decode(custom_id, value) == Clicked(kind, value)  # Slack: the value beside it


@pytest.mark.parametrize(
    ("custom_id", "value", "command"),
    [
        # Discord custom ids as posted by earlier versions (the id carries everything)
        ("dailyq:choose:12:3", None, SubmitAnswer(round_id=12, choice=3)),
        ("dailyq:rate:bagging-0:good", None, RatePractice(Rating.GOOD, "bagging-0")),
        ("dailyq:grade:7", None, ShowMyGrade(7)),
        ("dailyq:practice:", None, Ask(None)),
        # Slack action ids and values as posted by earlier versions
        ("dailyq:show:#3", "q" * 400, ShowPracticeAnswer("q" * 400)),
        ("dailyq:practice:" + "t" * 200, "t" * 200, Ask("t" * 200)),  # the old 255-character bound
        ("dailyq:choose:12:0", "12:0", SubmitAnswer(round_id=12, choice=0)),
    ],
)
def test_old_ids_of_both_platforms_still_run(custom_id: str, value: str | None, command: object) -> None:
    click = decode(custom_id, value)
    assert click is not None and not click.opens_form and command_of(click) == command


@pytest.mark.parametrize(
    ("custom_id", "kind", "round_id"),
    [("dailyq:answer:12", ActionKind.ANSWER, 12), ("dailyq:appeal:7", ActionKind.APPEAL, 7)],
)
def test_form_buttons_open_a_form_for_their_round(custom_id: str, kind: ActionKind, round_id: int) -> None:
    click = decode(custom_id)
    assert click == Clicked(kind, str(round_id)) and click.opens_form and click.round_id == round_id
    assert command_of(click) is None
    try_click = decode("dailyq:try:bagging-0")
    assert try_click is not None and try_click.opens_form and try_click.round_id is None


def test_one_bound_for_every_platform() -> None:
    fits = Action(ActionKind.SHOW_ANSWER, "Show", "q" * (MAX_ID - len("dailyq:show:")))
    assert len(encode(fits)) == MAX_ID == 100
    too_long = Action(ActionKind.SHOW_ANSWER, "Show", "q" * (MAX_ID - len("dailyq:show:") + 1))
    assert encode(too_long, 3) == "dailyq:show:#3"  # the value travels beside the id
    with pytest.raises(ValueError, match="100"):
        encode(too_long)  # nowhere else to carry the value: refused, not truncated


@pytest.mark.parametrize(
    "custom_id",
    [
        "",
        "dailyq",
        "other:answer:1",
        "dailyq:unknown:1",
        "dailyq:answer:x",
        "dailyq:answer:",
        "dailyq:answer:" + "9" * 30,
        "dailyq:choose:12",
        "dailyq:choose:a:b",
        "dailyq:choose:12:345",
        "dailyq:rate:q:meh",
        "dailyq:try:",
        "dailyq:grade:-1",
        "dailyq:appeal:#2",  # an index id without the value that travels beside it
    ],
)
def test_invalid_ids_decode_to_none(custom_id: str) -> None:
    assert decode(custom_id) is None
