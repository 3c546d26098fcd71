"""Duplicate warnings: rephrasings of bank questions are flagged with their original, unrelated ones not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.bank.duplicates import DUPLICATE_AT, Candidate, DuplicateIndex, NearDuplicate, describe
from bot.bank.model import Bank

DATA = Path(__file__).resolve().parents[1] / "data" / "rephrased_questions.json"
HeldBack = dict[str, list[dict[str, str]]]


def ids(near: tuple[NearDuplicate, ...]) -> set[str]:
    return {n.question_id for n in near}


def index_of(bank: Bank) -> DuplicateIndex:
    return DuplicateIndex(Candidate(q.id, q.topic, q.question) for q in bank.questions)


@pytest.fixture(scope="module")
def held_back() -> dict[str, list[dict[str, str]]]:
    data: dict[str, list[dict[str, str]]] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def test_held_back_list_is_large_enough_and_new(
    bank: Bank, held_back: dict[str, list[dict[str, str]]]
) -> None:
    texts = {q.question.casefold() for q in bank.questions}
    assert len(held_back["rephrased"]) >= 60 and len(held_back["unrelated"]) >= 60
    for item in held_back["rephrased"] + held_back["unrelated"]:
        assert item["question"].casefold() not in texts, item
    topics = {name for name, _ in bank.topics()}
    assert {item["topic"] for item in held_back["unrelated"]} <= topics


def test_at_least_90_percent_of_rephrasings_are_flagged_with_their_original(
    bank: Bank, held_back: dict[str, list[dict[str, str]]]
) -> None:
    index = index_of(bank)
    rephrased = held_back["rephrased"]
    results = index.find_many([(r["question"], r["topic"]) for r in rephrased])
    flagged = [
        r["of"]
        for r, near in zip(rephrased, results, strict=True)
        if r["of"] in {n.question_id for n in near}
    ]
    share = len(flagged) / len(rephrased)
    assert share >= 0.90, f"{share:.1%} flagged"
    # Measured at DUPLICATE_AT = 64: 61 of 63 (96.8%). A drop means the rule changed: update the README.
    assert len(flagged) == 61


def test_at_most_5_percent_of_unrelated_questions_are_flagged(
    bank: Bank, held_back: dict[str, list[dict[str, str]]]
) -> None:
    index = index_of(bank)
    unrelated = held_back["unrelated"]
    results = index.find_many([(u["question"], u["topic"]) for u in unrelated])
    flagged = [u["question"] for u, near in zip(unrelated, results, strict=True) if near]
    assert len(flagged) / len(unrelated) <= 0.05, flagged
    assert len(flagged) == 1


def test_the_same_text_under_another_topic_is_not_a_duplicate(bank: Bank) -> None:
    index = index_of(bank)
    assert index.find("What is grid search?", "Model Optimization and Hyperparameter Tuning")
    assert index.find("What is grid search?", "Reinforcement Learning") == ()


def test_topic_comparison_forgives_case_and_punctuation(bank: Bank) -> None:
    near = index_of(bank).find("Explain the ReLU activation function.", "neural networks and deep-learning")
    assert [n.question_id for n in near] == ["relu-activation"]


def test_a_subset_of_words_ranks_below_the_real_original(bank: Bank) -> None:
    # "neural network" is inside "convolutional neural network": token-set alone would call them equal.
    index = index_of(bank)
    near = index.find("What is a convolutional neural network?", "Neural Networks and Deep Learning")
    # Short questions of one topic share words, so the shorter one is shown too, but below the original.
    assert [n.question_id for n in near] == [
        "convolutional-neural-network",
        "neural-network",
        "dropout-regularization",
    ]
    assert near[0].score > near[1].score + 5


def test_exclude_skips_the_question_itself_and_describe_names_the_duplicate(bank: Bank) -> None:
    index = index_of(bank)
    original = bank.get("what-is-machine-learning")
    assert original is not None
    assert index.find(original.question, original.topic, exclude=original.id) == ()
    near = index.find("Can you define machine learning?", original.topic)
    assert near[0].question_id == original.id and near[0].score >= DUPLICATE_AT
    assert describe(near).startswith("possible duplicate of 'what-is-machine-learning' (")
    assert describe(()) == ""


def test_blind_list_written_after_the_threshold_was_fixed(bank: Bank, held_back: HeldBack) -> None:
    # Measured once, not tuned on: 23 of 24 rephrasings flagged, but 3 of 24 unrelated questions
    # too (12.5%, above the 5% target): a short question sharing one topic word ("clustering",
    # "deploying", "tuning") with a short bank question. Reported in the README as it is.
    index = index_of(bank)
    rephrased, unrelated = held_back["blind_rephrased"], held_back["blind_unrelated"]
    found = index.find_many([(r["question"], r["topic"]) for r in rephrased])
    assert sum(r["of"] in ids(near) for r, near in zip(rephrased, found, strict=True)) == 23
    flagged = index.find_many([(u["question"], u["topic"]) for u in unrelated])
    assert sum(bool(near) for near in flagged) == 3
