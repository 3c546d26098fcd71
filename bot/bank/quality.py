"""Quality checks of a bank beyond its schema: what an author needs to fix or may want to fill in.

Errors make ``dailyq bank check`` fail; warnings (fields an imported bank cannot know) do not.
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.bank import grading
from bot.bank.grading import (
    PARTIAL_AT,
    Grade,
    Verdict,
    giveaways,
    grade,
    normalize,
    stated_misconception,
)
from bot.bank.model import Bank, Question
from bot.bank.quiz_quality import MAX_RULE_SHARE, RULE_TEXT, CueReport, LengthFlag, bank_cue_report

# Short quiz options that differ from the answer in a word or two are often the point (a swapped
# relation: training vs validation loss); only near-identical text (a typo apart) is an error.
NEAR_EQUAL = 97.0
NON_DISCRIMINATING_SHARE = 0.5
MIN_CUE_QUESTIONS = 10  # fewer quiz questions: blind-player shares are warnings
BANK_WIDE = "(bank)"  # the question id of a finding about the whole bank


@dataclass(frozen=True)
class Finding:
    """One problem: which question, what, and whether it is an error or a warning."""

    question_id: str
    message: str
    error: bool


def _missing_fields(question: Question) -> list[Finding]:
    missing = [
        name for name in ("explanation", "key_points", "quiz", "follow_up") if not getattr(question, name)
    ]
    if not missing:
        return []
    return [
        Finding(
            question.id,
            f"missing {', '.join(missing)} (grading needs key_points; quiz mode needs a quiz form)",
            error=False,
        )
    ]


def _distractors(question: Question) -> list[Finding]:
    if question.quiz is None:
        return []
    normal = {option: normalize(option) for option in question.quiz.options}
    answer = normal[question.quiz.correct]
    findings = []
    counts = Counter(normal[option] for option in question.quiz.options)
    for choice in (wrong.text for wrong in question.quiz.wrong):
        similarity = fuzz.ratio(normal[choice], answer)
        if similarity >= NEAR_EQUAL:
            findings.append(
                Finding(
                    question.id,
                    f"option too close to the answer ({similarity:.0f}% alike): {choice[:60]}",
                    True,
                )
            )
        if counts[normal[choice]] > 1:
            findings.append(Finding(question.id, f"duplicate option: {choice[:60]}", True))
    return findings


def quiz_cue_findings(bank: Bank) -> list[Finding]:
    """Blind rules winning too often fail the bank; options of an odd length are warnings."""
    report = bank_cue_report(bank)
    return cue_share_findings(report) + [length_finding(flag) for flag in report.flags]


def cue_share_findings(report: CueReport) -> list[Finding]:
    """The bank-wide findings of a cue report: each blind rule that wins too often."""
    # Below MIN_CUE_QUESTIONS a share says more about chance than about a tell (two questions give
    # 0, 50 or 100%): a small bank is warned, not refused.
    enough = report.questions >= MIN_CUE_QUESTIONS
    return [
        Finding(
            BANK_WIDE,
            f"a blind player who would {RULE_TEXT[rule]} wins {report.shares[rule]:.1%} "
            f"of {report.questions} quiz questions (at most {MAX_RULE_SHARE:.0%}"
            + ("" if enough else f"; a warning below {MIN_CUE_QUESTIONS} quiz questions")
            + ")",
            enough,
        )
        for rule in report.too_high()
    ]


def length_finding(flag: LengthFlag) -> Finding:
    """The warning for one option of an odd length."""
    return Finding(
        flag.question_id,
        f"option length {flag.length} is far from the median {flag.median:.0f}: {flag.option[:60]}",
        False,
    )


def _reference_grade(question: Question) -> Grade | None:
    """How the reference answer grades against its own key points (None without key points)."""
    if not question.key_points:
        return None
    return grade(
        question.key_points,
        question.answer,
        question=question.question,
        misconceptions=question.misconceptions,
    )


def _self_grade(question: Question, result: Grade | None) -> list[Finding]:
    if result is None or result.verdict is Verdict.STRONG:
        return []
    missed = [group[0] for group, found in zip(question.key_points, result.found, strict=True) if not found]
    return [
        Finding(
            question.id,
            f"the reference answer grades {result.verdict.value} "
            f"({result.score:.2f}) against its own key points; "
            f"not found: {', '.join(missed)}",
            True,
        )
    ]


def _own_misconceptions(question: Question, reference: Grade | None) -> list[Finding]:
    """The reference answer and the correct quiz option must not state the question's misconceptions."""
    if not question.misconceptions:
        return []  # nothing to state (and each text would be tokenised for nothing)
    texts = []
    # grade() looks for the misconceptions in every answer it grades strong, and one stated grades
    # missed: a reference answer graded strong states none, and is not tokenised a second time.
    if reference is None or reference.verdict is not Verdict.STRONG:
        texts.append(("the reference answer", question.answer))
    if question.quiz is not None:
        texts.append(("the correct quiz option", question.quiz.correct))
    findings = []
    for label, text in texts:
        stated = stated_misconception(
            text, question.misconceptions, key_points=question.key_points, question=question.question
        )
        if stated:
            findings.append(Finding(question.id, f"{label} {stated.removeprefix('it ')}", True))
    return findings


