"""The e5 featurizer gives DIET the features it expects, inside the real Rasa 3.6 venv.

The component imports Rasa, which lives in ``.venv-rasa`` (Python 3.10), so the checks run
there in a subprocess, on real e5 vectors (the ONNX export ``make model`` builds), with
Rasa's own tokenizer; they are compared with the sentence-transformers folder in ``.venv``.
"""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.dense import load_embedder
from tests.bot.rasa_env import run_in_rasa_env

FIRST = "qui fournit l'ordinateur portable pour le télétravail ?"

CHECK = r"""
import json
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.e5_featurizer import E5Featurizer

context = ExecutionContext(GraphSchema({}), node_name="e5")
tokenizer = WhitespaceTokenizer({**WhitespaceTokenizer.get_default_config()})
featurizer = E5Featurizer.create(
    {**E5Featurizer.get_default_config(), "max_chars": 200}, None, None, context
)
texts = [
    "qui fournit l'ordinateur portable pour le télétravail ?",
    "l'administration me prête-t-elle un PC pour travailler chez moi ?",
    "quel temps fera-t-il demain à Lille ?",
    "x" * 5000,
]
messages = [Message(data={TEXT: text}) for text in texts]
tokenizer.process(messages)
featurizer.process(messages)
training = TrainingData([Message(data={TEXT: text}) for text in texts[:2]])
tokenizer.process_training_data(training)
featurizer.process_training_data(training)
report = []
for message in messages:
    sequence, sentence = message.get_dense_features(TEXT)
    report.append({
        "tokens": len(message.get("text_tokens")),
        "sequence_shape": list(sequence.features.shape),
        "sentence_shape": list(sentence.features.shape),
        "rows_equal_sentence": bool(np.allclose(sequence.features, sentence.features)),
        "sentence": sentence.features[0].tolist(),
    })
vectors = np.array([item["sentence"] for item in report])
trained = [m.get_dense_features(TEXT)[1].features[0] for m in training.training_examples]
print(json.dumps({
    "report": [{k: v for k, v in item.items() if k != "sentence"} for item in report],
    "first": vectors[0].tolist(),
    "long": vectors[3].tolist(),
    "paraphrase": float(vectors[0] @ vectors[1]),
    "unrelated": float(vectors[0] @ vectors[2]),
    "training_matches_run_time": float(trained[0] @ vectors[0]),
}))
"""


@pytest.fixture(scope="module")
def result() -> dict:
    return run_in_rasa_env(CHECK)


def test_one_sequence_row_per_token_and_one_sentence_row(result: dict) -> None:
    for item in result["report"]:
        assert item["sequence_shape"] == [item["tokens"], 384]
        assert item["sentence_shape"] == [1, 384]
        assert item["rows_equal_sentence"]


def test_sentence_vector_is_the_e5_query_embedding(
    result: dict, settings: KnowledgeSettings
) -> None:
    embedder = load_embedder(settings.embedding_model)
    first = np.asarray(result["first"])
    assert float(first @ embedder._encode([FIRST], "query", False)[0]) == pytest.approx(
        1.0, abs=1e-4
    )
    assert float(first @ embedder.embed_passages([FIRST])[0]) < 0.999


def test_paraphrases_are_closer_than_unrelated_messages(result: dict) -> None:
    assert result["paraphrase"] > result["unrelated"] + 0.05


def test_long_messages_are_cut_before_embedding(result: dict, settings: KnowledgeSettings) -> None:
    cut = load_embedder(settings.embedding_model).embed_queries(["x" * 200])[0]
    assert float(np.asarray(result["long"]) @ cut) == pytest.approx(1.0, abs=1e-6)


def test_training_and_run_time_features_agree(result: dict) -> None:
    assert result["training_matches_run_time"] == pytest.approx(1.0, abs=1e-4)
