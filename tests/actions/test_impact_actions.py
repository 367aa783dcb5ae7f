"""The impact form (distance and days, free text, bounds) and the simulator's answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk import Action, Tracker

from actions.impact import ActionImpact, ValidateImpactForm
from rules import ImpactRequest, simulate_impact
from rules.formatting import fr_number
from rules.models import load_rules
from tests.actions.helpers import Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]


@pytest.mark.parametrize(("text", "km"), [("12 km", 12.0), ("12,5", 12.5), ("500", 500.0)])
def test_distance_in_free_text(run: Run, text: str, km: float) -> None:
    outcome = run(ValidateImpactForm(), make_tracker("impact_form_asking", text=text))
    assert outcome.events == [slot("distance_km", km)]
    assert outcome.messages == []


@pytest.mark.parametrize("text", ["0", "600 km", "loin"])
def test_invalid_distance_is_explained_and_asked_again(run: Run, text: str) -> None:
    outcome = run(ValidateImpactForm(), make_tracker("impact_form_asking", text=text))
    assert outcome.events == [slot("distance_km", None)]
    assert "strictement supérieur à 0 et jusqu'à 500" in outcome.text


def test_distance_entity_is_validated(run: Run) -> None:
    tracker = make_tracker(
        "impact_form_asking",
        entities=[{"entity": "distance_km", "value": "35"}],
        candidates={"distance_km": "35"},
    )
    assert run(ValidateImpactForm(), tracker).events == [slot("distance_km", 35.0)]


@pytest.mark.parametrize(
    ("text", "days"), [("2", 2.0), ("deux jours", 2.0), ("0,5", 0.5), ("un jour et demi", 1.5)]
)
def test_days_in_free_text(run: Run, text: str, days: float) -> None:
    tracker = make_tracker(
        "impact_form_asking",
        text=text,
        slots={"distance_km": 12.0, "requested_slot": "telework_days"},
    )
    outcome = run(ValidateImpactForm(), tracker)
    assert outcome.events == [slot("telework_days", days)]


@pytest.mark.parametrize("text", ["0", "6", "0,25"])
def test_invalid_days_are_explained(run: Run, text: str) -> None:
    tracker = make_tracker(
        "impact_form_asking",
        text=text,
        slots={"distance_km": 12.0, "requested_slot": "telework_days"},
    )
    outcome = run(ValidateImpactForm(), tracker)
    assert outcome.events == [slot("telework_days", None)]
    assert "à partir de 0,5 et jusqu'à 5" in outcome.text


@pytest.mark.parametrize(("text", "over_a_week"), [("7 jours", True), ("6", True), ("0,25", False)])
def test_more_days_than_a_week_has_quote_the_texts_ceiling(
    run: Run, text: str, over_a_week: bool
) -> None:
    tracker = make_tracker(
        "impact_form_asking",
        text=text,
        slots={"distance_km": 12.0, "requested_slot": "telework_days"},
    )
    said = run(ValidateImpactForm(), tracker).text
    ceiling = load_rules().quota.full_time_max_days_per_week
    assert ("semaine de travail compte 5 jours" in said) is over_a_week
    assert (ceiling.sources[0].quote.rstrip(".") in said) is over_a_week


def test_simulation_shows_figures_and_every_assumption(run: Run) -> None:
    outcome = run(ActionImpact(), make_tracker("impact_done"))
    expected = simulate_impact(
        ImpactRequest.model_validate(
            {"telework_days_per_week": 2, "distance_km": 20, "mode": "voiture_essence"}
        )
    )
    assert outcome.events == [slot("last_computation", {"kind": "impact"})]
    text = outcome.texts[0]
    assert f"{fr_number(expected.km_avoided_per_year, 0)} km" in text
    assert f"{fr_number(expected.co2_kg_avoided_per_year or 0, 0)} kg de CO2" in text
    for assumption in expected.assumptions:
        assert assumption.label in text
    assert "consommation de la voiture : 7,31 L/100 km (hypothèse externe aux textes)" in text
    assert "distance aller simple : 20 km (valeur saisie)" in text
    assert outcome.sources[0]["doc_id"] == "pndtt-plan-national"
    assert "Action n°20" in outcome.texts[1]


def test_transport_mode_slot_and_diesel_in_text(run: Run) -> None:
    train = run(
        ActionImpact(),
        make_tracker("impact_done", slots={"transport_mode": "transports_en_commun"}),
    )
    assert "Aucun facteur d'émission des transports en commun" in train.texts[0]
    diesel = run(ActionImpact(), make_tracker("impact_done", text="en voiture diesel"))
    assert "6,07 L/100 km" in diesel.texts[0]
    bike = run(ActionImpact(), make_tracker("impact_done", slots={"transport_mode": "velo"}))
    assert " 0 kg de CO2" in bike.texts[0]


def test_missing_values_ask_again(run: Run) -> None:
    no_days = run(ActionImpact(), make_tracker("impact_done", slots={"telework_days": None}))
    assert no_days.responses == ["utter_ask_telework_days"]
    no_km = run(ActionImpact(), make_tracker("impact_done", slots={"distance_km": None}))
    assert no_km.responses == ["utter_ask_distance_km"]
