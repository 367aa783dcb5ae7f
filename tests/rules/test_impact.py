"""Impact simulator: cited national defaults, labelled assumptions, overrides."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from rules import ImpactRequest, ImpactResult, load_rules, simulate_impact

pytestmark = pytest.mark.unit

# The plan's figures, as printed in its text (checked against the rules data below).
WORKERS, ROUND_TRIP_KM, ROUND_TRIP_H = 28.8e6, 26.0, 1.0
TOTAL_KM, TOTAL_LITRES, TOTAL_CO2_M3 = 150e9, 4e9, 5e9
WEEKS = TOTAL_KM / (WORKERS * ROUND_TRIP_KM) / 5


def simulate(**fields: Any) -> ImpactResult:
    return simulate_impact(ImpactRequest.model_validate(fields))


def assumption(result: ImpactResult, name: str) -> Any:
    return next(a for a in result.assumptions if a.name == name)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("active_workers", "28,8 millions d’actifs"),
        ("round_trip_km_per_day", "26 km"),
        ("round_trip_hours_per_day", "environ une heure"),
        ("total_km_per_year", "150 milliards de kilomètres"),
        ("total_fuel_litres_per_year", "4 milliards de litres de carburant"),
        ("total_co2_m3_per_year", "5 milliards de m3 de CO2"),
    ],
)
def test_national_figures_are_those_of_their_quote(name: str, words: str) -> None:
    figure = getattr(load_rules().impact.national, name)
    assert words in figure.sources[0].quote
    expected = {
        "active_workers": WORKERS,
        "round_trip_km_per_day": ROUND_TRIP_KM,
        "round_trip_hours_per_day": ROUND_TRIP_H,
        "total_km_per_year": TOTAL_KM,
        "total_fuel_litres_per_year": TOTAL_LITRES,
        "total_co2_m3_per_year": TOTAL_CO2_M3,
    }[name]
    assert figure.value == expected


def test_national_defaults_when_only_days_are_given() -> None:
    result = simulate(telework_days_per_week=2)
    days = 2 * WEEKS
    km = 2 * 13 * days
    assert result.mode == "moyenne_nationale"
    assert result.commute_days_avoided_per_year == pytest.approx(days, abs=0.05)
    assert result.km_avoided_per_year == pytest.approx(km, abs=0.05)
    assert result.hours_saved_per_year == pytest.approx(2 * 0.5 * days, abs=0.05)
    assert result.fuel_litres_saved_per_year == pytest.approx(
        km * TOTAL_LITRES / TOTAL_KM, abs=0.05
    )
    expected_co2 = km * TOTAL_CO2_M3 * 1.977 / TOTAL_KM
    assert result.co2_kg_avoided_per_year == pytest.approx(expected_co2, abs=0.05)
    assert assumption(result, "distance_km").value == 13
    assert assumption(result, "one_way_minutes").value == 30
    assert {s.doc_id for s in result.sources} >= {"pndtt-plan-national"}


def test_every_assumption_is_labelled_and_explained() -> None:
    result = simulate(telework_days_per_week=2)
    kinds = {a.name: a.kind for a in result.assumptions}
    assert kinds["co2_density_kg_per_m3"] == "external"
    assert kinds["distance_km"] == kinds["weeks_per_year"] == "derived"
    for item in result.assumptions:
        assert item.origin and item.unit and item.label
    assert "hypothèse externe" in result.explanation
    assert "Chacune peut être remplacée" in result.explanation


def test_petrol_car_uses_external_factors_with_their_origin() -> None:
    result = simulate(telework_days_per_week=2, distance_km=20, mode="voiture_essence")
    km = 2 * 20 * 2 * WEEKS
    assert result.km_avoided_per_year == pytest.approx(km, abs=0.05)
    assert result.fuel_litres_saved_per_year == pytest.approx(km * 0.0731, abs=0.05)
    assert result.co2_kg_avoided_per_year == pytest.approx(km * 0.0731 * 2.26, abs=0.05)
    fuel = assumption(result, "fuel_litres_per_100km")
    assert fuel.kind == "external" and "CCFA" in fuel.origin
    assert "arrêté du 26 avril 2017" in assumption(result, "co2_kg_per_litre").origin


@pytest.mark.parametrize(
    ("override", "value"),
    [
        ("distance_km", 40),
        ("one_way_minutes", 55),
        ("weeks_per_year", 45),
        ("fuel_litres_per_100km", 5.5),
        ("co2_kg_per_litre", 2.5),
    ],
)
def test_every_default_can_be_overridden(override: str, value: float) -> None:
    result = simulate(telework_days_per_week=2, mode="voiture_gazole", **{override: value})
    used = assumption(result, override)
    assert used.kind == "user" and used.value == value


def test_overrides_change_the_result_as_expected() -> None:
    base = simulate(
        telework_days_per_week=1, distance_km=10, mode="voiture_gazole", weeks_per_year=40
    )
    doubled = simulate(
        telework_days_per_week=1, distance_km=20, mode="voiture_gazole", weeks_per_year=40
    )
    assert base.km_avoided_per_year == 800
    assert doubled.km_avoided_per_year == 1600
    slower = simulate(
        telework_days_per_week=1, distance_km=10, one_way_minutes=60, weeks_per_year=40
    )
    assert slower.hours_saved_per_year == 80


def test_public_transport_has_no_co2_until_a_factor_is_given() -> None:
    result = simulate(telework_days_per_week=2, distance_km=15, mode="transports_en_commun")
    assert result.co2_kg_avoided_per_year is None
    assert result.fuel_litres_saved_per_year == 0
    assert any("facteur" in w for w in result.warnings)
    given = simulate(
        telework_days_per_week=2, distance_km=15, mode="transports_en_commun", co2_kg_per_km=0.1
    )
    assert given.co2_kg_avoided_per_year == pytest.approx(given.km_avoided_per_year * 0.1, abs=0.05)


def test_bike_saves_time_but_no_fuel() -> None:
    result = simulate(telework_days_per_week=1, distance_km=5, mode="velo_marche")
    assert result.fuel_litres_saved_per_year == 0 and result.co2_kg_avoided_per_year == 0
    assert result.hours_saved_per_year > 0


def test_more_than_three_days_needs_a_medical_derogation() -> None:
    result = simulate(telework_days_per_week=4)
    assert any("dérogation pour raison médicale" in w for w in result.warnings)
    assert any(s.section.startswith("VI –") for s in result.sources)
    assert not simulate(telework_days_per_week=3).warnings


@pytest.mark.parametrize(
    "fields",
    [
        {"telework_days_per_week": 2, "distance_km": -3},
        {"telework_days_per_week": 0},
        {"telework_days_per_week": 6},
        {"telework_days_per_week": "deux"},
        {"telework_days_per_week": 2, "mode": "trottinette"},
        {"telework_days_per_week": 2, "weeks_per_year": 60},
        {"telework_days_per_week": 2, "fuel_litres_per_100km": -1},
        {"telework_days_per_week": 2, "adresse": "12 rue X"},
        {"distance_km": 10},
    ],
)
def test_bad_impact_input_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        ImpactRequest.model_validate(fields)
    for error in caught.value.errors():
        assert "12 rue X" not in error["msg"]
