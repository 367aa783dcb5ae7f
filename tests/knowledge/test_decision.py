"""The answer/abstain model: fitted on development questions only, stored, refitted when stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge import decision
from knowledge.answer import Signals

pytestmark = pytest.mark.unit


def signals(
    cosine: float, nouns: int = 0, coverage: float = 1.0, uncovered: float = 0.0
) -> Signals:
    return Signals(
        cosine=cosine,
        question_cosine=cosine + 0.07,
        coverage=coverage,
        absent_nouns=nouns,
        uncovered_cosine=uncovered,
        uncovered_topic="le secteur privé" if uncovered else None,
        top_score=cosine * 3,
        score_gap=0.1,
    )


def toy_rows() -> list[tuple[Signals, bool]]:
    covered = [(signals(0.86 + i / 200), True) for i in range(10)]
    uncovered = [(signals(0.80 + i / 200, nouns=1, coverage=0.5), False) for i in range(10)]
    return covered + uncovered


def test_the_holdout_never_trains_the_decision() -> None:
    assert "holdout" not in decision.TRAINING_SETS
    assert all(name in decision.ANSWER_SETS for name in decision.TRAINING_SETS)


def test_a_fitted_model_answers_close_questions_and_refuses_far_ones() -> None:
    model = decision.fit(toy_rows())
    assert model.answers(signals(0.90))
    assert not model.answers(signals(0.79, nouns=2, coverage=0.3))
    assert model.probability(signals(0.90)) > model.probability(signals(0.85))


def test_one_class_only_cannot_be_calibrated() -> None:
    with pytest.raises(ValueError, match="couvertes et non couvertes"):
        decision.fit([(signals(0.9), True)] * 3)


def test_the_uncovered_lead_counts_only_when_the_passages_lack_words() -> None:
    lead = decision.FEATURES["uncovered_lead"]
    near_topic = signals(0.85, coverage=0.5, uncovered=0.95)
    assert lead(near_topic) == pytest.approx(0.95 - 0.92)
    every_word_found = signals(0.85, coverage=1.0, uncovered=0.95)
    assert lead(every_word_found) == 0.0
    assert lead(signals(0.85, coverage=0.5, uncovered=0.5)) == 0.0


def test_saved_model_reads_back_identical(tmp_path: Path) -> None:
    model = decision.fit(toy_rows(), fingerprint="abc")
    decision.save(model, tmp_path)
    assert decision.load(tmp_path) == model
    assert not list(tmp_path.glob(".decision-*")), "écriture atomique : pas de reste"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        json.dumps(
            {"features": ["inconnu"], "means": [0], "scales": [1], "weights": [1], "bias": 0}
        ),
    ],
)
def test_unreadable_or_foreign_model_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / decision.DECISION_FILE).write_text(content, encoding="utf-8")
    assert decision.load(tmp_path) is None


class FakeEngine:
    """Stands for the answer engine: signals from a table, and a count of the questions seen."""

    def __init__(self) -> None:
        self.seen = 0

    def observe(self, question: str) -> Signals:
        self.seen += 1
        return signals(0.9) if self.seen % 2 else signals(0.8, nouns=2, coverage=0.4)


def _index_dir(tmp_path: Path) -> Path:
    (tmp_path / "manifest.json").write_text('{"sources": "a"}', encoding="utf-8")
    return tmp_path


def test_model_is_fitted_once_then_reused_until_the_index_changes(tmp_path: Path) -> None:
    folder = _index_dir(tmp_path)
    engine: Any = FakeEngine()
    first = decision.ensure_decision(engine, folder)
    assert first is not None and engine.seen == first.training_questions > 0
    seen = engine.seen
    assert decision.current_decision(folder) == first
    assert decision.ensure_decision(engine, folder) == first
    assert engine.seen == seen, "modèle à jour : aucune question recalculée"
    (folder / "manifest.json").write_text('{"sources": "b"}', encoding="utf-8")
    assert decision.current_decision(folder) is None, "index changé : modèle périmé"
    refitted = decision.ensure_decision(engine, folder)
    assert refitted is not None and refitted.fingerprint != first.fingerprint
    assert engine.seen == 2 * seen


def test_a_read_only_index_folder_still_gets_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(model: decision.DecisionModel, folder: Path) -> None:
        raise PermissionError(folder)  # root writes anywhere: the refusal is simulated

    monkeypatch.setattr(decision, "save", refuse)
    model = decision.ensure_decision(FakeEngine(), _index_dir(tmp_path))  # type: ignore[arg-type]
    assert model is not None
    assert not (tmp_path / decision.DECISION_FILE).exists()
