"""What telework saves in a year: commuting hours, kilometres, fuel and CO2 (action 20).

The national plan asks for a simulator of time, travel costs and carbon footprint, and gives
national commuting averages (28.8 million workers, 26 km and about an hour a day, 150 billion
km, 4 billion litres, 5 billion m³ of CO2). Those are the cited defaults; what they imply
(average speed, commuting weeks a year, fuel and CO2 per km) is derived openly from them; what
the texts do not give (a car's consumption, CO2 per litre, the density that turns m³ of CO2
into kg) is an external assumption with its origin. Every assumption is returned with the
result, labelled by kind, and every one can be overridden by the caller.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from knowledge.models import Source
from rules.formatting import fr_days, fr_number
from rules.inputs import StrictBody, check_choice, parse_number
from rules.models import ExternalAssumption, Fact, TransportModeCode, cite, load_rules

AssumptionKind = Literal["user", "cited", "derived", "external"]
KIND_LABELS = {
    "user": "valeur saisie",
    "cited": "chiffre du plan national",
    "derived": "calculé à partir du plan national",
    "external": "hypothèse externe aux textes",
}


class _Bound(NamedTuple):
    what: str
    low: float
    high: float
    example: str


_BOUNDS = {
    "distance_km": _Bound("distance domicile-travail aller simple en km", 0, 500, "13"),
    "telework_days_per_week": _Bound("jours de télétravail par semaine", 0, 5, "2"),
    "one_way_minutes": _Bound("temps de trajet aller simple en minutes", 0, 600, "30"),
    "weeks_per_year": _Bound("semaines de trajets par an", 1, 52, "45"),
    "fuel_litres_per_100km": _Bound("consommation en L/100 km", 0, 50, "6,5"),
    "co2_kg_per_litre": _Bound("CO2 par litre de carburant en kg", 0, 10, "2,3"),
    "co2_kg_per_km": _Bound("CO2 par km en kg", 0, 2, "0,1"),
}
# Zero telework days would simulate nothing: that one bound is strict.
_STRICT_MINIMUM = {"telework_days_per_week"}


class ImpactRequest(StrictBody):
    """Commute and telework days (body of ``POST /api/impact``); every default overridable."""

    telework_days_per_week: float = Field(description="Jours de télétravail par semaine.")
    distance_km: float | None = Field(None, description="Distance aller simple, en km.")
    mode: TransportModeCode | None = Field(None, description="Mode de transport.")
    one_way_minutes: float | None = Field(None, description="Temps de trajet aller simple.")
    weeks_per_year: float | None = Field(None, description="Semaines de trajets par an.")
    fuel_litres_per_100km: float | None = None
    co2_kg_per_litre: float | None = None
    co2_kg_per_km: float | None = None

    @field_validator(*_BOUNDS, mode="before")
    @classmethod
    def _bounded(cls, value: object, info: ValidationInfo) -> float | None:
        name = str(info.field_name)
        if value is None and name not in _STRICT_MINIMUM:
            return None
        bound = _BOUNDS[name]
        return parse_number(
            value,
            what=bound.what,
            minimum=bound.low,
            maximum=bound.high,
            min_inclusive=name not in _STRICT_MINIMUM,
            example=bound.example,
        )

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: object) -> str | None:
        if value is None:
            return None
        modes: dict[str, str] = {code: m.label for code, m in load_rules().impact.modes.items()}
        return check_choice(value, modes, "mode de transport")


class Assumption(BaseModel):
    """A value the simulation used, where it comes from, and whether it can be trusted."""

    name: str
    label: str
    value: float
    unit: str
    kind: AssumptionKind
    origin: str


class ImpactResult(BaseModel):
    """Yearly savings of a telework rhythm, with every assumption shown."""

    mode: TransportModeCode
    telework_days_per_week: float
    commute_days_avoided_per_year: float
    km_avoided_per_year: float
    hours_saved_per_year: float
    fuel_litres_saved_per_year: float
    co2_kg_avoided_per_year: float | None
    assumptions: list[Assumption]
    warnings: list[str]
    explanation: str
    sources: list[Source]


class _Ledger:
    """Collects the assumptions in the order they are used, with the facts they cite."""

    def __init__(self) -> None:
        self.items: list[Assumption] = []
        self.facts: list[Fact] = []

    def user(self, name: str, value: float, *, label: str, unit: str) -> float:
        """Record a value the user gave: it replaces whatever the texts or assumptions say."""
        origin = KIND_LABELS["user"]
        self.items.append(
            Assumption(name=name, label=label, value=value, unit=unit, kind="user", origin=origin)
        )
        return value

    def take(
        self,
        name: str,
        user: float | None,
        default: float,
        *,
        label: str,
        unit: str,
        kind: AssumptionKind,
        origin: str,
        facts: tuple[Fact, ...] = (),
    ) -> float:
        """Use the user's value when given, else the default; record which one was used."""
        if user is not None:
            return self.user(name, user, label=label, unit=unit)
        shown = round(default, 6)
        self.items.append(
            Assumption(name=name, label=label, value=shown, unit=unit, kind=kind, origin=origin)
        )
        self.facts.extend(facts)
        return default

    def external(self, name: str, user: float | None, assumption: ExternalAssumption) -> float:
        """Use an external assumption of the rules data, unless the user gives the value."""
        return self.take(
            name,
            user,
            assumption.value,
            label=assumption.label,
            unit=assumption.unit,
            kind="external",
            origin=assumption.origin,
        )


