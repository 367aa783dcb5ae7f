"""The evaluation sets stay consistent with the texts (no model: corpus and chunking only)."""

from __future__ import annotations

import re

import pytest

from knowledge.analysis import fold
from knowledge.chunking import chunk_document
from knowledge.corpus import SOURCES_DIR, load_corpus
from knowledge.evaluation import QUESTION_SETS, load_questions

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(QUESTION_SETS))
def test_every_expected_fact_stands_in_an_expected_passage(name: str) -> None:
    chunks = [c for d in load_corpus(SOURCES_DIR) for c in chunk_document(d)]
    questions = load_questions(QUESTION_SETS[name])
    broken = [
        q.id
        for q in questions
        if q.answerable
        and not any(q.matches(c) and re.search(fold(q.fact), fold(c.text)) for c in chunks)
    ]
    assert broken == []


def test_holdout_set_is_large_enough_and_apart_from_the_dev_set() -> None:
    holdout = load_questions(QUESTION_SETS["holdout"])
    dev = load_questions(QUESTION_SETS["dev"])
    assert sum(q.answerable for q in holdout) >= 40
    assert sum(not q.answerable for q in holdout) >= 15
    assert len({q.doc_id for q in holdout if q.answerable}) == 5
    assert not {fold(q.question) for q in holdout} & {fold(q.question) for q in dev}
    assert not {q.id for q in holdout} & {q.id for q in dev}
