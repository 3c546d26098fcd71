"""``daily set`` has one set of rules, the grammar's: Discord's ``/daily set`` options give the
same command, and the same refusal word for word, as the typed line."""

from __future__ import annotations

import pytest

from adapters.discord_adapter import options
from adapters.discord_adapter.options import OptionError
from bot.text.grammar import CommandError, parse
from bot.text.timeparse import TimeInputError


@pytest.mark.parametrize(
    ("line", "given"),
    [
        ("daily set 09:30", {}),
        ("daily set 09:30 Europe/Berlin reveal 4h", {"timezone": "Europe/Berlin", "reveal": "4h"}),
        ("daily set 09:30 days mon,wed mode quiz", {"days": "mon,wed", "mode": "quiz"}),
        (
            "daily set 09:30 topics nlp, ensemble difficulty hard",
            {"topics": "nlp, ensemble", "difficulty": "hard"},
        ),
        ("daily set 09:30 topics all difficulty any", {"topics": "all", "difficulty": "any"}),
        ("daily set 09:30 banks builtin,ours", {"banks": "builtin,ours"}),
    ],
)
def test_options_give_the_typed_lines_command(line: str, given: dict[str, str]) -> None:
    assert options.daily_set(time="09:30", **given) == parse(line)


@pytest.mark.parametrize(
    ("line", "given"),
    [
        ("daily set 09:30 reveal 0m", {"reveal": "0m"}),
        ("daily set 09:30 days someday", {"days": "someday"}),
        ("daily set 09:30 tz Mars/Olympus", {"timezone": "Mars/Olympus"}),
        ("daily set 09:30 mode essay", {"mode": "essay"}),
        ("daily set 09:30 difficulty brutal", {"difficulty": "brutal"}),
        ("daily set 09:30 topics ,", {"topics": ","}),
        ("daily set 25:00", {}),
    ],
)
def test_refusals_are_the_grammars_word_for_word(line: str, given: dict[str, str]) -> None:
    with pytest.raises((CommandError, TimeInputError)) as typed:
        parse(line)
    time = line.split()[2]
    with pytest.raises(OptionError) as slashed:
        options.daily_set(time=time, **given)
    assert str(slashed.value) == str(typed.value)
