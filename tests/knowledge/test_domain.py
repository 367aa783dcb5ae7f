"""In-domain classifier: its training data, its persistence and what it learns (real model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.dense import load_embedder
from knowledge.domain import DomainModel, nlu_fingerprint, train_domain_model, training_examples

NLU = """version: "3.1"
nlu:
  - intent: ask_quota
    examples: |
      - combien de jours de [télétravail](topic) par semaine ?
      - à 80 % j'ai droit à combien de jours de télétravail
      - je peux télétravailler trois jours ?
      - le maximum de jours de télétravail c'est combien
      - nombre de jours télétravaillés autorisés à temps partiel
      - à mi-temps combien de jours de télétravail
  - intent: ask_equipment
    examples: |
      - l'administration fournit un ordinateur portable pour le télétravail ?
      - j'ai droit à un écran pour télétravailler chez moi ?
      - mon téléphone pro est fourni en télétravail ?
      - la connexion internet est payée par l'employeur ?
      - je peux utiliser mon ordinateur personnel en télétravail ?
  - intent: greet
    examples: |
      - bonjour
  - intent: out_of_scope
    examples: |
      - quel temps fera-t-il demain ?
      - il pleut à Toulouse aujourd'hui ?
      - qui a gagné le match hier soir ?
      - raconte-moi une blague
      - le menu de la cantine ce midi
      - les résultats de la ligue 1
      - une recette de gâteau au chocolat
      - quel film au cinéma ce soir
      - la météo du week-end
      - il va neiger cette semaine ?
      - le score du rugby
      - une bonne série à regarder
"""


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "nlu"
    folder.mkdir()
    (folder / "intents.yml").write_text(NLU, "utf-8")
    return folder


@pytest.mark.unit
def test_examples_come_from_question_intents_and_out_of_scope_only(nlu_dir: Path) -> None:
    in_domain, off_topic = training_examples(nlu_dir)
    assert len(in_domain) == 11 and len(off_topic) == 12
    assert "combien de jours de télétravail par semaine ?" in in_domain  # entity unwrapped
    assert "bonjour" not in in_domain + off_topic


@pytest.mark.unit
def test_fingerprint_follows_the_training_data(nlu_dir: Path, tmp_path: Path) -> None:
    before = nlu_fingerprint(nlu_dir)
    (nlu_dir / "intents.yml").write_text(NLU + "      - quelle heure est-il\n", "utf-8")
    assert nlu_fingerprint(nlu_dir) != before
    assert nlu_fingerprint(tmp_path / "absent") == ""


@pytest.mark.unit
def test_model_round_trips_through_its_file(tmp_path: Path) -> None:
    model = DomainModel(np.arange(4, dtype=np.float32), -0.5, 0.4, 0.9)
    model.save(tmp_path)
    loaded = DomainModel.load(tmp_path)
    assert loaded is not None
    assert np.array_equal(loaded.weights, model.weights)
    assert (loaded.bias, loaded.threshold) == (-0.5, pytest.approx(0.4))
    assert DomainModel.load(tmp_path / "nothing-here") is None


@pytest.mark.integration
def test_trained_model_separates_telework_from_chit_chat(
    nlu_dir: Path, settings: KnowledgeSettings
) -> None:
    embedder = load_embedder(settings.embedding_model)
    sentences = ["Le télétravail est limité à trois jours par semaine."]
    model = train_domain_model(embedder, nlu_dir, sentences)
    assert model is not None and 0.05 <= model.threshold <= 0.95
    telework = embedder.embed_queries(["combien de jours de télétravail pour un agent à 90 % ?"])
    weather = embedder.embed_queries(["est-ce qu'il fera soleil à Marseille samedi ?"])
    assert model.probability(telework) > model.threshold > model.probability(weather)


@pytest.mark.unit
def test_no_classifier_without_training_data(tmp_path: Path) -> None:
    class NoModel:
        name = "none"

        def embed_queries(self, texts: list[str]) -> np.ndarray:
            raise AssertionError("nothing to embed")

        def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
            raise AssertionError("nothing to embed")

    assert train_domain_model(NoModel(), tmp_path / "absent", ["phrase"]) is None
