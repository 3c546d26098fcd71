"""The text grammar of grades and appeals: what each line means, and what a bad one is told."""

from __future__ import annotations

import pytest

from bot.commands import (
    AppealGrade,
    Ask,
    DecideAppeal,
    Decision,
    ListAnswers,
    ListAppeals,
    Regrade,
    ShowMyGrade,
)
from bot.text.grammar import CommandError, parse, parse_slash


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("grade", ShowMyGrade()),
        ("my grade", ShowMyGrade()),
        ("MyGrade 12", ShowMyGrade(12)),
        ("grade #12", ShowMyGrade(12)),
        ("appeal I named the bootstrap step", AppealGrade("I named the bootstrap step")),
        ("daily appeals", ListAppeals()),
        ("daily accept 3 strong good catch", DecideAppeal(3, Decision.ACCEPT, "strong", "good catch")),
        ("daily accept #3 PARTIAL", DecideAppeal(3, Decision.ACCEPT, "partial", "")),
        ("daily reject 3 not in the answer", DecideAppeal(3, Decision.REJECT, None, "not in the answer")),
        ("daily reject 3", DecideAppeal(3, Decision.REJECT, None, "")),
        ("daily regrade 7 missed copied", Regrade(7, "missed", "copied")),
        ("daily answers", ListAnswers()),
        ("daily answers #4", ListAnswers(4)),
    ],
)
def test_lines_parse_to_commands(line: str, command: object) -> None:
    assert parse(line) == command


def test_slack_subcommands_reach_the_grammar() -> None:
    assert parse_slash("my grade") == ShowMyGrade()
    assert parse_slash("appeal it was right") == AppealGrade("it was right")
    assert parse_slash("mystery novels") == Ask("mystery novels")  # still a practice topic


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("appeal", "Say why your answer deserves another grade: appeal <reason>."),
        ("grade twelve", "'twelve' is not a round number. Use: grade [round number]"),
        ("grade 1 2", "Use: grade (the latest revealed question) or grade <round number>."),
        ("daily accept", "Which appeal? Use: daily accept <appeal number> strong|partial|missed [note]"),
        ("daily accept 3", "Give the new verdict, strong, partial or missed."),
        ("daily accept 3 great", "Give the new verdict, strong, partial or missed."),
        ("daily reject x", "'x' is not an appeal number."),
        ("daily regrade", "Which answer? Use: daily regrade <answer number> strong|partial|missed [note]"),
        ("daily regrade 99999999999999 strong", "is not an answer number."),
        ("daily answers 1 2", "Use: daily answers [round number]"),
    ],
)
def test_bad_lines_say_what_is_accepted(line: str, message: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse(line)
    assert message in str(raised.value)


def test_stored_key_points_round_trip_and_old_rows_show_none() -> None:
    from bot.store.appeals import decode_key_points, encode_key_points

    stored = encode_key_points(["bootstrap", "average"], (True, False))
    assert stored == '[["bootstrap", true], ["average", false]]'
    assert decode_key_points(stored) == [("bootstrap", True), ("average", False)]
    assert decode_key_points(None) == []  # quiz picks and answers from before migration 0005
    assert decode_key_points("not json") == []
