"""``teletravail eval answers``: judge the reply the agent reads, through the API or the chat.

The ``api`` channel calls the answer engine that ``POST /api/ask`` serves (the route is a
thin wrapper around it); the ``chat`` channel sends each question as the first message of a
new conversation to Rasa's REST webhook, the way the web page and Tchap do, on a stack of
real processes started for the run (or on ``--rasa-url``).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any

import typer

from knowledge.answer_evaluation import (
    ANSWER_SETS,
    AnswerReport,
    CitedSource,
    Reply,
    evaluate_answers,
    format_answer_report,
    load_answer_questions,
)

CHANNELS = ("api", "chat")
CHAT_TIMEOUT_S = 60.0


def api_reply(question: str) -> Reply:
    """The engine's answer, as ``/api/ask`` returns it."""
    from knowledge.service import get_engine

    started = time.perf_counter()
    answer = get_engine().ask(question)
    latency = (time.perf_counter() - started) * 1000
    return Reply(
        text=answer.answer,
        sources=tuple(CitedSource(s.doc_id, s.excerpt) for s in answer.sources)
        if not answer.abstained
        else (),
        abstained=answer.abstained,
        latency_ms=latency,
    )


def chat_reply_from_messages(messages: list[dict[str, Any]], latency_ms: float) -> Reply:
    """What the agent reads in the chat: every message's text, and the cited sources."""
    texts: list[str] = []
    sources: list[CitedSource] = []
    abstained = fallback = False
    for message in messages:
        if message.get("text"):
            texts.append(str(message["text"]))
        custom = message.get("custom")
        if not isinstance(custom, dict):
            continue
        abstained = abstained or bool(custom.get("abstained"))
        fallback = fallback or bool(custom.get("fallback"))
        for source in custom.get("sources") or []:
            if isinstance(source, dict) and source.get("doc_id"):
                sources.append(CitedSource(str(source["doc_id"]), str(source.get("excerpt", ""))))
    return Reply("\n".join(texts), tuple(sources), abstained, fallback, latency_ms)


def chat_channel(rasa_url: str) -> Any:
    """A function asking one question in a fresh conversation through the REST webhook."""
    import httpx

    client = httpx.Client(timeout=CHAT_TIMEOUT_S)

    def ask(question: str) -> Reply:
        started = time.perf_counter()
        response = client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": f"eval-{uuid.uuid4().hex}", "message": question},
        )
        latency = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return chat_reply_from_messages(response.json(), latency)

    return ask


def eval_answers(
    channel: Annotated[str, typer.Option("--channel", help="api ou chat.")] = "api",
    question_set: Annotated[
        str,
        typer.Option("--set", help="dev, dev-extra, dev3 à dev11 (réglage), holdout (à l'écart)."),
    ] = "holdout",
    rasa_url: Annotated[
        str,
        typer.Option("--rasa-url", help="Serveur Rasa déjà démarré (sinon la pile est lancée)."),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Juger le texte que l'agent lit : faits et source, abstention, latence, échecs."""
    if channel not in CHANNELS:
        typer.echo("Canal inconnu : choisissez api ou chat.", err=True)
        raise typer.Exit(code=2)
    if question_set not in ANSWER_SETS:
        typer.echo(f"Jeu inconnu : choisissez {' ou '.join(ANSWER_SETS)}.", err=True)
        raise typer.Exit(code=2)
    questions = load_answer_questions(ANSWER_SETS[question_set])

    def progress(done: int) -> None:
        if not as_json:
            typer.echo(f"\r{done}/{len(questions)} questions", nl=False, err=True)

    if channel == "api":
        from cli.knowledge_commands import ensure_default_model
        from knowledge.config import get_settings
        from knowledge.service import get_engine

        ensure_default_model(get_settings())
        get_engine().ask("télétravail")  # load before timing
        report = evaluate_answers("api", questions, api_reply, progress)
    elif rasa_url:
        from cli.stack import wait_until_answering

        wait_until_answering(rasa_url)
        report = evaluate_answers("chat", questions, chat_channel(rasa_url), progress)
    else:
        from cli.stack import running_stack

        with running_stack(25055, 25005) as stack:
            report = evaluate_answers("chat", questions, chat_channel(stack.rasa_url), progress)
    if not as_json:
        typer.echo("", err=True)
    _emit(report, question_set, as_json)


def _emit(report: AnswerReport, set_name: str, as_json: bool) -> None:
    if not as_json:
        typer.echo(format_answer_report(report, set_name))
        return
    payload = {
        "channel": report.channel,
        "set": set_name,
        "figures": report.figures(),
        "failures": {
            name: [v.question.id for v in items]
            for name, items in report.failures_by_class().items()
        },
    }
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def eval_decision() -> None:
    """Décision répondre / s'abstenir, mesurée sur chaque jeu de développement.

    Le modèle est calibré sur les deux autres jeux et comparé à la règle faite à la main.
    """
    from cli.knowledge_commands import ensure_default_model
    from knowledge.config import get_settings
    from knowledge.decision import cross_set_decisions
    from knowledge.service import get_engine

    ensure_default_model(get_settings())
    typer.echo("décisions correctes : modèle calibré sur les autres jeux / règle")
    for name, (fitted, rule) in cross_set_decisions(get_engine()).items():
        typer.echo(f"  {name:10s} {fitted:.3f} / {rule:.3f}")


def register(eval_app: typer.Typer) -> None:
    """Attach ``answers`` and ``decision`` to ``teletravail eval``."""
    eval_app.command("answers")(eval_answers)
    eval_app.command("decision")(eval_decision)