def _one_character_answers_miss() -> bool:
    """Whether the grader in use grades every one-character answer missed, whatever the question.

    ``bot.bank.grading.grade`` credits nothing to an answer with fewer than ``MIN_OWN_WORDS`` words
    of its own, and one character is at most one word: asking it 36 times per question would cost
    most of a bank upload. Any other grader (one a test puts in its place) is asked.
    """
    return grade is grading.grade and grading.MIN_OWN_WORDS > 1


def _gaming(question: Question) -> list[Finding]:
    """An answer that echoes the question, or is one letter or digit, must grade missed."""
    if not question.key_points:
        return []
    findings = []
    probes = [("the question text echoed back", question.question)]
    if not _one_character_answers_miss():
        probes += [(f"the one-character answer {c!r}", c) for c in string.ascii_lowercase + string.digits]
    for label, text in probes:
        result = grade(
            question.key_points, text, question=question.question, misconceptions=question.misconceptions
        )
        if result.verdict is not Verdict.MISSED:
            findings.append(Finding(question.id, f"{label} grades {result.verdict.value}", True))
    given = giveaways(question.key_points, question.question)
    if given:
        findings.append(
            Finding(
                question.id,
                f"synonyms made only of the question's words can never be credited: {', '.join(given)}",
                False,
            )
        )
    return findings


def discrimination(bank: Bank, question: Question) -> list[str]:
    """Ids of other questions whose reference answers grade at least partial on these key points."""
    if not question.key_points:
        return []
    return [
        other.id
        for other in bank.questions
        if other.id != question.id
        and grade(
            question.key_points,
            other.answer,
            question=question.question,
            misconceptions=question.misconceptions,
        ).score
        >= PARTIAL_AT
    ]


def question_findings(question: Question) -> list[Finding]:
    """The findings of one question on its own: fields, options, self-grade, misconceptions, gaming
    (not the bank-wide ones: discrimination, blind-player shares, option lengths)."""
    reference = _reference_grade(question)
    return (
        _missing_fields(question)
        + _distractors(question)
        + _self_grade(question, reference)
        + _own_misconceptions(question, reference)
        + _gaming(question)
    )


def check_bank(bank: Bank) -> list[Finding]:
    """Every finding of every question, in bank order."""
    findings: list[Finding] = []
    others = max(len(bank.questions) - 1, 1)
    for question in bank.questions:
        findings += question_findings(question)
        matched = discrimination(bank, question)
        if len(matched) > NON_DISCRIMINATING_SHARE * others:
            findings.append(
                Finding(
                    question.id,
                    f"key points do not discriminate: they match {len(matched)} of {others} other answers",
                    True,
                )
            )
    findings += quiz_cue_findings(bank)
    return findings


def summary(bank: Bank) -> list[tuple[str, int, int, int, int]]:
    """Questions per topic and difficulty: (topic, easy, medium, hard, total)."""
    rows = []
    for topic, total in bank.topics():
        counts = Counter(q.difficulty for q in bank.questions if q.topic == topic)
        rows.append((topic, counts["easy"], counts["medium"], counts["hard"], total))
    return rows
