"""A blind player who always picks the longest option, over 40 daily quiz rounds of the bundled bank.

On the old long options this player won 40 of 40. Now it must do no better than the cue statistics
say: it wins exactly the rounds whose correct option is the longest (a tie can go either way, its
pick being the first of the tied), and at most 35% of the rounds.
"""

from __future__ import annotations

from datetime import timedelta

from bot.bank.model import Bank
from bot.bank.quiz_quality import MAX_RULE_SHARE
from bot.cards import RevealCard
from bot.commands import SubmitAnswer
from tests.conftest import AppFactory, member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ROUNDS = 40


async def test_always_picking_the_longest_option_does_not_beat_the_statistics(
    make_app: AppFactory, sqlite_db: str, bank: Bank, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    app = await make_app(sqlite_db)
    await schedule(app, "09:00", "UTC", mode="quiz", reveal="8h")
    first = local("UTC", 2026, 11, 25, 9, 0)
    for day in range(ROUNDS):
        await run_at(app, clock, first + timedelta(days=day))
        card = posts(messenger)[-1]
        lengths = [len(option) for option in card.options]
        pick = lengths.index(max(lengths))
        await app.service.handle(member(), SubmitAnswer(round_id=card.round_id, choice=pick))
        await run_at(app, clock, first + timedelta(days=day, hours=8))
    reveals = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    asked = [p.question_id for p in posts(messenger)]
    assert len(reveals) == ROUNDS and len(set(asked)) == ROUNDS  # no repeats within a cycle
    wins = sum(pick.correct for reveal in reveals for pick in reveal.picks if pick.count == 1)

    strict = tied = 0
    for question_id in asked:
        question = bank.get(question_id)
        assert question is not None and question.quiz is not None
        lengths = [len(option) for option in question.quiz.options]
        longest = [i for i, n in enumerate(lengths) if n == max(lengths)]
        strict += longest == [0]
        tied += 0 in longest and len(longest) > 1
    assert strict <= wins <= strict + tied
    assert wins <= MAX_RULE_SHARE * ROUNDS, f"the longest option won {wins} of {ROUNDS} rounds"
