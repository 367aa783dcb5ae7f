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


def cross_validation(folds: int) -> dict[str, float]:
    """Intent and entity macro-F1 over ``folds`` folds of the NLU data."""
    with tempfile.TemporaryDirectory() as out:
        seconds = _rasa(
            "test",
            "nlu",
            "--config",
            "bot/config.yml",
            "--nlu",
            "data/nlu",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            out,
        )
        intents = json.loads((Path(out) / "intent_report.json").read_text("utf-8"))
        entity_file = Path(out) / "DIETClassifier_report.json"
        entities = json.loads(entity_file.read_text("utf-8")) if entity_file.exists() else {}
    return {
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "intent_accuracy": intents.get("accuracy", 0.0),
        "entity_macro_f1": entities.get("macro avg", {}).get("f1-score", float("nan")),
        "seconds": seconds,
    }


def training_seconds() -> float:
    """Time of a full training (forced) into a temporary folder."""
    with tempfile.TemporaryDirectory() as out:
        return _rasa(
            "train",
            "--config",
            "bot/config.yml",
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
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Mesurer l'assistant Rasa : F1 des intentions, temps d'entraînement, latence."""
    results: dict[str, object] = {}
    if cv:
        typer.echo("Validation croisée du NLU…", err=True)
        results["cross_validation"] = cross_validation(folds)
    if train:
        typer.echo("Entraînement complet chronométré…", err=True)
        results["training_seconds"] = training_seconds()
    typer.echo("Latence à travers le webhook REST…", err=True)
    with LocalStack(with_api=False) as stack:
        results["latency_1"] = asyncio.run(latency(stack, 1, rounds))
        results["latency_16"] = asyncio.run(latency(stack, 16, rounds))
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    scores = results.get("cross_validation")
    if isinstance(scores, dict):
        typer.echo(
            f"NLU, validation croisée {folds} plis : F1 macro des intentions "
            f"{scores['intent_macro_f1']:.3f} (exactitude {scores['intent_accuracy']:.3f}), "
            f"F1 macro des entités {scores['entity_macro_f1']:.3f}"
        )
    if "training_seconds" in results:
        typer.echo(f"Entraînement complet : {results['training_seconds']:.0f} s")
    for key, label in (("latency_1", "1 conversation"), ("latency_16", "16 conversations")):
        lat = results[key]
        assert isinstance(lat, dict)
        typer.echo(
            f"{label} : webhook p50 {lat['webhook_p50_ms']:.0f} ms, p95 "
            f"{lat['webhook_p95_ms']:.0f} ms ; /model/parse p50 {lat['parse_p50_ms']:.0f} ms, "
            f"p95 {lat['parse_p95_ms']:.0f} ms"
        )


def register(eval_app: typer.Typer) -> None:
    """Attach ``eval rasa`` to the ``eval`` group."""
    eval_app.command("rasa")(eval_rasa)
