"""``teletravail eval rasa``: the assistant's benchmark (NLU F1, training time, latency).

Measured, not asserted: machines are noisy, so figures are printed with the command that
produced them and copied to ``docs/rasa.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated

import httpx
import typer

from cli.stack import ROOT, LocalStack
from knowledge.evaluation import percentile

RASA = str(ROOT / ".venv-rasa" / "bin" / "rasa")
LATENCY_MESSAGES = [
    "bonjour",
    "combien de jours de télétravail à 80 % ?",
    "qui fournit l'ordinateur portable ?",
    "faut-il un détecteur de fumée ?",
    "je veux arrêter le télétravail, quel délai ?",
    "tu es un robot ?",
    "comment faire ma demande ?",
    "merci",
]


def _rasa(*args: str, cwd: Path = ROOT) -> float:
    """Run a Rasa command quietly; return its duration in seconds."""
    started = time.perf_counter()
    subprocess.run(
        [RASA, *args],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    return time.perf_counter() - started


def calibrate_threshold(
    predictions: list[tuple[bool, float]], rephrase_cost: float = 0.5
) -> dict[str, float]:
    """Pick the FallbackClassifier threshold that minimises the cost on CV predictions.

    ``predictions`` are (correct, confidence) pairs of held-out messages. A wrong intent
    accepted costs 1 (the user gets an unrelated answer), a right one sent to the fallback
    costs ``rephrase_cost`` (the user clicks a button or rephrases); ties keep the lower
    threshold, which asks users to rephrase less often.
    """
    best: dict[str, float] = {}
    for step in range(10, 96, 5):
        threshold = step / 100
        wrong = sum(1 for ok, conf in predictions if not ok and conf >= threshold)
        rejected = sum(1 for ok, conf in predictions if ok and conf < threshold)
        cost = wrong + rephrase_cost * rejected
        if not best or cost < best["cost"]:
            total = max(len(predictions), 1)
            best = {
                "threshold": threshold,
                "cost": cost,
                "wrong_accepted_rate": wrong / total,
                "fallback_rate": sum(1 for _, conf in predictions if conf < threshold) / total,
            }
    return best


def cross_validation(folds: int, config: Path, out: Path) -> dict[str, object]:
    """Intent and entity macro-F1 over ``folds`` folds, weak intents, threshold calibration.

    Runs ``bot.components.cross_validation`` in the Rasa venv (held-out folds only, seeded);
    the reports stay in ``out`` (errors, successes with their confidences).
    """
    started = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv-rasa" / "bin" / "python"),
            "-m",
            "bot.components.cross_validation",
            "--config",
            str(config),
            "--nlu",
            "data/nlu",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "OMP_NUM_THREADS": "1"},
    )
    seconds = time.perf_counter() - started
    intents = json.loads((out / "intent_report.json").read_text("utf-8"))
    entity_file = out / "DIETClassifier_report.json"
    entities = json.loads(entity_file.read_text("utf-8")) if entity_file.exists() else {}
    predictions = [
        (item["intent"] == guess["name"], guess["confidence"])
        for name in ("intent_successes.json", "intent_errors.json")
        if (out / name).exists()
        for item in json.loads((out / name).read_text("utf-8"))
        for guess in [item["intent_prediction"]]
    ]
    weak = {
        name: round(scores["f1-score"], 3)
        for name, scores in intents.items()
        if isinstance(scores, dict) and "support" in scores and " avg" not in name
        if scores["f1-score"] < 0.95
    }
    return {
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "intent_accuracy": intents.get("accuracy", 0.0),
        "entity_macro_f1": entities.get("macro avg", {}).get("f1-score", float("nan")),
        "entity_micro_f1": entities.get("micro avg", {}).get("f1-score", float("nan")),
        "weak_intents": dict(sorted(weak.items(), key=lambda item: item[1])),
        "fallback_calibration": calibrate_threshold(predictions),
        "seconds": seconds,
    }


def training_seconds(config: Path) -> float:
    """Time of a full training (NLU and dialogue, forced) into a temporary folder."""
    with tempfile.TemporaryDirectory() as out:
        return _rasa(
            "train",
            "--config",
            str(config),
            "--domain",
            "bot/domain.yml",
            "--data",
            "data",
            "--out",
            out,
            "--force",
        )


async def _conversation(client: httpx.AsyncClient, url: str, rounds: int) -> list[float]:
    sender = uuid.uuid4().hex
    latencies = []
    for index in range(rounds):
        message = LATENCY_MESSAGES[index % len(LATENCY_MESSAGES)]
        started = time.perf_counter()
        response = await client.post(url, json={"sender": sender, "message": message})
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _parse(client: httpx.AsyncClient, url: str, rounds: int) -> list[float]:
    latencies = []
    for index in range(rounds):
        started = time.perf_counter()
        response = await client.post(url, json={"text": LATENCY_MESSAGES[index % 8]})
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def latency(stack: LocalStack, concurrency: int, rounds: int) -> dict[str, float]:
    """p50/p95 of webhook messages and of bare /model/parse, ``concurrency`` at a time."""
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    async with httpx.AsyncClient(timeout=120) as client:
        await _conversation(client, webhook, len(LATENCY_MESSAGES))  # warm-up
        runs = await asyncio.gather(
            *(_conversation(client, webhook, rounds) for _ in range(concurrency))
        )
        parses = await asyncio.gather(
            *(_parse(client, f"{stack.rasa_url}/model/parse", rounds) for _ in range(concurrency))
        )
    messages = [value for run in runs for value in run]
    parsed = [value for run in parses for value in run]
    return {
        "webhook_p50_ms": percentile(messages, 50),
        "webhook_p95_ms": percentile(messages, 95),
        "parse_p50_ms": percentile(parsed, 50),
        "parse_p95_ms": percentile(parsed, 95),
    }


def eval_rasa(
    folds: Annotated[int, typer.Option(help="Nombre de plis de la validation croisée.")] = 5,
    rounds: Annotated[int, typer.Option(help="Messages par conversation simulée.")] = 16,
    cv: Annotated[bool, typer.Option("--cv/--no-cv", help="Faire la validation croisée.")] = True,
    train: Annotated[
        bool, typer.Option("--train/--no-train", help="Chronométrer un entraînement.")
    ] = True,
    latency_run: Annotated[
        bool, typer.Option("--latency/--no-latency", help="Mesurer la latence.")
    ] = True,
    config: Annotated[
        Path, typer.Option(help="Configuration NLU à évaluer (expériences : un autre fichier).")
    ] = ROOT / "bot" / "config.yml",
    out: Annotated[Path, typer.Option(help="Dossier des rapports de validation croisée.")] = ROOT
    / "var"
    / "rasa"
    / "bench"
    / "cv",
    rasa_port: Annotated[int, typer.Option(help="Port du serveur Rasa du banc.")] = 25005,
    actions_port: Annotated[int, typer.Option(help="Port du serveur d'actions du banc.")] = 25055,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Mesurer l'assistant Rasa : F1 des intentions, temps d'entraînement, latence.

    La latence est mesurée sur le modèle entraîné (var/rasa/models/teletravail.tar.gz),
    sur des ports à part pour ne pas gêner les tests qui tournent en même temps.
    """
    results: dict[str, object] = {"config": str(config)}
    if cv:
        typer.echo("Validation croisée du NLU…", err=True)
        results["cross_validation"] = cross_validation(folds, config, out)
    if train:
        typer.echo("Entraînement complet chronométré…", err=True)
        results["training_seconds"] = training_seconds(config)
    if latency_run:
        typer.echo("Latence à travers le webhook REST…", err=True)
        stack = LocalStack(actions_port=actions_port, rasa_port=rasa_port, with_api=False)
        with stack:
            results["latency_1"] = asyncio.run(latency(stack, 1, rounds))
            results["latency_16"] = asyncio.run(latency(stack, 16, rounds))
    if as_json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
        return
    _print_results(results, folds)


