"""Each question of the request keeps only a value of its shape, and asks again with an example.

Issue 11, « Forms validate what they keep »: « le mardi et le jeudi » answered to the start
date became a date, and a sentence about the service was kept as the travel time.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from actions import draft_decision
from actions.draft_dialogue import Turn, interpret
from actions.draft_values import parse_duration, read_quotite, read_start

pytestmark = pytest.mark.unit
TODAY = dt.date(2030, 6, 1)
# The answers before the question asked (quotité 80 %, Tuesday and Thursday already chosen).
BEFORE: dict[str, Any] = {
    "nom": "Lefèvre",
    "prenom": "Gaëlle",
    "corps": "Attachée",
    "affectation": "DRAAF Occitanie",
    "poste": "Chargée de mission",
    "missions": [{"intitule": "Rédaction", "poids": 100, "part_teletravaillable": 80}],
    "motivations": "Moins de trajets",
    "quotite": 80.0,
    "jours": ["mardi", "jeudi"],
    "base": "hebdomadaire",
    "motif_mensuel": "",
    "lieux": ["Domicile"],
    "temps_trajet": "45 minutes",
}
EXAMPLE = re.compile(r"par exemple « [^»]+ »")


def answer(requested: str, text: str, **values: Any) -> Turn:
    return interpret(text, requested, {**BEFORE, **values}, [], today=TODAY)


def assert_asked_again_with_example(turn: Turn, requested: str) -> None:
    assert turn.ask == requested
    assert requested not in turn.updates or turn.updates[requested] is None
    said = " ".join(turn.messages)
    assert EXAMPLE.search(said), said


# --- Start date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "le mardi et le jeudi",  # the observed failure: weekdays are not a date
        "mardi",
        "lundi prochain",
        "dès que possible",
        "le 15",  # a day without its month
        "2031",  # a year alone
        "31/02/2031",  # a date that does not exist
        "Je suis au service régional de l'alimentation",
    ],
)
def test_a_start_date_without_a_real_date_is_asked_again(text: str) -> None:
    turn = answer("date_debut", text)
    assert_asked_again_with_example(turn, "date_debut")
    assert "date_debut" not in turn.updates
    assert "« 1er juillet 2030 », « 01/07/2030 »" in turn.messages[-1]  # from today


def test_weekdays_given_to_the_date_question_do_not_change_the_days_silently() -> None:
    same = answer("date_debut", "le mardi et le jeudi")
    assert not any("noté" in message for message in same.messages)
    other = answer("date_debut", "le lundi et le mardi")
    assert other.updates["jours"] == ["lundi", "mardi"]
    assert other.messages[0].startswith("J'ai aussi noté — jours télétravaillés : lundi, mardi")
    assert other.ask == "date_debut"


def test_a_past_start_date_is_refused_with_an_example() -> None:
    turn = answer("date_debut", "1er mars 2020")
    assert_asked_again_with_example(turn, "date_debut")
    assert "déjà passée" in turn.messages[0]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("1er mars 2031", "2031-03-01"),
        ("le premier mars 2031", "2031-03-01"),
        ("01/03/2031", "2031-03-01"),
        ("1/3/31", "2031-03-01"),
        ("2031-03-01", "2031-03-01"),
        ("mars 2031", "2031-03-01"),
        ("en septembre 2030", "2030-09-01"),
        ("1er mars", "2031-03-01"),  # the next one to come
        ("septembre", "2030-09-01"),
        ("début octobre", "2030-10-01"),
        ("le mois prochain", "2030-07-01"),
        ("au 1er du mois prochain", "2030-07-01"),
        ("dans deux mois", "2030-08-01"),
        ("je voudrais commencer le 1er mars 2031 si possible", "2031-03-01"),
        ("à partir du 1er janv. 2031, le mardi et le jeudi", "2031-01-01"),
    ],
)
def test_a_start_date_on_a_first_is_kept_as_given(text: str, kept: str) -> None:
    turn = answer("date_debut", text)
    assert turn.updates["date_debut"] == kept
    assert turn.ask == "connexion_internet" and turn.messages == []


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("15 mars 2031", "2031-04-01"),
        ("fin mars 2031", "2031-04-01"),
        ("mi-mars 2031", "2031-04-01"),
        ("dans 3 semaines", "2030-07-01"),
    ],
)
def test_a_start_date_within_a_month_becomes_the_next_first_and_is_said(
    text: str, kept: str
) -> None:
    turn = answer("date_debut", text)
    assert turn.updates["date_debut"] == kept
    assert "commence le 1er jour d'un mois" in turn.messages[0]


def test_a_date_in_an_answer_to_another_question_is_noted_and_said() -> None:
    turn = answer("jours", "mardi et jeudi à partir du 1er mars 2031")
    assert turn.updates["date_debut"] == "2031-03-01"
    assert turn.messages == ["J'ai aussi noté — date de début : samedi 1er mars 2031."]


def test_two_start_dates_are_asked_again() -> None:
    turn = answer("date_debut", "le 1er mars ou le 1er avril 2031")
    assert_asked_again_with_example(turn, "date_debut")
    assert "plusieurs dates (1er mars 2031 ou 1er avril 2031)" in turn.messages[0]


def test_fractions_are_not_dates_in_the_first_message() -> None:
    turn = interpret(
        "prépare ma demande, je suis à 4/5 avec 3/4 d'heure de trajet", None, {}, [], today=TODAY
    )
    assert turn.updates == {"quotite": 80.0}


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("le mardi et le jeudi", None),
        ("je", None),
        ("4/5", dt.date(2031, 5, 4)),  # a date only when the question asks for one
        ("1er mars 2031", dt.date(2031, 3, 1)),
        ("fin février 2031", dt.date(2031, 2, 28)),
        ("demain", dt.date(2030, 6, 2)),
    ],
)
def test_read_date(text: str, day: dt.date | None) -> None:
    assert read_start(text, TODAY).date == day


def test_numeric_dates_need_their_year_outside_the_date_question() -> None:
    assert read_start("4/5", TODAY, loose=False).date is None
    assert read_start("le 04/05/2031", TODAY, loose=False).date == dt.date(2031, 5, 4)


# --- Travel time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Je travaille au service des contrôles, bureau 204",  # the observed failure
        "c'est loin",
        "en train",
        "vers 8 h",  # a time of day, not a duration
    ],
)
def test_a_travel_time_without_a_duration_is_asked_again(text: str) -> None:
    turn = answer("temps_trajet", text, temps_trajet=None)
    assert_asked_again_with_example(turn, "temps_trajet")
    assert "« passer »" in turn.messages[0]


def test_a_travel_time_out_of_bounds_is_refused_with_an_example() -> None:
    turn = answer("temps_trajet", "12 heures", temps_trajet=None)
    assert_asked_again_with_example(turn, "temps_trajet")
    assert "5 heures" in turn.messages[0]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("45 minutes", "45 minutes"),
        ("45 min", "45 minutes"),
        ("45mn", "45 minutes"),
        ("environ 40 minutes en train", "40 minutes"),
        ("quarante-cinq minutes", "45 minutes"),
        ("1 h 15", "1 h 15"),
        ("1h", "1 h"),
        ("1h30", "1 h 30"),
        ("1 heure 05", "1 h 05"),
        ("1 h et quart", "1 h 15"),
        ("une heure et demie", "1 h 30"),
        ("2 heures", "2 h"),
        ("1,5 h", "1 h 30"),
        ("3/4 d'heure", "45 minutes"),
        ("trois quarts d’heure", "45 minutes"),
        ("une demi-heure", "30 minutes"),
        ("un quart d'heure", "15 minutes"),
        ("1 h 15 aller-retour", "1 h 15 aller-retour"),
    ],
)
def test_a_travel_time_is_kept_as_a_duration(text: str, kept: str) -> None:
    turn = answer("temps_trajet", text, temps_trajet=None)
    assert turn.updates == {"temps_trajet": kept}
    assert turn.ask == "date_debut" and turn.messages == []


def test_the_travel_time_can_be_skipped() -> None:
    turn = answer("temps_trajet", "passer", temps_trajet=None)
    assert turn.skipped == ["temps_trajet"] and turn.ask == "date_debut"


def test_parse_duration_reads_minutes() -> None:
    assert parse_duration("1 h et 15 minutes") == 75
    assert parse_duration("le service de la DRAAF") is None


# --- The other fields -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["je travaille 35 heures", "beaucoup", "temps partiel", "150 %"])
def test_a_quotite_without_a_percentage_is_asked_again(text: str) -> None:
    turn = answer("quotite", text, quotite=None, jours=None)
    assert_asked_again_with_example(turn, "quotite")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("80 %", 80.0),
        ("80", 80.0),
        ("je suis à 80, le mardi", 80.0),
        ("4/5", 80.0),
        ("4 jours sur 5", 80.0),
        ("temps plein", 100.0),
        ("mi-temps", 50.0),
        ("90,5 %", 90.5),
    ],
)
def test_a_quotite_is_kept(text: str, kept: float) -> None:
    turn = answer("quotite", text, quotite=None, jours=None)
    assert turn.updates["quotite"] == kept


@pytest.mark.parametrize("text", ["deux jours", "le week-end", "samedi"])
def test_days_without_a_weekday_are_asked_again(text: str) -> None:
    assert_asked_again_with_example(answer("jours", text, jours=None), "jours")


def test_more_than_three_places_are_refused_instead_of_cut() -> None:
    turn = answer("lieux", "Domicile ; Tiers-lieu ; Médiathèque ; Résidence secondaire", lieux=None)
    assert_asked_again_with_example(turn, "lieux")
    assert "3 lieux au plus" in turn.messages[0]
    kept = answer("lieux", "Domicile ; Tiers-lieu de Blagnac", lieux=None)
    assert kept.updates["lieux"] == ["Domicile", "Tiers-lieu de Blagnac"]


@pytest.mark.parametrize(
    "requested", ["connexion_internet", "medical", "chorus", "amenagement_poste"]
)
def test_yes_no_questions_keep_only_a_yes_or_a_no(requested: str) -> None:
    turn = answer(requested, "la fibre, je crois", medical=True)
    assert turn.ask == requested and requested not in turn.updates
    assert "« oui »" in turn.messages[0] and "« non »" in turn.messages[0]
    assert answer(requested, "oui bien sûr", medical=True).updates[requested] is True


def test_an_email_without_an_address_is_asked_again_with_an_example() -> None:
    turn = answer("email", "mon adresse professionnelle", chorus=True)
    assert_asked_again_with_example(turn, "email")
    kept = answer("email", "c'est gaelle.lefevre@agriculture.gouv.fr", chorus=True)
    assert kept.updates["email"] == "gaelle.lefevre@agriculture.gouv.fr"


def test_free_texts_stay_free_within_their_limits() -> None:
    assert answer("poste", "Je suis au service des contrôles").updates["poste"] == (
        "Je suis au service des contrôles"
    )
    too_long = answer("nom", "x" * 101, nom=None)
    assert too_long.ask == "nom" and "100 caractères" in too_long.messages[0]


def test_a_correction_with_a_bad_value_says_why_and_asks_again() -> None:
    done = {"date_debut": "2031-03-01", "temps_trajet": "45 minutes", "connexion_internet": True}
    turn = answer("confirmation", "corriger la date : le mardi", **done)
    assert_asked_again_with_example(turn, "date_debut")
    turn = answer("confirmation", "corriger le temps de trajet : au service", **done)
    assert_asked_again_with_example(turn, "temps_trajet")
    turn = answer("confirmation", "corriger la quotité : 150 %", **done)
    assert_asked_again_with_example(turn, "quotite")
    turn = answer("confirmation", "corriger le temps de trajet : 50 minutes", **done)
    assert turn.updates["temps_trajet"] == "50 minutes"
    assert turn.messages == ["C'est corrigé (temps de trajet)."]


# --- The manager's start date -----------------------------------------------------------


def test_the_managers_start_date_is_a_real_date_or_as_asked() -> None:
    values = {"draft_id": "3f2b6c1e-8d4a-4b7e-9c1f-2a5d6e7f8a9b", "kind": "accord"}
    turn = draft_decision.interpret("le mardi", "start", values, TODAY)
    assert turn.ask == "start" and EXAMPLE.search(turn.messages[0])
    turn = draft_decision.interpret("au 1er septembre 2030", "start", values, TODAY)
    assert turn.updates["start"] == "2030-09-01"
    assert draft_decision.interpret("comme demandé", "start", values, TODAY).updates == {
        "start": ""
    }


# --- Free texts ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2.", "oui", "ok merci", "😀"])
def test_a_name_needs_words_not_a_choice_or_a_yes(text: str) -> None:
    turn = answer("nom", text, nom=None)
    assert turn.ask == "nom"
    assert "nom" not in turn.updates
    assert turn.messages and "Je n'ai pas pu retenir cette réponse" in turn.messages[0]


def test_a_short_name_is_kept() -> None:
    assert answer("nom", "Ng", nom=None).updates["nom"] == "Ng"


@pytest.mark.parametrize(
    ("text", "quotite"),
    [("80 %", 80.0), ("temps plein", 100.0), ("90", 90.0), ("le 31 février", None),
     ("le 12 mars 2027", None), ("2 jours", None)],
)  # fmt: skip
def test_the_request_reads_a_quotite_not_a_date(text: str, quotite: float | None) -> None:
    assert read_quotite(text) == quotite


@pytest.mark.parametrize("text", ["31 %", "5 %", "120 %"])
def test_the_request_refuses_a_quotite_outside_the_rules(text: str) -> None:
    with pytest.raises(ValueError, match="de 50 à 100 %"):
        read_quotite(text)
