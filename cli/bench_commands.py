"""``teletravail eval rasa``: the assistant's benchmark (NLU F1, training time, latency).

Measured, not asserted: machines are noisy, so figures are printed with the command that
produced them and copied to ``docs/rasa.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import httpx
import typer
import yaml

from cli.stack import RASA_MODEL, ROOT, LocalStack
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
READY_QUESTION = LATENCY_MESSAGES[2]  # answered from the texts, with its sources
# Capacity target of issue 14, at 16 conversations without think time.
TARGET_MESSAGES_PER_S = 40.0
TARGET_SATURATED_P95_MS = 500.0
REDIS_SERVER = "redis-server"


@dataclass
class BenchStack(LocalStack):
    """The test stack, with a chosen Rasa model and, if asked, several Rasa processes.

    Rasa starts as ``make run`` starts it: through ``ops.rasa_server`` (log redaction, the
    speed-ups of ``ops/rasa_speedups.py``), with a token for its HTTP API. ``rasa_workers``
    > 1 starts Rasa with ``SANIC_WORKERS`` and Rasa's Redis lock store (the in-memory one
    refuses several workers), on a ``redis-server`` of its own started on ``redis_port``;
    the conversations stay in the stack's SQLite tracker store.
    """

    model: Path = RASA_MODEL
    rasa_workers: int = 1
    redis_port: int = 26379
    auth_token: str | None = field(default_factory=lambda: secrets.token_hex(16))

    def services(self) -> list[str]:
        """Names of the processes started, in order."""
        return [name for name, _ in self._processes]

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        if name == "rasa":
            command = [str(self.model) if part == str(RASA_MODEL) else part for part in command]
            command = _through_entry_point(command)
            env = {**(env or {}), "RASA_AUTH_TOKEN": self.auth_token or ""}
            if self.rasa_workers > 1:
                self._start_redis()
                endpoints = self.log_dir / "endpoints.yml"
                settings = yaml.safe_load(endpoints.read_text("utf-8"))
                settings["lock_store"] = {
                    "type": "redis",
                    "url": "127.0.0.1",
                    "port": self.redis_port,
                    "db": 1,
                    "key_prefix": "bench",
                }
                endpoints.write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
                env = {**(env or {}), "SANIC_WORKERS": str(self.rasa_workers)}
        super()._spawn(name, command, env)

    def _start_redis(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.log_dir)]
        super()._spawn("redis", command)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.redis_port), "ping"],
                capture_output=True,
                text=True,
                check=False,
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.2)
        raise RuntimeError(f"redis-server ne répond pas sur le port {self.redis_port}")


def _through_entry_point(command: list[str]) -> list[str]:
    """``rasa run … --auth-token T`` as ``python -m ops.rasa_server run …`` (token from env)."""
    if "--auth-token" in command:
        at = command.index("--auth-token")
        command = command[:at] + command[at + 2 :]
    return [str(ROOT / ".venv-rasa/bin/python"), "-m", "ops.rasa_server", *command[1:]]


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


# The realistic load: 16 conversations open at once, each simulated user waiting before every
# message (the first too) a think time drawn uniformly in this range, seeded. One to three
# seconds is well below the time a person takes to read an answer and type the next question:
# a conservative, busier-than-real pace.
THINK_SECONDS = (1.0, 3.0)
THINK_SEED = 42
TARGET_P95_MS = 250.0


def think_times(conversation: int, rounds: int, seed: int = THINK_SEED) -> list[float]:
    """Seconds the simulated user of ``conversation`` waits before each of its messages."""
    rng = random.Random(seed * 1000 + conversation)
    return [rng.uniform(*THINK_SECONDS) for _ in range(rounds)]


async def _timed_posts(
    client: httpx.AsyncClient, url: str, bodies: list[dict[str, str]], pauses: list[float] | None
) -> list[float]:
    """Post ``bodies`` one after the other (after each pause, if any); milliseconds each."""
    latencies = []
    for index, body in enumerate(bodies):
        if pauses:
            await asyncio.sleep(pauses[index])
        started = time.perf_counter()
        response = await client.post(url, json=body)
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _messages(rounds: int) -> list[str]:
    return [LATENCY_MESSAGES[index % len(LATENCY_MESSAGES)] for index in range(rounds)]


async def _conversation(
    client: httpx.AsyncClient, url: str, rounds: int, pauses: list[float] | None = None
) -> list[float]:
    """One user's messages through the webhook (a new conversation each time)."""
    sender = uuid.uuid4().hex
    bodies = [{"sender": sender, "message": text} for text in _messages(rounds)]
    return await _timed_posts(client, url, bodies, pauses)


async def _parse(
    client: httpx.AsyncClient, url: str, rounds: int, pauses: list[float] | None = None
) -> list[float]:
    """The same texts through bare ``/model/parse`` (NLU only, no dialogue, no action)."""
    return await _timed_posts(client, url, [{"text": text} for text in _messages(rounds)], pauses)


