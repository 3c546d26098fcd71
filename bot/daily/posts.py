"""Building the cards of a daily round: the question post, its closed form, and the reveal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.bank.grading import Verdict
from bot.bank.model import Bank, Question
from bot.cards import Action, ActionKind, BestAnswer, QuestionCard, QuizPick, RevealCard
from bot.daily.picker import quiz_options, quiz_reasons
from bot.practice.missed import COMES_BACK, comes_back
from bot.store.rounds import Round, RoundMode
from bot.text.sanitize import cleaned

BEST_SHOWN = 3
MISSING_QUESTION = "(this question is no longer in the bank)"


class RevealedAnswer(Protocol):
    """What the reveal shows of an answer (the answer path's record, joined with the name)."""

    @property
    def choice(self) -> int | None: ...
    @property
    def verdict(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def score(self) -> float: ...


@cleaned
def question_card(
    round_row: Round,
    question: Question,
    *,
    closed: bool = False,
    notes: tuple[str, ...] = (),
    timezone: str = "UTC",
) -> QuestionCard:
    """The daily post of a round; ``closed`` renders it without answer buttons (after reveal)."""
    options: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    if round_row.mode == RoundMode.QUIZ:
        options, _ = quiz_options(question, round_row.seed)
        if not closed:
            actions = tuple(
                Action(ActionKind.CHOOSE, f"{'ABCD'[i]}", f"{round_row.id}:{i}") for i in range(len(options))
            )
    elif not closed:
        actions = (Action(ActionKind.ANSWER, "Answer", str(round_row.id), "primary"),)
    return QuestionCard(
        question_id=question.id,
        topic=question.topic,
        difficulty=question.difficulty,
        text=question.question,
        round_id=int(round_row.id),
        mode=str(round_row.mode),
        options=options,
        reveal_at=round_row.reveal_at,
        late=bool(round_row.late),
        closed=closed,
        notes=notes,
        actions=actions,
        timezone=timezone,
    )


@cleaned
def reveal_card(
    round_row: Round,
    question: Question,
    answers: Sequence[RevealedAnswer],
    quotes: tuple[BestAnswer, ...] = (),
) -> RevealCard:
    """The reveal: reference answer, explanation, how many answered, the mix (quiz: the picks per
    option and why each wrong one is wrong), the best answers."""
    verdicts: tuple[tuple[str, int], ...] = ()
    picks: tuple[QuizPick, ...] = ()
    if round_row.mode == RoundMode.QUIZ:
        options, correct = quiz_options(question, round_row.seed)
        reasons = quiz_reasons(question, round_row.seed)
        counts = Counter(a.choice for a in answers)
        picks = tuple(
            QuizPick(opt, counts.get(i, 0), i == correct, reasons[i]) for i, opt in enumerate(options)
        )
    else:
        counts_by_verdict = Counter(a.verdict for a in answers)
        verdicts = tuple((v.value, counts_by_verdict.get(v.value, 0)) for v in Verdict)
    best = tuple(
        BestAnswer(a.display_name, a.verdict, float(a.score))
        for a in answers[:BEST_SHOWN]
        if a.verdict != Verdict.MISSED
    )
    return RevealCard(
        round_id=int(round_row.id),
        question=question.question,
        answer=question.answer,
        explanation=question.explanation,
        key_points=tuple(group[0] for group in question.key_points),
        answered=len(answers),
        verdicts=verdicts,
        picks=picks,
        best=best,
        quotes=quotes if round_row.mode != RoundMode.QUIZ else (),
        follow_up=question.follow_up,
        actions=(Action(ActionKind.MY_GRADE, "My grade", str(round_row.id)),) if answers else (),
        notes=(COMES_BACK,) if any(comes_back(a.verdict) for a in answers) else (),
    )


def format_local(moment: datetime, timezone: str) -> str:
    """A moment in a channel's zone, e.g. 'Wed 25 Nov 09:00 CET'."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%a %d %b %H:%M %Z")


def question_or_placeholder(bank: Bank, question_id: str) -> Question:
    """A round's question; a placeholder if the bank no longer has it."""
    question = bank.get(question_id)
    if question is not None:
        return question
    # built through model_copy: a workspace question's id (``bank:id``) does not match a bank file's pattern
    return Question(
        id="missing", topic="unknown", question=MISSING_QUESTION, answer=MISSING_QUESTION
    ).model_copy(update={"id": question_id})