def simulate_impact(request: ImpactRequest) -> ImpactResult:
    """Estimate the yearly commuting savings of ``telework_days_per_week`` days at home."""
    rules = load_rules().impact
    code = request.mode or rules.default_mode
    mode = rules.modes[code]
    ledger = _Ledger()
    distance, minutes, weeks = _commute(request, ledger)
    fuel_per_km, co2_per_km = _factors(request, mode_code=code, ledger=ledger)

    days = request.telework_days_per_week * weeks
    km = 2 * distance * days
    hours = 2 * minutes / 60 * days
    fuel = km * fuel_per_km
    co2 = None if co2_per_km is None else km * co2_per_km
    warnings = _warnings(request, co2_per_km, mode.co2_missing)
    figures = (
        f"environ {fr_number(days, 0)} jours de trajets évités par an, soit {fr_number(km, 0)} km, "
        f"{fr_number(hours, 0)} h de trajet, {fr_number(fuel, 0)} L de carburant"
        + (f" et {fr_number(co2, 0)} kg de CO2" if co2 is not None else "")
    )
    assumptions = " ; ".join(
        f"{a.label} {fr_number(a.value)} {a.unit} ({KIND_LABELS[a.kind]})" for a in ledger.items
    )
    explanation = " ".join(
        [
            f"Avec {fr_days(request.telework_days_per_week)} de télétravail par semaine, à "
            f"{fr_number(distance, 1)} km de votre lieu de travail ({mode.label}) : {figures}.",
            f"Hypothèses : {assumptions}. Chacune peut être remplacée par votre propre valeur.",
            *warnings,
        ]
    )
    return ImpactResult(
        mode=code,
        telework_days_per_week=request.telework_days_per_week,
        commute_days_avoided_per_year=round(days, 1),
        km_avoided_per_year=round(km, 1),
        hours_saved_per_year=round(hours, 1),
        fuel_litres_saved_per_year=round(fuel, 1),
        co2_kg_avoided_per_year=None if co2 is None else round(co2, 1),
        assumptions=ledger.items,
        warnings=warnings,
        explanation=explanation,
        sources=cite(rules.simulator, ledger.facts, *_warning_facts(request)),
    )


def _commute(request: ImpactRequest, ledger: _Ledger) -> tuple[float, float, float]:
    """Pick one-way distance, one-way minutes and commuting weeks a year, with their origin."""
    book = load_rules()
    nat = book.impact.national
    round_trip = nat.round_trip_km_per_day
    distance = ledger.take(
        "distance_km",
        request.distance_km,
        round_trip.value / 2,
        label="distance aller simple",
        unit="km",
        kind="derived",
        facts=(round_trip,),
        origin=f"moitié des {fr_number(round_trip.value)} km aller et retour parcourus en "
        "moyenne chaque jour",
    )
    speed = round_trip.value / nat.round_trip_hours_per_day.value
    minutes = ledger.take(
        "one_way_minutes",
        request.one_way_minutes,
        distance / speed * 60,
        label="temps de trajet aller simple",
        unit="min",
        kind="derived",
        facts=(round_trip, nat.round_trip_hours_per_day),
        origin=f"distance à la vitesse moyenne nationale, tous modes, de {fr_number(speed)} km/h "
        f"({fr_number(round_trip.value)} km en environ "
        f"{fr_number(nat.round_trip_hours_per_day.value)} h par jour)",
    )
    days_a_year = nat.total_km_per_year.value / (nat.active_workers.value * round_trip.value)
    full_week = book.quota.full_time_days_per_week
    weeks = ledger.take(
        "weeks_per_year",
        request.weeks_per_year,
        days_a_year / full_week.value,
        label="semaines de trajets par an",
        unit="semaines",
        kind="derived",
        facts=(nat.total_km_per_year, nat.active_workers, full_week),
        origin=f"{fr_number(nat.total_km_per_year.value / 1e9)} milliards de km ÷ "
        f"({fr_number(nat.active_workers.value / 1e6)} millions d'actifs × "
        f"{fr_number(round_trip.value)} km) ≈ {fr_number(days_a_year, 0)} jours de trajets par "
        f"an, ÷ {fr_days(full_week.value)} par semaine",
    )
    return distance, minutes, weeks


