"""Hub passages (knowledge.hubness): measured against the NLU examples, stored, pushed down."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.dense import load_embedder
from knowledge.hubness import HUBNESS_FILE, HUBNESS_STAMP, ensure_hubness, hubness


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.mark.unit
def test_a_passage_close_to_every_question_is_the_hub() -> None:
    questions = _unit([[1, 1, 0], [1, 0, 1], [1, 0.5, 0.5], [0, 1, 1]])
    passages = _unit([[1, 0.4, 0.4], [0, 1, 0], [0, 0, 1]])
    scores = hubness(passages, questions)
    assert scores.shape == (3,) and int(np.argmax(scores)) == 0
    assert hubness(passages, np.zeros((0, 3), dtype=np.float32)).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.integration
def test_computed_once_then_read_until_the_nlu_examples_change(
    tmp_path: Path, settings: KnowledgeSettings
) -> None:
    index_dir, nlu_dir = tmp_path / "index", tmp_path / "nlu"
    index_dir.mkdir()
    nlu_dir.mkdir()
    (index_dir / "manifest.json").write_text("{}", "utf-8")
    examples = "\n".join(
        f"    - {text}"
        for text in ("combien de jours de télétravail ?", "quel matériel est fourni ?")
    )
    (nlu_dir / "ask.yml").write_text(
        f'version: "3.1"\nnlu:\n- intent: ask_quota\n  examples: |\n{examples}\n', "utf-8"
    )
    embedder = load_embedder(settings.embedding_model)
    passages = np.asarray(
        embedder.embed_passages(["Trois jours par semaine au plus.", "Un ordinateur portable."]),
        dtype=np.float32,
    )
    first = ensure_hubness(embedder, passages, index_dir, nlu_dir)
    assert first is not None and first.shape == (2,)
    assert (index_dir / HUBNESS_FILE).exists()
    stamp = json.loads((index_dir / HUBNESS_STAMP).read_text("utf-8"))
    np.save(index_dir / HUBNESS_FILE, np.array([9.0, 9.0], dtype=np.float32))
    assert ensure_hubness(embedder, passages, index_dir, nlu_dir).tolist() == [9.0, 9.0]
    (nlu_dir / "ask.yml").write_text(
        (nlu_dir / "ask.yml").read_text("utf-8") + "    - et le téléphone ?\n", "utf-8"
    )
    again = ensure_hubness(embedder, passages, index_dir, nlu_dir)
    assert again is not None and again.tolist() != [9.0, 9.0]
    assert json.loads((index_dir / HUBNESS_STAMP).read_text("utf-8")) != stamp
    assert ensure_hubness(embedder, passages, index_dir, tmp_path / "absent") is None
