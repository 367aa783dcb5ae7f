"""The e5 vector the NLU carries out of Rasa is the one the retrieval would compute.

Rasa's e5 featurizer (``.venv-rasa``) leaves each user message's vector in the parsed
message; the action server's retrieval (``.venv``) reuses it instead of encoding the question
again. Both run the same ONNX file (knowledge.embedding.onnx_query): the vector must be
identical, for the same text, and so must the answer.
"""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.dense import KnownQueryVector, carried_query_vector, load_embedder
from tests.bot.rasa_env import run_in_rasa_env

TEXTS = [
    "qui fournit l'ordinateur portable ?",
    "combien de jours de télétravail à 80 % ?",
    "faut-il un détecteur de fumée ?",
    "je veux arrêter le télétravail, quel délai ?",
    "Puis-je télétravailler depuis ma résidence secondaire à l'étranger ?",
    "bonjour",
]

CHECK = r"""
import json
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from bot.components.e5_featurizer import E5Featurizer, QUERY_VECTOR_KEY

texts = json.loads(%r)
context = ExecutionContext(GraphSchema({}), node_name="e5")
tokenizer = WhitespaceTokenizer({**WhitespaceTokenizer.get_default_config()})
featurizer = E5Featurizer.create(
    {**E5Featurizer.get_default_config(), "max_chars": 40}, None, None, context
)
messages = [Message(data={TEXT: text}) for text in texts]
tokenizer.process(messages)
featurizer.process(messages)
print(json.dumps([message.as_dict(only_output_properties=True) for message in messages]))
"""


@pytest.fixture(scope="module")
def parsed() -> list[dict]:
    import json

    return run_in_rasa_env(CHECK % json.dumps(TEXTS))


@pytest.fixture(scope="module")
def carried(parsed: list[dict]) -> list[KnownQueryVector]:
    vectors = [carried_query_vector(data) for data in parsed]
    assert all(vector is not None for vector in vectors)
    return [vector for vector in vectors if vector is not None]


def test_every_parsed_message_carries_its_vector(parsed: list[dict]) -> None:
    for text, data in zip(TEXTS, parsed, strict=True):
        assert data["text"] == text
        assert data["e5_query"]["chars"] == min(len(text), 40)


def test_carried_vector_equals_the_retrievals_own_encoding(
    settings: KnowledgeSettings, carried: list[KnownQueryVector]
) -> None:
    embedder = load_embedder(settings.embedding_model)
    assert embedder.source_id is not None
    for known in carried:
        assert known.model == embedder.source_id
        own = embedder.embed_queries([known.text])[0]
        assert np.array_equal(known.vector[0], own), known.text


def test_retrieval_reuses_only_the_vector_of_the_exact_text(
    engine: object, carried: list[KnownQueryVector]
) -> None:
    from knowledge.answer import AnswerEngine

    assert isinstance(engine, AnswerEngine)
    retriever = engine.retriever
    known = carried[0]
    assert retriever.reusable(TEXTS[0], known) is known.vector
    assert retriever.reusable(TEXTS[0] + " ", known) is None
    assert retriever.reusable(TEXTS[1], known) is None
    other_model = KnownQueryVector(known.text, known.vector, "0" * 64)
    assert retriever.reusable(TEXTS[0], other_model) is None
    # Cut by the NLU (« max_chars »): the carried text is shorter than the question.
    long_known = carried[4]
    assert long_known.text != TEXTS[4]
    assert retriever.reusable(TEXTS[4], long_known) is None


def test_an_answer_with_the_carried_vector_is_the_answer_without_it(
    engine: object, carried: list[KnownQueryVector], monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge.answer import AnswerEngine

    assert isinstance(engine, AnswerEngine)
    encoded: list[str] = []
    original = engine.retriever.embed_query

    def spy(question: str) -> object:
        encoded.append(question)
        return original(question)

    monkeypatch.setattr(engine.retriever, "embed_query", spy)
    whole = [(t, k) for t, k in zip(TEXTS, carried, strict=True) if k.text == t]  # not cut
    assert len(whole) >= 3
    for text, known in whole:
        encoded.clear()
        reused = engine.ask(text, known=known)
        assert encoded == []  # encoded once: by the NLU
        alone = engine.ask(text)
        assert encoded == [text]  # as /api/ask does
        assert (reused.answer, reused.abstained, reused.confidence) == (
            alone.answer,
            alone.abstained,
            alone.confidence,
        )
        assert reused.sources == alone.sources and reused.signals == alone.signals


@pytest.mark.parametrize(
    "parse_data",
    [
        None,
        {},
        {"text": "bonjour"},
        {"text": "bonjour", "e5_query": "abc"},
        {"text": "bonjour", "e5_query": {"chars": 7, "model": "x", "vector": "!!"}},
        {"text": "bonjour", "e5_query": {"chars": 7, "model": "x", "vector": "AAAA"}},
        {"text": "bonjour", "e5_query": {"chars": "7", "model": "x", "vector": "AAA8"}},
    ],
)
def test_malformed_payloads_are_ignored(parse_data: dict | None) -> None:
    assert carried_query_vector(parse_data) is None


def test_float16_transport_keeps_the_vector() -> None:
    import base64

    rng = np.random.default_rng(0)
    vector = rng.normal(size=384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    packed = base64.b64encode(vector.astype("<f2").tobytes()).decode()
    known = carried_query_vector(
        {"text": "abc", "e5_query": {"chars": 3, "model": "m", "vector": packed}}
    )
    assert known is not None
    assert float(known.vector[0] @ vector) > 1 - 1e-6