def _factors(
    request: ImpactRequest, *, mode_code: TransportModeCode, ledger: _Ledger
) -> tuple[float, float | None]:
    """Pick fuel (L/km) and CO2 (kg/km) factors: the user's, external or national averages."""
    rules = load_rules().impact
    nat = rules.national
    mode = rules.modes[mode_code]
    if mode.fuel_litres_per_100km is not None:
        fuel_per_100 = ledger.external(
            "fuel_litres_per_100km", request.fuel_litres_per_100km, mode.fuel_litres_per_100km
        )
    else:  # the national average of every mode
        fuel_per_100 = ledger.take(
            "fuel_litres_per_100km",
            request.fuel_litres_per_100km,
            nat.total_fuel_litres_per_year.value / nat.total_km_per_year.value * 100,
            label="carburant par 100 km",
            unit="L/100 km",
            kind="derived",
            facts=(nat.total_fuel_litres_per_year, nat.total_km_per_year),
            origin=f"{fr_number(nat.total_fuel_litres_per_year.value / 1e9)} milliards de litres "
            f"÷ {fr_number(nat.total_km_per_year.value / 1e9)} milliards de km, tous modes",
        )
    fuel_per_km = fuel_per_100 / 100
    if request.co2_kg_per_km is not None:
        co2 = ledger.user("co2_kg_per_km", request.co2_kg_per_km, label="CO2 par km", unit="kg/km")
        return fuel_per_km, co2
    if request.co2_kg_per_litre is not None:
        per_litre = ledger.user(
            "co2_kg_per_litre", request.co2_kg_per_litre, label="CO2 par litre", unit="kg/L"
        )
        return fuel_per_km, fuel_per_km * per_litre
    if mode.co2_kg_per_km is not None:
        return fuel_per_km, ledger.external("co2_kg_per_km", None, mode.co2_kg_per_km)
    if mode.co2_kg_per_litre is not None:
        return fuel_per_km, fuel_per_km * ledger.external(
            "co2_kg_per_litre", None, mode.co2_kg_per_litre
        )
    if not mode.national_average:
        return fuel_per_km, None
    density = ledger.external("co2_density_kg_per_m3", None, rules.co2_density_kg_per_m3)
    return fuel_per_km, ledger.take(
        "co2_kg_per_km",
        None,
        nat.total_co2_m3_per_year.value * density / nat.total_km_per_year.value,
        label="CO2 par km",
        unit="kg/km",
        kind="derived",
        facts=(nat.total_co2_m3_per_year, nat.total_km_per_year),
        origin=f"{fr_number(nat.total_co2_m3_per_year.value / 1e9)} milliards de m³ de CO2 "
        f"× masse volumique ÷ {fr_number(nat.total_km_per_year.value / 1e9)} milliards de km",
    )


def _warnings(request: ImpactRequest, co2_per_km: float | None, co2_missing: str) -> list[str]:
    found = []
    quota = load_rules().quota
    if request.telework_days_per_week > quota.full_time_max_days_per_week.value:
        found.append(
            f"Au-delà de {fr_days(quota.full_time_max_days_per_week.value)} de télétravail par "
            "semaine, il faut une dérogation pour raison médicale."
        )
    if co2_per_km is None:
        found.append(co2_missing)
    return found


def _warning_facts(request: ImpactRequest) -> list[Fact]:
    quota = load_rules().quota
    if request.telework_days_per_week > quota.full_time_max_days_per_week.value:
        return [quota.full_time_max_days_per_week, quota.medical_derogation.thresholds]
    return []
