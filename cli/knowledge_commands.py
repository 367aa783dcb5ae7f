"""Sub-commands over the knowledge base: ``index``, ``ask`` and ``eval retrieval``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from knowledge.config import DEFAULT_MODEL_DIR, KnowledgeSettings, get_settings

if TYPE_CHECKING:
    from knowledge.evaluation import EvalReport

eval_app = typer.Typer(help="Mesures de qualité et de vitesse.", no_args_is_help=True)


def ensure_default_model(settings: KnowledgeSettings) -> None:
    """Build the offline e5 folder and its ONNX question encoder for the default model."""
    if Path(settings.embedding_model) == DEFAULT_MODEL_DIR:
        from knowledge.embedding.e5_export import build_e5_folder
        from knowledge.embedding.onnx_export import build_onnx

        build_e5_folder(DEFAULT_MODEL_DIR)
        build_onnx(DEFAULT_MODEL_DIR)


def index(
    force: Annotated[
        bool, typer.Option("--force", help="Reconstruire même si rien n'a changé.")
    ] = False,
) -> None:
    """Construire l'index des textes (seulement si une source ou le modèle a changé)."""
    from knowledge.dense import load_embedder
    from knowledge.index import build_index, ensure_index, load_index

    settings = get_settings()
    ensure_default_model(settings)
    started = time.perf_counter()
    if force:
        built = build_index(settings, load_embedder(settings.embedding_model))
        rebuilt = True
    else:
        built, rebuilt = ensure_index(settings, lambda: load_embedder(settings.embedding_model))
    elapsed = time.perf_counter() - started
    state = "reconstruit" if rebuilt else "à jour, rien à reconstruire"
    typer.echo(
        f"Index {state} : {len(built.documents)} textes, {len(built.chunks)} passages "
        f"({elapsed:.1f} s) dans {settings.index_dir}."
    )
    started = time.perf_counter()
    load_index(settings)
    typer.echo(f"Chargement de l'index : {(time.perf_counter() - started) * 1000:.0f} ms.")
    from knowledge.decision import current_decision
    from knowledge.service import build_engine

    started = time.perf_counter()
    # Fitted once per index: an up-to-date model costs no engine (model, index) loading.
    decision = current_decision(settings.index_dir) or build_engine(settings).decision
    if decision is not None:
        typer.echo(
            f"Décision répondre / s'abstenir : {decision.training_questions} questions de "
            f"développement ({time.perf_counter() - started:.1f} s)."
        )


def ask(
    question: Annotated[str, typer.Argument(help="La question, en français.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON (contrat de /api/ask).")
    ] = False,
) -> None:
    """Poser une question : réponse extraite des textes, avec ses sources."""
    from knowledge.analysis import sanitize_text
    from knowledge.service import get_engine

    cleaned = sanitize_text(question).strip()
    if not cleaned or len(cleaned) > 2000:
        typer.echo("La question doit faire entre 1 et 2 000 caractères.", err=True)
        raise typer.Exit(code=2)
    ensure_default_model(get_settings())
    result = get_engine().ask(cleaned)
    if as_json:
        payload = {
            "answer": result.answer,
            "abstained": result.abstained,
            "sources": [source.model_dump() for source in result.sources],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(result.answer)
    if not result.abstained:
        for source in result.sources:
            typer.echo(f"\nSource : {source.title} ({source.date}), {source.section}.")


@eval_app.command("retrieval")
def eval_retrieval(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    question_set: Annotated[
        str,
        typer.Option(
            "--set",
            help="Jeu mesuré : dev (réglage), holdout (tenu à l'écart) ou all (les deux).",
        ),
    ] = "all",
) -> None:
    """Mesurer la recherche (BM25, dense, hybride), les faits, l'abstention et la latence."""
    from knowledge.evaluation import QUESTION_SETS, evaluate, format_report, load_questions
    from knowledge.service import get_engine

    names = list(QUESTION_SETS) if question_set == "all" else [question_set]
    if any(name not in QUESTION_SETS for name in names):
        typer.echo("Jeu inconnu : choisissez dev, holdout ou all.", err=True)
        raise typer.Exit(code=2)
    ensure_default_model(get_settings())
    engine = get_engine()
    payloads: dict[str, object] = {}
    for name in names:
        report = evaluate(engine, load_questions(QUESTION_SETS[name]))
        if as_json:
            payloads[name] = _report_payload(report)
        else:
            typer.echo(f"=== jeu {name} ({QUESTION_SETS[name].name}) ===")
            typer.echo(format_report(report))
            typer.echo("")
    if as_json:
        typer.echo(json.dumps(payloads, indent=2))


def _report_payload(report: EvalReport) -> dict[str, object]:
    """The figures of one question set, for ``--json``."""
    from knowledge.evaluation import percentile

    return {
        method: {
            "hit@1": r.hit_at(1),
            "hit@3": r.hit_at(3),
            "mrr": r.mrr,
            "fact_accuracy": r.fact_accuracy,
            "latency_p50_ms": percentile(r.latencies_ms, 50),
            "latency_p95_ms": percentile(r.latencies_ms, 95),
        }
        for method, r in report.methods.items()
    } | {"abstention": report.abstention(), "threshold": report.threshold}


def register(app: typer.Typer) -> None:
    """Attach these commands to the ``teletravail`` application."""
    from cli import answers_commands, bench_commands, scenario_commands

    bench_commands.register(eval_app)
    answers_commands.register(eval_app)
    scenario_commands.register(eval_app)
    app.command("index")(index)
    app.command("ask")(ask)
    app.add_typer(eval_app, name="eval")
