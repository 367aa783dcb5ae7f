"""The linear intent classifier learns, ranks and survives the model storage, in real Rasa 3.6.

The component imports Rasa, which lives in ``.venv-rasa`` (Python 3.10), so the checks run
there in a subprocess: Rasa's own tokenizer and n-gram featurizers, real e5 vectors, a
real ``LocalModelStorage`` on disk.
"""

from __future__ import annotations

import pytest

from tests.bot.rasa_env import run_in_rasa_env

CHECK = r"""
import json, tempfile
from pathlib import Path
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.e5_featurizer import E5Featurizer
from bot.components.linear_intent_classifier import LinearIntentClassifier

TRAIN = {
    "ask_equipment": [
        "qui fournit l'ordinateur portable ?", "l'administration paie mon écran ?",
        "j'ai droit à un téléphone pro pour le tt ?", "le VPN est fourni ?",
        "qui paie la connexion internet ?", "on me prête une imprimante ?",
    ],
    "greet": ["bonjour", "salut", "bonsoir", "coucou", "hello", "bjr"],
    "out_of_scope": [
        "quel temps demain ?", "mon solde de congés", "le score du match",
        "une recette de crêpes", "il pleut ?", "mon mot de passe est bloqué",
    ],
}
HELD_OUT = {
    "ask_equipment": "est-ce que l'employeur me donne un pc portable ?",
    "greet": "bonjour à vous",
    "out_of_scope": "quelle météo ce week-end ?",
}
tmp = Path(tempfile.mkdtemp())
storage = LocalModelStorage(tmp)
resource = Resource("linear_intent")
context = ExecutionContext(GraphSchema({}), node_name="linear_intent")
tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
words = CountVectorsFeaturizer.create(
    CountVectorsFeaturizer.get_default_config(), storage, Resource("w"), context
)
chars = CountVectorsFeaturizer.create(
    {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb",
     "min_ngram": 2, "max_ngram": 4}, storage, Resource("c"), context
)
e5 = E5Featurizer.create(E5Featurizer.get_default_config(), storage, Resource("e5"), context)

def featurize(messages, training):
    if training:
        data = TrainingData(messages)
        tokenizer.process_training_data(data)
        for featurizer in (words, chars):
            featurizer.train(data)
            featurizer.process_training_data(data)
        e5.process_training_data(data)
    else:
        tokenizer.process(messages)
        for featurizer in (words, chars, e5):
            featurizer.process(messages)
    return messages

examples = [
    Message(data={TEXT: text, INTENT: intent}) for intent, texts in TRAIN.items() for text in texts
]
featurize(examples, training=True)
config = {**LinearIntentClassifier.get_default_config(), "C": 30.0}
classifier = LinearIntentClassifier.create(config, storage, resource, context)
classifier.train(TrainingData(examples))

held_out = featurize([Message(data={TEXT: text}) for text in HELD_OUT.values()], False)
classifier.process(held_out)
loaded = LinearIntentClassifier.load(config, storage, resource, context)
again = featurize([Message(data={TEXT: text}) for text in HELD_OUT.values()], False)
loaded.process(again)

untrained = LinearIntentClassifier.load(config, storage, Resource("missing"), context)
empty = featurize([Message(data={TEXT: "bonjour"})], False)
untrained.process(empty)

weighted = LinearIntentClassifier.create(
    {**config, "dense_weight": 3.0}, storage, Resource("weighted"), context
)
weighted.train(TrainingData(examples))
plain_rows = classifier.features(held_out).toarray()
weighted_rows = weighted.features(held_out).toarray()
dense_width = held_out[0].get_dense_features(TEXT)[1].features.shape[-1]

rejected = []
for bad in (
    {"C": 0}, {"C": -1}, {"max_iter": 0}, {"class_weight": "poids"}, {"dense_weight": -1}
):
    try:
        LinearIntentClassifier.validate_config({**config, **bad})
        rejected.append(False)
    except InvalidConfigException:
        rejected.append(True)

print(json.dumps({
    "expected": list(HELD_OUT),
    "predicted": [m.get(INTENT)["name"] for m in held_out],
    "rankings": [m.get("intent_ranking") for m in held_out],
    "loaded_rankings": [m.get("intent_ranking") for m in again],
    "untrained_intent": empty[0].get(INTENT),
    "rejected": rejected,
    "sparse_norms": [float((row[:-dense_width] ** 2).sum()) for row in plain_rows],
    "sparse_equal": bool((plain_rows[:, :-dense_width] == weighted_rows[:, :-dense_width]).all()),
    "dense_ratio": (weighted_rows[:, -dense_width:] / plain_rows[:, -dense_width:]).tolist(),
    "dense_norms": [float((row[-dense_width:] ** 2).sum()) for row in plain_rows],
}))
"""


@pytest.fixture(scope="module")
def result() -> dict:
    return run_in_rasa_env(CHECK)


def test_held_out_paraphrases_get_their_intent(result: dict) -> None:
    assert result["predicted"] == result["expected"]


def test_ranking_is_a_sorted_probability_distribution(result: dict) -> None:
    for ranking in result["rankings"]:
        confidences = [item["confidence"] for item in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert {item["name"] for item in ranking} == set(result["expected"])
        assert sum(confidences) == pytest.approx(1.0, abs=1e-6)


def test_model_storage_round_trip_gives_the_same_probabilities(result: dict) -> None:
    for first, second in zip(result["rankings"], result["loaded_rankings"], strict=True):
        assert [item["name"] for item in first] == [item["name"] for item in second]
        for a, b in zip(first, second, strict=True):
            assert a["confidence"] == pytest.approx(b["confidence"], abs=1e-9)


def test_missing_resource_loads_an_untrained_classifier_that_sets_no_intent(
    result: dict,
) -> None:
    assert result["untrained_intent"] is None


def test_impossible_settings_are_refused(result: dict) -> None:
    assert result["rejected"] == [True, True, True, True, True]


def test_sparse_block_has_unit_length_and_dense_weight_scales_only_the_e5_block(
    result: dict,
) -> None:
    assert result["sparse_norms"] == pytest.approx([1.0] * 3)
    assert result["dense_norms"] == pytest.approx([1.0] * 3, abs=1e-4)
    assert result["sparse_equal"]
    for row in result["dense_ratio"]:
        assert row == pytest.approx([3.0] * len(row), rel=1e-5)
