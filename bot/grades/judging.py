"""The optional judge at the reveal: before a round is scored, each written answer is graded by
the ``Judge`` port, within a time budget and with bounded concurrency. The judge's verdict
replaces the key-point verdict and its feedback is stored with the answer; an answer the judge
could not grade (timeout, error, malformed reply, budget spent) keeps its key-point grade.

The network calls happen outside any database transaction; the verdicts are written in one short
transaction before the scoring transaction reads them. One log line per reveal tells how it went,
with counts and kinds of failure only: never answer text, never a secret.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.catalog import round_question
from bot.bank.model import Bank, Question
from bot.daily.posts import MISSING_QUESTION
from bot.ports import Clock, Judge, JudgeError, JudgeVerdict, Rubric
from bot.store import judgements as judgement_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JudgeConfig:
    """The judge's limits per reveal: total seconds for all answers, requests in flight at once."""

    budget: float = 20.0
    concurrency: int = 4


def rubric_for(question: Question) -> Rubric | None:
    """The rubric of a question (its first synonym names each key point); None if it is gone.

    A workspace question without key points gets a rubric too: the judge grades it against the
    reference answer, where the key points alone could not grade it at all.
    """
    if question.question == MISSING_QUESTION:
        return None
    return Rubric(question.question, question.answer, tuple(group[0] for group in question.key_points))


async def judge_all(
    judge: Judge, rubric: Rubric, texts: list[str], config: JudgeConfig
) -> tuple[list[JudgeVerdict | None], Counter[str]]:
    """Grade every text within the budget, ``concurrency`` at a time; returns one verdict per text
    (None where the judge gave none) and the count of each kind of failure."""
    gate = asyncio.Semaphore(config.concurrency)

    async def one(text: str) -> JudgeVerdict:
        async with gate:
            return await judge.judge(rubric, text)

    tasks = [asyncio.create_task(one(text)) for text in texts]
    if not tasks:
        return [], Counter()
    _done, late = await asyncio.wait(tasks, timeout=config.budget)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    verdicts: list[JudgeVerdict | None] = []
    failures: Counter[str] = Counter()
    for task in tasks:
        if task in late:
            failures["over the time budget"] += 1
            verdicts.append(None)
        elif (exc := task.exception()) is not None:
            failures[str(exc) if isinstance(exc, JudgeError) else type(exc).__name__] += 1
            verdicts.append(None)
        else:
            verdicts.append(task.result())
    return verdicts, failures


class RoundJudging:
    """Runs the judge over a round's answers at the reveal, before scoring."""

    def __init__(
        self, engine: AsyncEngine, bank: Bank, judge: Judge, clock: Clock, config: JudgeConfig
    ) -> None:
        self.engine = engine
        self.bank = bank
        self.judge = judge
        self.clock = clock
        self.config = config

    async def judge_round(self, round_id: int) -> int:
        """Judge the round's answers not judged yet and store the verdicts; returns how many."""
        async with self.engine.connect() as conn:
            todo = await judgement_store.answers_to_judge(conn, round_id)
        if todo is None or not todo.answers:
            return 0
        async with self.engine.connect() as conn:
            question = await round_question(conn, self.bank, todo.channel_pk, todo.question_id)
        rubric = rubric_for(question)
        if rubric is None:
            return 0
        started = time.monotonic()
        verdicts, failures = await judge_all(
            self.judge, rubric, [text for _, text in todo.answers], self.config
        )
        judged = [
            judgement_store.Judgement(answer_id, verdict.verdict, verdict.feedback)
            for (answer_id, _), verdict in zip(todo.answers, verdicts, strict=True)
            if verdict is not None
        ]
        stored = 0
        if judged:
            async with self.engine.begin() as conn:
                stored = await judgement_store.save_judgements(conn, round_id, judged, self.clock.now())
        seconds = time.monotonic() - started
        if failures:
            reasons = ", ".join(f"{count} {reason}" for reason, count in failures.most_common())
            log.warning(
                "round %s: judge graded %s of %s answers in %.1fs; the key-point grade stands for %s (%s)",
                round_id,
                stored,
                len(todo.answers),
                seconds,
                len(todo.answers) - len(judged),
                reasons,
            )
        else:
            log.info(
                "round %s: judge graded %s of %s answers in %.1fs",
                round_id,
                stored,
                len(todo.answers),
                seconds,
            )
        return stored
