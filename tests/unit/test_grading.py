"""Grading a free-text answer by key-point coverage: forgiving, but not fooled."""

from __future__ import annotations

import pytest

from bot.bank.grading import Verdict, grade, normalize
from bot.bank.model import Bank, Question


@pytest.fixture
def overfitting(mini_bank: Bank) -> Question:
    question = mini_bank.get("overfitting")
    assert question is not None
    return question


def test_reference_answer_is_strong(overfitting: Question) -> None:
    result = grade(overfitting.key_points, overfitting.answer)
    assert result.verdict is Verdict.STRONG and result.score == 1.0


def test_case_punctuation_accents_and_small_typos_are_forgiven(overfitting: Question) -> None:
    text = "The model MEMORIZES the Noïse of its trainng-data and then generalises badly!!"
    result = grade(overfitting.key_points, text)
    assert result.found == (True, True, True)


def test_a_paraphrase_covering_part_of_the_points_is_partial(overfitting: Question) -> None:
    result = grade(overfitting.key_points, "It fits the noise instead of the signal.")
    assert result.verdict is Verdict.MISSED  # 1 of 3
    result = grade(overfitting.key_points, "It fits the noise in the training data.")
    assert result.verdict is Verdict.PARTIAL and result.found == (True, True, False)


@pytest.mark.parametrize("text", ["", "   ", "?!", "🙂🙂", "機械学習はデータから学ぶ"])
def test_empty_or_unrelated_text_is_missed(overfitting: Question, text: str) -> None:
    result = grade(overfitting.key_points, text)
    assert result.verdict is Verdict.MISSED and result.score == 0.0


def test_an_answer_to_another_question_does_not_pass(mini_bank: Bank, overfitting: Question) -> None:
    bagging = mini_bank.get("bagging")
    assert bagging is not None
    assert grade(overfitting.key_points, bagging.answer).verdict is Verdict.MISSED


def test_very_long_answers_are_graded_quickly_and_fairly(overfitting: Question) -> None:
    padding = "lorem ipsum dolor sit amet " * 150
    result = grade(overfitting.key_points, padding + overfitting.answer)
    assert result.verdict is Verdict.STRONG
    assert grade(overfitting.key_points, padding).verdict is Verdict.MISSED


def test_short_synonyms_need_a_whole_word(mini_bank: Bank) -> None:
    precision = mini_bank.get("precision")
    assert precision is not None
    # "tp" must not be found inside "output" or "http"
    result = grade(precision.key_points, "the output of http calls")
    assert result.found[1] is False
    assert grade(precision.key_points, "TP / (TP + FP) over predicted positives").verdict is Verdict.STRONG


def test_normalize() -> None:
    assert normalize("  Naïve-Bayes, rocks!  ") == "naive bayes rocks"


# --- Matching that cannot be gamed -------------------------------------------------------------------

LONG_SYNONYMS = [["explicitly programmed", "hand-coded rules"], ["learns from examples", "patterns in data"]]


@pytest.mark.parametrize("letter", list("abcdefghijklmnopqrstuvwxyz"))
def test_one_letter_is_never_found_inside_a_long_synonym(letter: str) -> None:
    result = grade(LONG_SYNONYMS, letter, question="What is machine learning?")
    assert result.found == (False, False) and result.verdict is Verdict.MISSED


def test_a_synonym_is_found_only_by_a_span_of_comparable_length() -> None:
    # "data" alone is a word of the synonym "patterns in data", not the synonym
    assert grade(LONG_SYNONYMS, "it uses data and more data").found == (False, False)
    result = grade(LONG_SYNONYMS, "it learns from many examples, not hand coded rules")
    assert result.found == (False, True)  # the rules are negated; one extra word inside a phrase is fine


ARIMA = [["differencing", "make the series stationary"], ["autocorrelation", "acf"]]
ARIMA_Q = "How does ARIMA choose its orders?"


@pytest.mark.parametrize(
    "text",
    [
        "ARIMA needs no differencing and reads the autocorrelation plot",
        "ARIMA doesn't need any differencing; the autocorrelation plot decides",
        "differencing is not needed, the autocorrelation plot decides",
        "differencing isn't required; read the autocorrelation plot",
        "it fits the raw series without differencing and reads the autocorrelation",
        "it reads the autocorrelation rather than differencing the data",
        "it reads the autocorrelation plot, ignoring differencing",
        "differencing is unneeded; read the autocorrelation plot",
    ],
)
def test_a_key_point_negated_nearby_is_not_credited(text: str) -> None:
    assert grade(ARIMA, text, question=ARIMA_Q).found == (False, True)


@pytest.mark.parametrize(
    "text",
    [
        "No free lunch here: ARIMA applies differencing and reads the autocorrelation plot",
        "It is not magic, but differencing removes the trend and the autocorrelation plot gives the order",
        "Not only differencing matters: the autocorrelation plot gives the order too",
    ],
)
def test_a_negation_far_away_or_in_another_clause_does_not_cancel_a_key_point(text: str) -> None:
    assert grade(ARIMA, text, question=ARIMA_Q).found == (True, True)