def _print_results(results: dict[str, object], folds: int) -> None:
    scores = results.get("cross_validation")
    if isinstance(scores, dict):
        typer.echo(
            f"NLU, validation croisée {folds} plis : F1 macro des intentions "
            f"{scores['intent_macro_f1']:.3f} (exactitude {scores['intent_accuracy']:.3f}), "
            f"F1 des entités (DIET) macro {scores['entity_macro_f1']:.3f}, "
            f"micro {scores['entity_micro_f1']:.3f} ({scores['seconds']:.0f} s)"
        )
        weak = ", ".join(f"{name} {f1:.3f}" for name, f1 in scores["weak_intents"].items())
        typer.echo(f"Intentions sous 0.95 : {weak or 'aucune'}")
        fallback = scores["fallback_calibration"]
        typer.echo(
            f"Seuil de repli calibré : {fallback['threshold']:.2f} (acceptées à tort "
            f"{fallback['wrong_accepted_rate']:.1%}, envoyées au repli "
            f"{fallback['fallback_rate']:.1%})"
        )
    if "training_seconds" in results:
        typer.echo(f"Entraînement complet : {results['training_seconds']:.0f} s")
    for key, label in (("latency_1", "1 conversation"), ("latency_16", "16 conversations")):
        lat = results.get(key)
        if isinstance(lat, dict):
            typer.echo(
                f"{label} : webhook p50 {lat['webhook_p50_ms']:.0f} ms, p95 "
                f"{lat['webhook_p95_ms']:.0f} ms ; /model/parse p50 {lat['parse_p50_ms']:.0f} "
                f"ms, p95 {lat['parse_p95_ms']:.0f} ms"
            )


def register(eval_app: typer.Typer) -> None:
    """Attach ``eval rasa`` to the ``eval`` group."""
    eval_app.command("rasa")(eval_rasa)
