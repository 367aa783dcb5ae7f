"""``teletravail eval scenarios``: play whole conversations through Rasa's REST webhook.

Each scenario of the set is one conversation (a fresh sender id), sent turn by turn to
``/webhooks/rest/webhook`` the way the web page and Tchap do, on a stack of real processes
started for the run (or on ``--rasa-url``); :mod:`cli.scenario_judge` decides whether each
conversation reaches its goal.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer

from cli.scenario_judge import (
    SCENARIO_DIR,
    SCENARIO_SETS,
    ChannelError,
    Messages,
    ScenarioReport,
    Send,
    evaluate_scenarios,
    format_scenario_report,
    load_scenarios,
    report_as_dict,
    written_on,
)

CHAT_TIMEOUT_S = 60.0
# Ports of their own, so that a running ``make run`` (5005/5055) or the answer benchmark's
# stack (25005/25055) is left alone.
ACTIONS_PORT = 55055
RASA_PORT = 55005
# The sets ``--set`` accepts: the judge's (the holdout) and the development sets (dev, then
# dev2 to dev26 written later with new situations), tuned against while the holdout stays
# unseen.
SETS = {
    **SCENARIO_SETS,
    "dev": SCENARIO_DIR / "dev.yaml",
    "dev2": SCENARIO_DIR / "dev2.yaml",
    "dev3": SCENARIO_DIR / "dev3.yaml",
    "dev4": SCENARIO_DIR / "dev4.yaml",
    "dev5": SCENARIO_DIR / "dev5.yaml",
    "dev6": SCENARIO_DIR / "dev6.yaml",
    "dev7": SCENARIO_DIR / "dev7.yaml",
    "dev8": SCENARIO_DIR / "dev8.yaml",
    "dev9": SCENARIO_DIR / "dev9.yaml",
    "dev10": SCENARIO_DIR / "dev10.yaml",
    "dev11": SCENARIO_DIR / "dev11.yaml",
    "dev12": SCENARIO_DIR / "dev12.yaml",
    "dev13": SCENARIO_DIR / "dev13.yaml",
    "dev14": SCENARIO_DIR / "dev14.yaml",
    "dev15": SCENARIO_DIR / "dev15.yaml",
    "dev16": SCENARIO_DIR / "dev16.yaml",
    "dev17": SCENARIO_DIR / "dev17.yaml",
    "dev18": SCENARIO_DIR / "dev18.yaml",
    "dev19": SCENARIO_DIR / "dev19.yaml",
    "dev20": SCENARIO_DIR / "dev20.yaml",
    "dev21": SCENARIO_DIR / "dev21.yaml",
    "dev22": SCENARIO_DIR / "dev22.yaml",
    "dev23": SCENARIO_DIR / "dev23.yaml",
    "dev24": SCENARIO_DIR / "dev24.yaml",
    "dev25": SCENARIO_DIR / "dev25.yaml",
    "dev26": SCENARIO_DIR / "dev26.yaml",
}


def rest_channel(rasa_url: str) -> Send:
    """A ``send(sender, text)`` posting one message to the REST webhook."""
    import httpx

    client = httpx.Client(timeout=CHAT_TIMEOUT_S)

    def send(sender: str, text: str) -> Messages:
        try:
            response = client.post(
                f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )
        except httpx.HTTPError as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise ChannelError(response.text[:200], response.status_code)
        messages: Any = response.json()
        if not isinstance(messages, list):
            raise ChannelError(f"réponse inattendue : {str(messages)[:200]}", response.status_code)
        return messages

    return send


def eval_scenarios(
    scenario_set: Annotated[
        str,
        typer.Option(
            "--set",
            help="Jeu de scénarios (holdout : tenu à l'écart ; dev à dev21 : réglage).",
        ),
    ] = "holdout",
    rasa_url: Annotated[
        str,
        typer.Option("--rasa-url", help="Serveur Rasa déjà démarré (sinon la pile est lancée)."),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Jouer des conversations entières : part qui atteint son but, tours réussis, échecs."""
    if scenario_set not in SETS:
        typer.echo(f"Jeu inconnu : choisissez {' ou '.join(SETS)}.", err=True)
        raise typer.Exit(code=2)
    scenarios = load_scenarios(SETS[scenario_set])
    day = written_on(SETS[scenario_set])

    def progress(done: int) -> None:
        typer.echo(f"\r{done}/{len(scenarios)} scénarios", nl=False, err=True)

    def run(url: str) -> ScenarioReport:
        from cli.stack import wait_until_answering

        typer.echo("Attente du serveur d'actions…", err=True)
        wait_until_answering(url)
        return evaluate_scenarios(scenario_set, scenarios, rest_channel(url), progress)

    if rasa_url:
        if day is not None:
            typer.echo(
                f"Jeu écrit pour le {day:%d/%m/%Y} : le serveur d'actions doit avoir "
                f"TELETRAVAIL_REFERENCE_DATE={day.isoformat()} (dates relatives).",
                err=True,
            )
        report = run(rasa_url.rstrip("/"))
    else:
        from cli.stack import running_stack

        typer.echo("Démarrage de la pile (actions, Rasa)…", err=True)
        if day is not None:  # the action server counts « demain » from the set's day
            os.environ["TELETRAVAIL_REFERENCE_DATE"] = day.isoformat()
        with running_stack(ACTIONS_PORT, RASA_PORT) as stack:
            report = run(stack.rasa_url)
    typer.echo("", err=True)
    if as_json:
        typer.echo(json.dumps(report_as_dict(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_scenario_report(report))


def register(eval_app: typer.Typer) -> None:
    """Attach ``scenarios`` to ``teletravail eval``."""
    eval_app.command("scenarios")(eval_scenarios)
