"""K-fold cross-validation of the NLU pipeline, held-out folds only, reproducible folds.

Why not ``rasa test nlu --cross-validation``: Rasa 3.6 also predicts every *training*
example of every fold (four times the held-out work) and shuffles the folds without a
seed. On two shared cores the training-set predictions alone took longer than the
trainings. This runs the same steps with Rasa's own functions (``train_nlu``,
``get_eval_data``, ``evaluate_intents``, ``evaluate_entities``), on seeded stratified
folds, and writes the same reports (``intent_report.json``, ``intent_errors.json``,
``intent_successes.json``, ``DIETClassifier_report.json``) into ``--out``.

It runs in ``.venv-rasa`` from the repository root, next to the component it measures:
``.venv-rasa/bin/python -m bot.components.cross_validation --config bot/config.yml``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.nlu.test import (
    _get_active_entity_extractors,
    evaluate_entities,
    evaluate_intents,
    get_eval_data,
)
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.model_selection import StratifiedKFold


def _subset(data: TrainingData, examples: list[Any]) -> TrainingData:
    return TrainingData(
        training_examples=examples,
        entity_synonyms=data.entity_synonyms,
        regex_features=data.regex_features,
        lookup_tables=data.lookup_tables,
        responses=data.responses,
    )


async def cross_validate(config: str, nlu: str, folds: int, out: Path, seed: int) -> dict:
    """Train on k-1 folds, predict the held-out one, and report on all held-out folds."""
    data = load_data(nlu)
    examples = data.intent_examples
    labels = [example.get_full_intent() for example in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    intent_results: list[Any] = []
    entity_results: list[Any] = []
    train_seconds: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for train_index, test_index in splitter.split(examples, labels):
            train_file = Path(tmp) / "train.yml"
            RasaYAMLWriter().dump(train_file, _subset(data, [examples[i] for i in train_index]))
            started = time.perf_counter()
            model = train_nlu(config, str(train_file), tmp)
            train_seconds.append(time.perf_counter() - started)
            processor = Agent.load(model).processor
            test = _subset(data, [examples[i] for i in test_index])
            intents, _, entities = await get_eval_data(processor, test)
            intent_results += intents
            entity_results += entities
    out.mkdir(parents=True, exist_ok=True)
    intent_report = evaluate_intents(intent_results, str(out), True, True, True, True)
    extractors = _get_active_entity_extractors(entity_results)
    entity_report = evaluate_entities(entity_results, extractors, str(out), False, True, True, True)
    return {
        "intent_macro_f1": intent_report["report"]["macro avg"]["f1-score"],
        "extractors": sorted(entity_report),
        "fold_training_seconds": train_seconds,
    }


def main() -> None:
    """Command line: prints a JSON summary; the reports are in ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="bot/config.yml")
    parser.add_argument("--nlu", default="data/nlu")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("var/rasa/bench/cv"))
    args = parser.parse_args()
    summary = asyncio.run(cross_validate(args.config, args.nlu, args.folds, args.out, args.seed))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
