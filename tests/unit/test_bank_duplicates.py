"""Duplicate warnings: rephrasings of bank questions are flagged with their original, unrelated ones not.

The figures come from tests/data/duplicate_eval.json: the rule and ``DUPLICATE_AT`` were tuned on
its tuning half; the held-out half is the out-of-sample check the targets are asserted on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.bank.duplicates import DUPLICATE_AT, Candidate, DuplicateIndex, NearDuplicate, describe
from bot.bank.grading import normalize
from bot.bank.model import Bank

DATA = Path(__file__).resolve().parents[1] / "data"
Items = list[dict[str, str]]


def ids(near: tuple[NearDuplicate, ...]) -> set[str]:
    return {n.question_id for n in near}


def index_of(bank: Bank) -> DuplicateIndex:
    # as bot.bank.admin.existing_index builds it: texts and answers of the workspace's questions
    return DuplicateIndex(Candidate(q.id, q.topic, q.question, q.answer) for q in bank.questions)


@pytest.fixture(scope="module")
def evaluation() -> dict[str, dict[str, Items]]:
    data: dict[str, dict[str, Items]] = json.loads((DATA / "duplicate_eval.json").read_text(encoding="utf-8"))
    return data


def figures(index: DuplicateIndex, rephrased: Items, unrelated: Items) -> tuple[int, int]:
    """(rephrasings flagged with their original, unrelated questions flagged at all)."""
    found = index.find_many([(r["question"], r["topic"]) for r in rephrased])
    hits = sum(r["of"] in ids(near) for r, near in zip(rephrased, found, strict=True))
    flagged = index.find_many([(u["question"], u["topic"]) for u in unrelated])
    return hits, sum(bool(near) for near in flagged)


def test_the_evaluation_set_is_large_new_on_the_banks_topics_and_split(
    bank: Bank, evaluation: dict[str, dict[str, Items]]
) -> None:
    tuning, held_out = evaluation["tuning"], evaluation["held_out"]
    rephrased = tuning["rephrased"] + held_out["rephrased"]
    unrelated = tuning["unrelated"] + held_out["unrelated"]
    assert (len(rephrased), len(unrelated)) == (200, 214)
    assert [len(tuning["rephrased"]), len(held_out["rephrased"])] == [100, 100]
    texts = {q.question.casefold() for q in bank.questions}
    written = [item["question"].casefold() for item in rephrased + unrelated]
    assert len(set(written)) == len(written) and not set(written) & texts
    topics = {name for name, _ in bank.topics()}
    assert {item["topic"] for item in unrelated} == topics  # every topic has hard negatives
    for item in rephrased:
        original = bank.get(item["of"])
        assert original is not None and original.topic == item["topic"], item
    # hard negatives: most use the words of their topic's questions and answers
    index = index_of(bank)
    vocabulary: dict[str, set[str]] = {}
    for question in bank.questions:
        vocabulary.setdefault(question.topic, set()).update(index.prepare(question.question).stems)
        vocabulary[question.topic].update(index.prepare(question.answer).stems)
    sharing = [u for u in unrelated if set(index.prepare(u["question"]).stems) & vocabulary[u["topic"]]]
    assert len(sharing) == 180
    # the halves rephrase different bank questions: nothing learnt on one original is tested on it
    assert not {r["of"] for r in tuning["rephrased"]} & {r["of"] for r in held_out["rephrased"]}


def test_held_out_half_meets_the_targets(bank: Bank, evaluation: dict[str, dict[str, Items]]) -> None:
    held_out = evaluation["held_out"]
    hits, flagged = figures(index_of(bank), held_out["rephrased"], held_out["unrelated"])
    assert hits / len(held_out["rephrased"]) >= 0.90
    assert flagged / len(held_out["unrelated"]) <= 0.05
    # Measured once, after the rule was fixed on the tuning half: 93 / 100 and 3 / 107 (2.8%).
    # A change means the rule changed: update the README's table.
    assert (hits, flagged) == (93, 3)


def test_tuning_half_figures(bank: Bank, evaluation: dict[str, dict[str, Items]]) -> None:
    tuning = evaluation["tuning"]
    # What DUPLICATE_AT = 67 was chosen for: both targets hold from 65 to 69 here, 67 is the middle.
    assert figures(index_of(bank), tuning["rephrased"], tuning["unrelated"]) == (93, 5)


def test_the_older_list_is_reported_not_tuned_on(bank: Bank) -> None:
    # tests/data/rephrased_questions.json chose the previous rule's threshold; the new rule never
    # saw it. Its figures, as the README reports them (the rephrasings fall below 90% here).
    old = json.loads((DATA / "rephrased_questions.json").read_text(encoding="utf-8"))
    index = index_of(bank)
    assert figures(index, old["rephrased"], old["unrelated"]) == (56, 0)
    assert figures(index, old["blind_rephrased"], old["blind_unrelated"]) == (20, 1)


def test_the_same_text_under_another_topic_is_not_a_duplicate(bank: Bank) -> None:
    index = index_of(bank)
    assert index.find("What is grid search?", "Model Optimization and Hyperparameter Tuning")
    assert index.find("What is grid search?", "Reinforcement Learning") == ()


def test_topic_comparison_forgives_case_and_punctuation(bank: Bank) -> None:
    near = index_of(bank).find("Explain the ReLU activation function.", "neural networks and deep-learning")
    assert [n.question_id for n in near] == ["relu-activation"]


def test_a_question_inside_a_longer_one_is_not_its_duplicate(bank: Bank) -> None:
    # "neural network" is inside "convolutional neural network": token-set alone calls them equal;
    # the coverage half sees that "convolutional" is left over.
    index = index_of(bank)
    near = index.find("What is a convolutional neural network?", "Neural Networks and Deep Learning")
    assert [(n.question_id, n.score) for n in near] == [("convolutional-neural-network", 100.0)]
    assert (
        index.similarity(
            "What is a convolutional neural network?",
            "What is a neural network?",
            "Neural Networks and Deep Learning",
        )
        < DUPLICATE_AT
    )


def test_a_part_of_a_question_asked_on_its_own_is_not_flagged(bank: Bank) -> None:
    index = index_of(bank)
    topic = "Model Optimization and Hyperparameter Tuning"
    assert index.find("What is the patience parameter in early stopping?", topic) == ()
    assert [n.question_id for n in index.find("Explain early stopping.", topic)] == ["early-stopping"]


def test_acronyms_compounds_and_same_ask_words(bank: Bank) -> None:
    index = index_of(bank)
    # "RL" is spelled out by the original's words; "KNN" by "k-nearest neighbors (KNN)"
    assert ids(index.find("What is RL?", "Reinforcement Learning")) == {"reinforcement-learning"}
    assert ids(index.find("Explain KNN.", "Supervised Learning Algorithms")) == {"k-nearest-neighbors"}
    # "tradeoff" is "trade-off"; "downsides" asks what "limitations" asks
    assert ids(index.find("What is the bias-variance trade-off?", "Basic Machine Learning Concepts")) == {
        "bias-variance-tradeoff"
    }
    assert ids(index.find("What are the downsides of ensemble methods?", "Ensemble Methods")) == {
        "ensemble-limitations"
    }
    # an acronym nobody spells out stays a word of its own
    assert index.find("What is TCAV?", "Model Interpretability") == ()


def test_exclude_skips_the_question_itself_and_describe_names_the_duplicate(bank: Bank) -> None:
    index = index_of(bank)
    original = bank.get("what-is-machine-learning")
    assert original is not None
    assert index.find(original.question, original.topic, exclude=original.id) == ()
    near = index.find("Can you define machine learning?", original.topic)
    assert near[0].question_id == original.id and near[0].score >= DUPLICATE_AT
    assert (
        describe(near)
        == "possible duplicate of 'what-is-machine-learning' (100% alike): What is Machine Learning?"
    )
    assert describe(()) == ""


def test_find_many_reports_exactly_the_pairs_whose_similarity_reaches_the_threshold(
    bank: Bank, evaluation: dict[str, dict[str, Items]]
) -> None:
    # find_many skips questions that cannot reach DUPLICATE_AT; similarity() scores every pair in
    # full, so both must name the same questions with the same scores.
    index = index_of(bank)
    items = [i for half in ("tuning", "held_out") for kind in evaluation[half].values() for i in kind]
    found = index.find_many([(i["question"], i["topic"]) for i in items])
    for item, near in zip(items, found, strict=True):
        scored = [
            NearDuplicate(q.id, q.question, round(score, 1))
            for q in bank.questions
            if normalize(q.topic) == normalize(item["topic"])
            and (score := index.similarity(item["question"], q.question, item["topic"])) >= DUPLICATE_AT
        ]
        scored.sort(key=lambda n: -n.score)
        assert near == tuple(scored[:3]), item
    assert sum(bool(near) for near in found) > 150  # the comparison covers many flagged questions
