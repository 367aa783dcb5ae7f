"""Topics no text covers: the file, the index's freshness and the abstention they cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from knowledge.answer import ABSTENTION_MESSAGE, AnswerEngine
from knowledge.config import KnowledgeSettings
from knowledge.dense import load_embedder
from knowledge.index import build_index, is_fresh, load_index
from knowledge.retrieval import Retriever
from knowledge.uncovered import UNCOVERED_FILE, UncoveredError, flatten, load_uncovered

NOTE = """---
doc_id: note-1
title: Note 1
date: "2026-01-01"
---
# Note 1

## 1 – Les équipements

L'administration fournit un ordinateur portable et un téléphone aux télétravailleurs.

## 2 – Les délais

Le délai de prévenance est de deux mois avant la fin du télétravail.
"""

CANTEEN = """topics:
  - topic: la restauration collective
    questions:
      - le restaurant administratif est-il ouvert les jours de télétravail ?
      - quel est le menu de la cantine cette semaine ?
"""


def test_project_topics_read_as_the_end_of_a_french_sentence() -> None:
    topics = load_uncovered(UNCOVERED_FILE)
    assert topics, "le fichier des sujets non couverts est vide"
    for topic in topics:
        # « Votre question semble porter sur {topic}, … »
        assert topic.topic.startswith(("le ", "la ", "les ", "l'", "des ", "du ")), topic.topic
        assert topic.questions
    questions, labels = flatten(topics)
    assert len(questions) == len(labels) == sum(len(t.questions) for t in topics)


def test_malformed_file_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "sujets.yaml"
    bad.write_text("topics:\n  - topic: la cantine\n    questions: []\n", "utf-8")
    with pytest.raises(UncoveredError, match=r"sujets\.yaml"):
        load_uncovered(bad)
    assert load_uncovered(tmp_path / "absent.yaml") == []


@pytest.fixture
def canteen_settings(tmp_path: Path, settings: KnowledgeSettings) -> KnowledgeSettings:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "note-1.md").write_text(NOTE, "utf-8")
    topics = tmp_path / "uncovered.yaml"
    topics.write_text(CANTEEN, "utf-8")
    return settings.model_copy(
        update={
            "sources_dir": sources,
            "index_dir": tmp_path / "index",
            "domain_examples_dir": tmp_path / "no-nlu",
            "questions_dir": tmp_path / "no-questions",
            "uncovered_file": topics,
        }
    )


@pytest.mark.integration
def test_question_on_an_uncovered_topic_is_abstained_on_and_named(
    canteen_settings: KnowledgeSettings,
) -> None:
    embedder = load_embedder(canteen_settings.embedding_model)
    build_index(canteen_settings, embedder, progress=False)
    engine = AnswerEngine(Retriever(load_index(canteen_settings), embedder), canteen_settings)

    lunch = engine.ask("on mange où le midi quand on est en télétravail, la cantine ?")
    assert lunch.abstained
    assert lunch.answer.startswith("Votre question semble porter sur la restauration collective")
    assert "référent" in lunch.answer and lunch.signals["uncovered"] == 1.0

    laptop = engine.ask("est-ce que l'administration me fournit un ordinateur portable ?")
    assert laptop.signals.get("uncovered", 0.0) == 0.0
    assert "ordinateur portable" in laptop.answer

    # Editing the topics makes the index stale: it is rebuilt with them.
    canteen_settings.uncovered_file.write_text(CANTEEN.replace("menu", "plat du jour"), "utf-8")
    assert not is_fresh(canteen_settings)


@pytest.mark.integration
@pytest.mark.parametrize(
    "question", ["est-ce que je peux télétravailler ?", "au fait l'ordi portable c'est fourni ?"]
)
def test_a_question_whose_words_the_texts_hold_is_not_taken_for_an_uncovered_topic(
    engine: Any, question: str
) -> None:
    """Found by the conversation tests: both were refused as « étranger » / « informatique »."""
    answer = engine.ask(question)
    assert answer.signals.get("uncovered", 0.0) == 0.0
    assert not answer.answer.startswith("Votre question semble porter sur")


@pytest.mark.integration
@pytest.mark.parametrize("noise", ["azerty", "recette de la tarte aux pommes"])
def test_noise_gets_the_plain_abstention_not_a_named_topic(engine: Any, noise: str) -> None:
    """Every question is nearest to *some* uncovered topic: noise must not be told it asked
    about « la rémunération, les congés… » (uncovered_named_floor)."""
    answer = engine.ask(noise)
    assert answer.abstained
    assert answer.answer == ABSTENTION_MESSAGE


@pytest.mark.integration
def test_a_near_topic_question_still_names_its_topic(engine: Any) -> None:
    answer = engine.ask("on a droit aux tickets resto les jours de télétravail ?")
    assert answer.abstained
    assert answer.answer.startswith("Votre question semble porter sur les titres-restaurant")
