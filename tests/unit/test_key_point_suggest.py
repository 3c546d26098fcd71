"""Suggested key points: drawn from the answer, with word forms, naming what the bank's authors chose."""

from __future__ import annotations

import snowballstemmer

from bot.bank.grading import Verdict, grade, normalize
from bot.bank.key_point_suggest import KeyPointSuggester
from bot.bank.model import Bank, Question

STEMMER = snowballstemmer.stemmer("english")


def stems(text: str) -> set[str]:
    return {STEMMER.stemWord(word) for word in normalize(text).split()}


def named(suggested: tuple[tuple[str, ...], ...], question: Question) -> int:
    """Bundled key-point groups named by a suggestion: one suggested term's stems within one synonym."""
    return sum(
        any(stems(group[0]) <= stems(synonym) for group in suggested for synonym in key_group)
        for key_group in question.key_points
    )


def test_suggestions_for_bundled_answers_name_the_authors_key_points(bank: Bank) -> None:
    suggester = KeyPointSuggester(q.answer for q in bank.questions)
    at_least_one = at_least_half = 0
    for question in bank.questions:
        suggested = suggester.suggest(question.answer, question=question.question)  # as submit does
        assert 2 <= len(suggested) <= 4, question.id
        # A suggestion is a valid key-point list, and the reference answer grades strong on it.
        Question.model_validate({**question.model_dump(), "key_points": suggested})
        assert grade(suggested, question.answer, question=question.question).verdict is Verdict.STRONG, (
            question.id
        )
        hits = named(suggested, question)
        at_least_one += hits >= 1
        at_least_half += hits >= len(question.key_points) / 2
    # Measured figures, reported in the README.
    assert at_least_one == 100
    assert at_least_half == 78


def test_a_group_holds_the_word_forms_sharing_a_stem(bank: Bank) -> None:
    suggester = KeyPointSuggester(q.answer for q in bank.questions)
    answer = "Dropout randomly drops units so the network cannot overfit; overfitting shrinks."
    groups = suggester.suggest(answer)
    overfit = next(group for group in groups if group[0] == "overfit")
    assert {"overfits", "overfitting"} <= set(overfit)
    assert all(len(group) <= 6 for group in groups)


def test_distinctive_words_win_over_words_every_answer_uses(bank: Bank) -> None:
    suggester = KeyPointSuggester(q.answer for q in bank.questions)
    answer = "The model uses data and a model of the data: a Hessian of the loss gives curvature."
    firsts = [group[0] for group in suggester.suggest(answer, groups=2)]
    assert firsts == ["hessian", "curvature"]


def test_an_answer_without_content_words_gets_no_suggestion(bank: Bank) -> None:
    suggester = KeyPointSuggester(q.answer for q in bank.questions)
    assert suggester.suggest("It is what it is.") == ()
    assert suggester.suggest("") == ()


def test_phrase_and_its_words_are_not_both_suggested() -> None:
    suggester = KeyPointSuggester(["a decision tree", "another thing"])
    groups = suggester.suggest("decision tree decision tree splits nodes")
    words = [word for group in groups for word in group[0].split()]
    assert len(words) == len(set(words))


def test_a_term_the_answer_only_negates_or_the_question_asks_is_not_suggested(bank: Bank) -> None:
    suggester = KeyPointSuggester(q.answer for q in bank.questions)
    # "... instead of following explicitly programmed rules": grading would not credit those words
    ml = bank.get("what-is-machine-learning")
    assert ml is not None and "explicitly programmed" in ml.answer
    words = {word for group in suggester.suggest(ml.answer) for word in group[0].split()}
    assert words and not {"explicitly", "programmed"} & words
    answer = "Gradient clipping caps the gradient norm before the update, without rescaling weights."
    assert [g[0] for g in suggester.suggest(answer)][:2] == ["gradient", "clipping"]
    asked = suggester.suggest(answer, question="What does gradient clipping do?")
    assert [group[0] for group in asked] == ["caps", "norm", "update"]  # the question's own words left out
