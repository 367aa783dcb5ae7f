"""The ONNX question encoder: same vectors as the sentence-transformers folder, carried exactly."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.dense import carried_query_vector, load_embedder
from knowledge.embedding import onnx_export
from knowledge.embedding.onnx_query import (
    OnnxModelMissing,
    OnnxQueryEncoder,
    as_carried,
    onnx_folder,
)

QUESTIONS = [
    "Combien de jours de télétravail par semaine ?",
    "ordi perso pr le TT ?",
    "oui",
    "x" * 3000,  # longer than e5's 512 positions: cut by the tokenizer, not an error
]


@pytest.fixture(scope="module")
def encoder(settings: KnowledgeSettings) -> OnnxQueryEncoder:
    folder = onnx_folder(settings.embedding_model)
    if not folder.exists():
        pytest.fail(f"{folder} absent : lancez « make model »")
    return OnnxQueryEncoder(folder)


def test_the_export_is_current_and_encodes_like_the_folder(
    settings: KnowledgeSettings, encoder: OnnxQueryEncoder
) -> None:
    assert onnx_export.is_current(Path(settings.embedding_model))
    reference = load_embedder(settings.embedding_model)
    torch_vectors = reference._encode(QUESTIONS, "query", progress=False)
    ours = encoder.embed(QUESTIONS)
    assert ours.shape == (len(QUESTIONS), 384)
    assert np.min(np.sum(ours * torch_vectors, axis=1)) > 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)


def test_a_vector_survives_its_float16_transport_unchanged(encoder: OnnxQueryEncoder) -> None:
    vector = encoder.embed_one(QUESTIONS[0])
    assert np.array_equal(as_carried(vector), vector)  # already at transport precision
    packed = base64.b64encode(vector.astype("<f2").tobytes()).decode()
    known = carried_query_vector(
        {"text": QUESTIONS[0], "e5_query": {"chars": 9, "model": "m", "vector": packed}}
    )
    assert known is not None and np.array_equal(known.vector, vector)


def test_encoding_is_deterministic(encoder: OnnxQueryEncoder) -> None:
    assert np.array_equal(encoder.embed(QUESTIONS[:2]), encoder.embed(QUESTIONS[:2]))
    assert encoder.embed([]).shape == (0, 384)


def test_an_incomplete_export_is_refused_clearly(
    settings: KnowledgeSettings, tmp_path: Path
) -> None:
    partial = tmp_path / "onnx"
    partial.mkdir()
    shutil.copy(onnx_folder(settings.embedding_model) / "stamp.json", partial / "stamp.json")
    with pytest.raises(OnnxModelMissing, match="make model"):
        OnnxQueryEncoder(partial)
    assert not onnx_export.is_current(tmp_path)