def _load() -> float:
    """The machine's 1-minute load average (what competes with the servers for the cores)."""
    return os.getloadavg()[0]


async def latency(
    stack: BenchStack, concurrency: int, rounds: int, paced: bool = False
) -> dict[str, float]:
    """p50/p95 of webhook messages and of bare /model/parse, ``concurrency`` at a time.

    ``paced``: each conversation waits :func:`think_times` before every message; otherwise
    it sends the next one as soon as the answer arrives (saturation). Also the CPU time the
    Rasa and action servers spend per message (robust to other work on the machine, unlike
    wall time), the throughput (messages answered per second of the phase) and the load
    average at the start and end of each phase.
    """
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    pauses = [think_times(i, rounds) if paced else None for i in range(concurrency)]
    count = concurrency * rounds
    async with httpx.AsyncClient(timeout=120) as client:
        load_start = _load()
        rasa_cpu, actions_cpu = stack.cpu_seconds("rasa"), stack.cpu_seconds("actions")
        redis_cpu = _redis_cpu(stack)
        started = time.perf_counter()
        runs = await asyncio.gather(
            *(_conversation(client, webhook, rounds, pauses[i]) for i in range(concurrency))
        )
        webhook_seconds = time.perf_counter() - started
        redis_cpu = _redis_cpu(stack) - redis_cpu
        rasa_cpu, actions_cpu = (
            stack.cpu_seconds("rasa") - rasa_cpu,
            stack.cpu_seconds("actions") - actions_cpu,
        )
        load_webhook = _load()
        parse_cpu = stack.cpu_seconds("rasa")
        started = time.perf_counter()
        parses = await asyncio.gather(
            *(
                _parse(
                    client,
                    f"{stack.rasa_url}/model/parse?token={stack.auth_token}",
                    rounds,
                    pauses[i],
                )
                for i in range(concurrency)
            )
        )
        parse_seconds = time.perf_counter() - started
        parse_cpu = stack.cpu_seconds("rasa") - parse_cpu
    messages = [value for run in runs for value in run]
    parsed = [value for run in parses for value in run]
    return {
        "webhook_p50_ms": percentile(messages, 50),
        "webhook_p95_ms": percentile(messages, 95),
        "parse_p50_ms": percentile(parsed, 50),
        "parse_p95_ms": percentile(parsed, 95),
        "webhook_messages_per_s": count / webhook_seconds,
        "parse_messages_per_s": count / parse_seconds,
        "rasa_cpu_ms_per_message": rasa_cpu * 1000 / count,
        "actions_cpu_ms_per_message": actions_cpu * 1000 / count,
        "parse_cpu_ms_per_message": parse_cpu * 1000 / count,
        "redis_cpu_ms_per_message": redis_cpu * 1000 / count,
        "load_start": load_start,
        "load_after_webhook": load_webhook,
        "load_end": _load(),
    }


def _redis_cpu(stack: BenchStack) -> float:
    return stack.cpu_seconds("redis") if "redis" in stack.services() else 0.0


async def _wait_for_retrieval(client: httpx.AsyncClient, url: str, timeout: float) -> None:
    """Ask until an answer carries its sources, so that no phase measures a loading engine.

    The action server answers /health at once, then loads its engine in the background, and
    rebuilds the index first when its inputs changed (minutes on a busy machine).
    """
    deadline = time.monotonic() + timeout
    while True:
        body = {"sender": uuid.uuid4().hex, "message": READY_QUESTION}
        response = await client.post(url, json=body)
        response.raise_for_status()
        if any((message.get("custom") or {}).get("sources") for message in response.json()):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Le serveur d'actions ne répond pas depuis les textes ({url}).")
        await asyncio.sleep(5)


