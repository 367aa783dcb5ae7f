"""Référent, request form, bare values and form reset."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk import Action, Tracker

from actions.handoff import (
    ActionHandleInform,
    ActionRequestDraft,
    ActionResetForms,
    ActionTalkToHuman,
)
from tests.actions.helpers import Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
ANNEX_1 = (
    "Annexe 1 – Formulaire de demande et de validation de l'exercice des fonctions en "
    "télétravail › Étape 1"
)


def test_talk_to_human_is_honest_about_tchap(run: Run) -> None:
    outcome = run(ActionTalkToHuman(), make_tracker("question"))
    assert outcome.events == []
    assert "référent télétravail" in outcome.texts[0]
    assert "Tchap n'est pas encore en service" in outcome.texts[0]
    assert "V – L'accompagnement du télétravail › 3 – Le suivi individuel" in outcome.texts[1]
    assert outcome.sources[0]["doc_id"] == "maa-instruction-2019-781"
    assert outcome.payloads == ["/help"]


def test_request_draft_lists_annex_1_fields_and_documents(run: Run) -> None:
    outcome = run(ActionRequestDraft(), make_tracker("question"))
    assert outcome.events == []
    text = outcome.texts[0]
    assert "l'annexe 1" in text and "SG/SRH/SDDPRS/2019-781" in text
    for field in ("motivations", "temps de trajet", "date de début souhaitée", "missions"):
        assert field in text
    assert "• Annexe 2 : attestation de conformité du domicile" in text
    assert "• Attestation d'assurance habitation" in text
    assert "(si vous utilisez Chorus ou Chorus-formulaire)" in text
    assert ANNEX_1 in outcome.texts[1]
    assert ANNEX_1 in {s["section"] for s in outcome.sources}
    assert outcome.payloads == ["/request_draft", "/start_eligibility"]


def test_bare_quotite_computes_the_quota(run: Run) -> None:
    outcome = run(ActionHandleInform(), make_tracker("inform"))
    assert outcome.events == [slot("quotite", 80.0), slot("last_computation", {"kind": "quota"})]
    assert outcome.texts[0].startswith("À 80 % : 2 jours de télétravail par semaine au plus")
    assert outcome.sources


def test_quotite_in_words_without_entity(run: Run) -> None:
    tracker = make_tracker(
        "inform", text="je suis à temps plein", entities=[], slots={"quotite": None}
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("quotite", 100.0), slot("last_computation", {"kind": "quota"})]
    assert outcome.texts[0].startswith("À 100 % : 3 jours de télétravail par semaine au plus")


def test_quotite_in_words_wins_over_a_number_of_the_phrase(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="je bosse 4 jours sur 5",
        entities=[{"entity": "quotite", "value": "5"}],
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.texts[0].startswith("À 80 % : 2 jours de télétravail par semaine")


def test_invalid_bare_quotite_is_explained(run: Run) -> None:
    tracker = make_tracker("inform", text="150 %", entities=[{"entity": "quotite", "value": "150"}])
    outcome = run(ActionHandleInform(), tracker)
    # Explained, then asked again by the quota form: « ah non, 50 % » is its answer.
    assert outcome.events == [
        slot("quotite", None),
        {"event": "active_loop", "timestamp": None, "name": "quota_form"},
    ]
    assert "le temps partiel va de 50 à 90 %" in outcome.text


def test_bare_distance_suggests_the_simulator(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="j'habite à 12 km",
        entities=[{"entity": "distance_km", "value": "12"}],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("distance_km", 12.0)]
    assert "/start_impact" in outcome.payloads


def test_distance_with_known_days_runs_the_simulation(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="et à 30 km ?",
        entities=[{"entity": "distance_km", "value": "30"}],
        slots={"quotite": None, "telework_days": 2.0},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("distance_km", 30.0)]
    assert "Hypothèses utilisées" in outcome.texts[0]
    assert "distance aller simple : 30 km (valeur saisie)" in outcome.texts[0]


def test_date_completes_a_pending_notice(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="le 04/05/2026",
        entities=[{"entity": "date", "value": "04/05/2026"}],
        slots={"quotite": None, "notice_event": "calendar_change"},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("date", None), slot("notice_event", None)]
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : mardi 19 mai 2026.")


def test_status_suggests_the_eligibility_check(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="je suis contractuel",
        entities=[{"entity": "status", "value": "contractuel"}],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == []
    assert outcome.payloads[0] == "/start_eligibility"


def test_anything_else_asks_what_to_do(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="le mardi",
        entities=[{"entity": "weekday", "value": "mardi"}],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == []
    assert outcome.payloads == ["/start_quota", "/start_eligibility", "/start_impact", "/help"]


def test_reset_clears_every_filled_form_slot(run: Run) -> None:
    outcome = run(ActionResetForms(), make_tracker("reset"))
    assert outcome.messages == []
    assert outcome.events == [
        slot("requested_slot", None),
        slot("quotite", None),
        slot("distance_km", None),
        slot("status", None),
        slot("contract_over_one_year", None),
        slot("notice_event", None),
        slot("quiz_index", None),
        slot("quiz_score", None),
    ]
