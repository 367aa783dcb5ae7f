"""The manager's conversation as plain Python: link, accord or refus, then the details."""

from __future__ import annotations

from typing import Any

import pytest

from actions.draft_decision import interpret, parse_hours, to_decision

pytestmark = pytest.mark.unit
LINK = "http://localhost:8000/api/drafts/3F2B6C1E-8D4A-4B7E-9C1F-2A5D6E7F8A9B/annexe-1.pdf"


def run(*messages: str) -> tuple[dict[str, Any], str | None, list[str]]:
    values: dict[str, Any] = {}
    asked: str | None = None
    said: list[str] = []
    for index, message in enumerate(messages):
        turn = interpret(message, asked if index else None, values)
        values.update(turn.updates)
        asked, said = turn.ask, turn.messages
    return values, asked, said


def test_accord_from_the_first_message_to_the_decision() -> None:
    values, asked, _ = run(
        f"prépare l'accord pour {LINK}",
        "comme demandé",
        "3 mois",
        "9 h 30 - 12 h et 14 h à 16 h 30",
        "lundi, mercredi et vendredi",
    )
    assert asked is None
    assert values["draft_id"] == "3f2b6c1e-8d4a-4b7e-9c1f-2a5d6e7f8a9b"
    decision = to_decision(values)
    assert decision.decision == "accord" and decision.adaptation_mois == 3
    assert decision.date_debut is None  # the agent's date is kept
    assert [(p.debut.isoformat(), p.fin.isoformat()) for p in decision.plages_fixes] == [
        ("09:30:00", "12:00:00"),
        ("14:00:00", "16:30:00"),
    ]
    assert decision.jours_sur_site == ["lundi", "mercredi", "vendredi"]


def test_refusal_asks_motives_and_status() -> None:
    values, asked, _ = run("prépare la décision", LINK, "refus")
    assert asked == "motifs"
    values, asked, _ = run(
        "prépare la décision", LINK, "refus", "Accueil du public à temps plein.", "contractuel"
    )
    decision = to_decision(values)
    assert (decision.decision, decision.statut) == ("refus", "contractuel")
    assert decision.motifs == "Accueil du public à temps plein."


def test_unreadable_answers_are_asked_again() -> None:
    _, asked, said = run("prépare la décision", "je ne sais pas")
    assert asked == "draft_id" and "lien" in said[0]
    _, asked, said = run("prépare la décision", LINK, "accord", "bientôt")
    assert asked == "start" and "comme demandé" in said[0]


def test_parse_hours() -> None:
    assert parse_hours("de 9h à 12h30") == [{"debut": "09:00", "fin": "12:30"}]
    assert parse_hours("aucune idée") == []
