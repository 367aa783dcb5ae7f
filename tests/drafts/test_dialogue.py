"""The request conversation as plain Python: one message at a time, as the form sees it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from actions.draft_dialogue import interpret, next_question, summary, to_request
from actions.draft_values import parse_missions

pytestmark = pytest.mark.unit
TODAY = dt.date(2030, 6, 1)


class Conversation:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.skipped: list[str] = []
        self.asked: str | None = None
        self.said: list[str] = []

    def say(self, text: str, intent: str = "") -> str | None:
        turn = interpret(text, self.asked, self.values, self.skipped, intent=intent, today=TODAY)
        if turn.cancelled:
            self.values, self.skipped, self.asked = {}, [], None
            return "annulé"
        self.values.update(turn.updates)
        self.skipped += turn.skipped
        self.said = turn.messages
        self.asked = turn.ask
        return turn.ask


IDENTITY = [
    "Lefèvre",
    "Gaëlle",
    "Attachée d'administration",
    "DRAAF Occitanie, SRAL",
    "Chargée de mission",
    "Rédaction des plans, 60 %, 90 %, rédaction et relecture ; Réunions, 40 %, 50 %",
    "Moins de trajets, plus de concentration",
]


def test_several_values_in_the_first_message() -> None:
    chat = Conversation()
    assert chat.say("prépare ma demande, je suis à 80 % et je voudrais le mardi") == "nom"
    assert chat.values["quotite"] == 80 and chat.values["jours"] == ["mardi"]
    for answer in IDENTITY:
        chat.say(answer)
    assert chat.asked == "lieux"  # quotité and days were already given


def test_full_conversation_with_rules_skip_and_correction() -> None:
    chat = Conversation()
    chat.say("aide-moi à remplir ma demande")
    for answer in IDENTITY:
        chat.say(answer)
    assert chat.asked == "quotite"
    # Over the maximum, medical not answered yet: the medical question comes now.
    assert chat.say("80 %, le mardi, le mercredi et le jeudi") == "medical"
    assert "le maximum est de 2 jours par semaine" in " ".join(chat.said)
    # No medical « oui »: the maximum is said again and the days are asked again.
    assert chat.say("non") == "jours"
    assert "2 jours par semaine" in chat.said[0] and chat.values["jours"] is None
    assert chat.say("mardi et jeudi") == "lieux"
    assert chat.say("Domicile, 12 rue des Acacias, Toulouse") == "temps_trajet"
    assert chat.say("passer") == "date_debut"
    assert chat.say("15 mars 2031") == "connexion_internet"
    assert chat.values["date_debut"] == "2031-04-01"
    assert "1er avril 2031" in chat.said[0]
    assert chat.say("oui") == "chorus"  # medical already answered
    assert chat.say("corriger la quotité : 90 %") == "chorus"
    assert chat.values["quotite"] == 90
    assert chat.say("aller à la fin") == "confirmation"
    assert chat.say("non") == "confirmation"
    assert chat.say("corriger les jours") == "jours"
    assert chat.say("le lundi des semaines impaires") == "confirmation"
    assert chat.values["base"] == "mensuelle"
    assert "Jours télétravaillés : lundi – semaines impaires (base mensuelle)" in summary(
        chat.values
    )
    assert chat.say("oui") is None
    request = to_request(chat.values)
    assert request.nom == "Lefèvre" and request.quotite == 90
    assert request.missions[0].taches == "rédaction et relecture"
    assert request.medical is False and request.chorus is False and request.temps_trajet == ""


def test_medical_yes_allows_more_days_and_asks_adaptation() -> None:
    chat = Conversation()
    chat.say("remplis ma demande")
    for answer in IDENTITY:
        chat.say(answer)
    chat.say("80 %, lundi mardi jeudi")
    assert chat.say("oui") == "lieux"
    assert chat.values["jours"] == ["lundi", "mardi", "jeudi"]
    assert next_question(
        {
            **chat.values,
            "lieux": ["x"],
            "temps_trajet": "1 h",
            "date_debut": "2031-01-01",
            "connexion_internet": True,
        },
        [],
    ) == ("amenagement_poste")


def test_cancel_and_payloads() -> None:
    chat = Conversation()
    chat.say("prépare ma demande")
    chat.say("Lefèvre")
    assert chat.say("annuler") == "annulé"
    chat.say("prépare ma demande")
    assert chat.say("stop", intent="stop") == "annulé"
    # A free-text answer that contains a cancel word is still an answer.
    chat.say("prépare ma demande")
    for answer in IDENTITY[:6]:
        chat.say(answer)
    assert chat.say("je veux arrêter de perdre deux heures par jour dans le train") == "quotite"


def test_required_fields_cannot_be_skipped_and_bad_values_are_asked_again() -> None:
    chat = Conversation()
    chat.say("prépare ma demande")
    assert chat.say("passer") == "nom" and "nécessaire" in chat.said[0]
    assert chat.say("x" * 101) == "nom" and "100 caractères" in chat.said[0]
    for answer in IDENTITY[:5]:
        chat.say(answer)
    assert chat.say("de la rédaction") == "missions" and "poids" in chat.said[0]
    assert chat.say("Rédaction, 100 %, 150 %") == "missions"
    chat.say("Rédaction, 100 %, 80 %")
    chat.say("Motivé")
    assert chat.say("beaucoup") == "quotite" and "quotité" in chat.said[0]


def test_missions_parsing() -> None:
    assert parse_missions("Instruction des dossiers 100 % 70 %") == [
        {
            "intitule": "Instruction des dossiers",
            "poids": 100.0,
            "part_teletravaillable": 70.0,
            "taches": "",
        }
    ]
    assert parse_missions("Rédaction (80 %)")[0]["poids"] == 100.0


@pytest.mark.parametrize("text", ["ok on reprend", "D'accord, on continue !", "reprenons"])
def test_going_on_after_a_question_asks_the_same_question_again(text: str) -> None:
    chat = Conversation()
    chat.say("prépare ma demande")
    chat.say("Lefèvre")
    assert chat.say(text) == "prenom"
    assert chat.said == ["Reprenons."] and "prenom" not in chat.values
    assert chat.say("Gaëlle") == "corps"