async def latency_report(stack: BenchStack, rounds: int) -> dict[str, dict[str, float]]:
    """The three measurements, once retrieval answers and after a warm-up conversation."""
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    async with httpx.AsyncClient(timeout=120) as client:
        await _wait_for_retrieval(client, webhook, timeout=900)
        await _conversation(client, webhook, len(LATENCY_MESSAGES))
    return {
        "latency_1": await latency(stack, 1, rounds),
        "latency_16_paced": await latency(stack, 16, rounds, paced=True),
        "latency_16_saturated": await latency(stack, 16, rounds),
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
    model: Annotated[Path, typer.Option(help="Modèle Rasa mesuré.")] = RASA_MODEL,
    rasa_workers: Annotated[
        int,
        typer.Option(help="Processus Rasa (SANIC_WORKERS) ; au-delà de 1, verrou Redis du banc."),
    ] = 1,
    redis_port: Annotated[int, typer.Option(help="Port du redis-server du banc.")] = 26379,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Mesurer l'assistant Rasa : F1 des intentions, temps d'entraînement, latence.

    La latence est mesurée sur le modèle entraîné (var/rasa/models/teletravail.tar.gz),
    sur des ports à part pour ne pas gêner les tests qui tournent en même temps, sous trois
    charges : 1 conversation ; 16 conversations dont chaque utilisateur attend 1 à 3 s avant
    chaque message (usage réaliste) ; 16 requêtes simultanées sans attente (saturation). Pour
    chacune : débit, temps CPU par message des serveurs Rasa et d'actions (et de Redis), et
    charge de la machine. ``--rasa-workers 2`` : deux processus Rasa et un verrou Redis.
    """
    results: dict[str, object] = {"config": str(config), "model": str(model)}
    if cv:
        typer.echo("Validation croisée du NLU…", err=True)
        results["cross_validation"] = cross_validation(folds, config, out)
    if train:
        typer.echo("Entraînement complet chronométré…", err=True)
        results["training_seconds"] = training_seconds(config)
    if latency_run:
        typer.echo("Latence à travers le webhook REST…", err=True)
        stack = BenchStack(
            actions_port=actions_port,
            rasa_port=rasa_port,
            with_api=False,
            model=model,
            rasa_workers=rasa_workers,
            redis_port=redis_port,
        )
        results["rasa_workers"] = rasa_workers
        with stack:
            results.update(asyncio.run(latency_report(stack, rounds)))
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
    _print_latency(results)


LATENCY_LABELS = {
    "latency_1": "1 conversation, messages enchaînés",
    "latency_16_paced": (
        f"16 conversations ouvertes, chaque utilisateur attend {THINK_SECONDS[0]:.0f} à "
        f"{THINK_SECONDS[1]:.0f} s avant chaque message (tirage uniforme, graine {THINK_SEED})"
    ),
    "latency_16_saturated": "saturation : 16 requêtes simultanées sans temps de réflexion",
}


def _verdict(p95_ms: float) -> str:
    reached = "atteinte" if p95_ms <= TARGET_P95_MS else "NON ATTEINTE"
    return f"cible p95 ≤ {TARGET_P95_MS:.0f} ms {reached}"


def _capacity_verdict(lat: dict[str, float]) -> str:
    rate = lat.get("webhook_messages_per_s", 0.0)
    met = rate >= TARGET_MESSAGES_PER_S and lat["webhook_p95_ms"] <= TARGET_SATURATED_P95_MS
    return (
        f"capacité ≥ {TARGET_MESSAGES_PER_S:.0f} messages/s avec p95 ≤ "
        f"{TARGET_SATURATED_P95_MS:.0f} ms {'atteinte' if met else 'NON ATTEINTE'}"
    )


def _print_latency(results: dict[str, object]) -> None:
    """One paragraph per load: wall latency, verdict at 16, CPU per message, load average."""
    shown = [key for key in LATENCY_LABELS if isinstance(results.get(key), dict)]
    if not shown:
        return
    typer.echo(
        f"Latence à travers le webhook REST ({os.cpu_count()} cœurs ; cible : p95 ≤ "
        f"{TARGET_P95_MS:.0f} ms à 16 conversations ; /model/parse = NLU seul, même rythme) :"
    )
    loads: list[float] = []
    for key in shown:
        lat = results[key]
        assert isinstance(lat, dict)
        loads += [lat["load_start"], lat["load_after_webhook"], lat["load_end"]]
        verdict = f" → {_verdict(lat['webhook_p95_ms'])}" if key != "latency_1" else ""
        if key == "latency_16_saturated":
            verdict += f" ; {_capacity_verdict(lat)}"
        redis = lat.get("redis_cpu_ms_per_message", 0.0)
        typer.echo(
            f"- {LATENCY_LABELS[key]} : webhook p50 {lat['webhook_p50_ms']:.0f} ms, p95 "
            f"{lat['webhook_p95_ms']:.0f} ms{verdict} ; débit "
            f"{lat.get('webhook_messages_per_s', float('nan')):.1f} messages/s ; /model/parse p50 "
            f"{lat['parse_p50_ms']:.0f} ms, p95 {lat['parse_p95_ms']:.0f} ms\n"
            f"  temps CPU par message : Rasa {lat['rasa_cpu_ms_per_message']:.0f} ms (dont "
            f"analyse NLU ~{lat['parse_cpu_ms_per_message']:.0f} ms), serveur d'actions "
            f"{lat['actions_cpu_ms_per_message']:.0f} ms"
            f"{f', Redis {redis:.1f} ms' if redis else ''} ; charge moyenne (1 min) "
            f"{lat['load_start']:.1f} → {lat['load_after_webhook']:.1f} (webhook) → "
            f"{lat['load_end']:.1f} (/model/parse)"
        )
    peak = max(loads)
    typer.echo(
        f"Charge moyenne la plus haute : {peak:.1f} pour {os.cpu_count()} cœurs. Le banc en "
        "ajoute lui-même ~1 ; au-delà, d'autres travaux partagent les cœurs et allongent les "
        "temps réels (le CPU par message en dépend peu)."
    )


def register(eval_app: typer.Typer) -> None:
    """Attach ``eval rasa`` to the ``eval`` group."""
    eval_app.command("rasa")(eval_rasa)