def test_a_synonym_may_itself_say_not() -> None:
    key_points = [["not a faithful explanation", "not causal"], ["attention weights"]]
    result = grade(key_points, "Attention weights show focus, but they aren't a faithful explanation")
    assert result.found == (True, True)


@pytest.mark.parametrize(
    ("synonym", "text"),
    [
        ("quantization", "we quantized the weights to int8"),
        ("quantized", "quantization to int8 shrinks the model"),
        ("pruning", "small weights are pruned away"),
        ("pruned", "pruning removes the small weights"),
        ("hand-coded", "it replaces hand-coding of rules"),
        ("hand-coded", "rules were handcoded by experts"),
        ("hand-coded", "rules were hand coded by experts"),
        ("on-device", "the model runs on device, offline"),
        ("multi-layer", "a multilayer perceptron"),
        ("labelled", "trained on labeled examples"),
        ("generalizes", "so that it generalises to new inputs"),
    ],
)
def test_word_forms_and_spellings_match_through_the_stemmer(synonym: str, text: str) -> None:
    assert grade([[synonym], ["zzz"]], text).found == (True, False)


@pytest.mark.parametrize(
    ("synonym", "text"),
    [
        ("supervised", "unsupervised clustering of points"),
        ("parameters", "hyperparameters are chosen before training"),
        ("parameters", "the hyper-parameters are chosen before training"),
        ("linear", "a non-linear boundary"),
        ("overfitting", "underfitting is the risk here"),
    ],
)
def test_a_typo_allowance_never_turns_a_word_into_its_opposite(synonym: str, text: str) -> None:
    assert grade([[synonym], ["zzz"]], text).found == (False, False)


def test_echoing_the_question_earns_nothing(overfitting: Question) -> None:
    question = "What is overfitting and why does it hurt generalization on unseen data?"
    key_points = [["unseen data", "generalization"], ["memorizes noise", "noise"], ["training data"]]
    for echo in (question, question.replace("?", "").replace(" is ", " "), question.upper()):
        result = grade(key_points, echo, question=question)
        assert result.verdict is Verdict.MISSED and result.found == (False, False, False), echo
    answered = "It memorizes noise in the training data, so it fails on unseen data"
    assert grade(key_points, answered, question=question).found == (False, True, True)


def test_a_short_answer_is_never_strong() -> None:
    key_points = [["memorizes"], ["noise"], ["unseen"]]
    short = grade(key_points, "memorizes noise, unseen", question="What is overfitting?")
    assert short.score == 1.0 and short.verdict is Verdict.PARTIAL and "too short" in short.note
    longer = "it memorizes the noise and then fails on unseen users"
    assert grade(key_points, longer, question="What is overfitting?").verdict is Verdict.STRONG


VOTING = [
    ["hard voting ... majority", "hard voting ... most votes"],
    ["soft voting ... probabilities"],
]
VOTING_Q = "What is the difference between hard and soft voting?"


@pytest.mark.parametrize(
    "text",
    [
        "hard voting averages probabilities and soft voting takes a majority vote",
        "Soft voting takes the majority label; hard voting averages the predicted probabilities.",
        "In hard voting, the probabilities are averaged, while in soft voting the majority wins.",
    ],
)
def test_swapped_definitions_are_not_credited(text: str) -> None:
    assert grade(VOTING, text, question=VOTING_Q).found == (False, False)


@pytest.mark.parametrize(
    "text",
    [
        "Hard voting takes the majority class label, while soft voting averages the probabilities.",
        "With hard voting each model casts one vote and the majority wins; soft voting averages "
        "predicted probabilities.",
    ],
)
def test_a_relation_stated_the_right_way_round_is_credited(text: str) -> None:
    assert grade(VOTING, text, question=VOTING_Q).found == (True, True)


def test_evidence_shows_the_words_that_earned_each_key_point(overfitting: Question) -> None:
    result = grade(overfitting.key_points, "It memorizes the trainng data and fails on unseen data")
    assert result.evidence == ("memorizes", "trainng data", "unseen data")


INTERPRETABILITY = [["trust"], ["debugging", "spurious"], ["regulation", "compliance"]]


@pytest.mark.parametrize(
    "text",
    [
        "It has nothing to do with trust, debugging or regulation; it only speeds up inference.",
        "Trust and regulation play no part in it, and debugging is never needed: it speeds up inference.",
        "It speeds inference; trust is irrelevant, debugging is unnecessary and regulation is not a concern.",
    ],
)
def test_a_negation_reaches_into_a_short_list_and_a_denial_after_it_counts(text: str) -> None:
    assert grade(INTERPRETABILITY, text).found == (False, False, False)


def test_a_negated_verb_does_not_cancel_its_subject() -> None:
    key_points = [["validation loss"], ["best weights"]]
    text = "Training halts once the validation loss hasn't improved for a while; the best weights are kept"
    assert grade(key_points, text).found == (True, True)


def test_a_phrase_does_not_jump_over_and() -> None:
    key_points = [["core points"], ["noise"]]
    assert (
        grade(key_points, "sparse regions become cores and points in dense regions noise").found[0] is False
    )
