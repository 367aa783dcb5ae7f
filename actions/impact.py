"""What telework saves: the impact form and the simulator of the rules engine.

The form asks the one-way distance (over 0 and up to 500 km) and the telework days per week
(0.5 to 5). The transport mode comes from its slot, a car by default (petrol unless the user
spoke of diesel). The answer shows every assumption the simulator used, with its origin.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ATTEMPT_INTENTS,
    RULES_TIMEOUT_S,
    failure_text,
    latest_entity,
    latest_intent,
    latest_text,
    recent_user_texts,
    remember,
    requested_slot,
    run_in_thread,
    send_sources,
)
from actions.parsing import (
    mentions_diesel,
    parse_days,
    parse_transport_mode,
    stated_days,
    stated_distance,
    to_float,
    transport_word,
)
from rules import ImpactRequest, ImpactResult, simulate_impact
from rules.formatting import fr_days, fr_number
from rules.impact import KIND_LABELS
from rules.inputs import parse_number
from rules.models import load_rules

logger = logging.getLogger(__name__)

MAX_DISTANCE_KM = 500.0
MIN_DAYS, MAX_DAYS = 0.5, 5.0
ANSWER_INTENTS = {"inform", "nlu_fallback", "out_of_scope", "dont_know", "simulate_impact"}
# Domain transport modes → simulator modes (the texts give no factor for two-wheelers).
MODES = {
    "voiture": "voiture_essence",
    "transports_en_commun": "transports_en_commun",
    "velo": "velo_marche",
    "marche": "velo_marche",
    "deux_roues": "moyenne_nationale",
}
DEFAULT_MODE = "voiture"
TWO_WHEELER_NOTE = (
    "Les textes ne donnent pas de consommation propre aux deux-roues motorisés : la moyenne "
    "nationale, tous modes confondus, est utilisée."
)
UNAVAILABLE = "Je n'arrive pas à faire cette simulation pour le moment. Réessayez dans un instant."


def check_distance(value: object) -> float:
    """Read a one-way distance in km, over 0 and up to 500.

    Raises:
        ValueError: with a French message saying what is accepted.

    """
    number = to_float(value)
    return parse_number(
        number,
        what="Distance domicile-travail en km, aller simple",
        minimum=0,
        min_inclusive=False,
        maximum=MAX_DISTANCE_KM,
        example="« 12 km »",
    )


def check_days(value: object) -> float:
    """Read telework days per week, from 0.5 to 5.

    Raises:
        ValueError: with a French message saying what is accepted.

    """
    days = parse_days(value)
    try:
        return parse_number(
            days,
            what="Jours de télétravail par semaine",
            minimum=MIN_DAYS,
            maximum=MAX_DAYS,
            example="« 2 » ou « 1,5 »",
        )
    except ValueError as error:
        if days is not None and days > MAX_DAYS:
            raise ValueError(f"{error}. {week_limit()}") from None
        raise


def week_limit() -> str:
    """Why more than five days is no answer: the week, and the text's own ceiling, quoted.

    « 7 jours sur 7 » is not a typo to correct silently: the agent learns the rule too.
    """
    quote = load_rules().quota.full_time_max_days_per_week.sources[0].quote.rstrip(". ")
    return (
        "Une semaine de travail compte 5 jours, et le télétravail y est limité à 3 jours à "
        f"temps plein, sauf dérogation pour raison médicale (« {quote} »)"
    )


def simulator_mode(tracker: Tracker, given: str | None = None) -> tuple[str, str, bool]:
    """Pick the transport mode: the one given, else the slot, else the recent texts, else a car.

    Returns:
        The domain's mode, the simulator's code for it, and whether it was assumed.

    """
    mode = given if given in MODES else tracker.get_slot("transport_mode")
    texts = recent_user_texts(tracker)
    if mode not in MODES:
        mode = next((m for t in reversed(texts) if (m := parse_transport_mode(t))), None)
    assumed = not isinstance(mode, str) or mode not in MODES
    mode = DEFAULT_MODE if assumed or not isinstance(mode, str) else mode
    code = MODES[mode]
    if mode == "voiture" and any(mentions_diesel(t) for t in texts):
        code = "voiture_gazole"
    return mode, code, assumed


def describe(result: ImpactResult, *, assumed_mode: bool = False) -> str:
    """Write the yearly savings, then every assumption with its value and origin."""
    co2 = (
        f", {fr_number(result.co2_kg_avoided_per_year, 0)} kg de CO2 évités"
        if result.co2_kg_avoided_per_year is not None
        else ""
    )
    mode = load_rules().impact.modes[result.mode].label
    change = (
        " (par défaut : dites « et en train ? », « et à vélo ? »… pour changer)"
        if assumed_mode
        else ""
    )
    lines = [
        f"Avec {fr_days(result.telework_days_per_week)} de télétravail par semaine, en {mode}"
        f"{change} :",
        f"Par an : environ {fr_number(result.commute_days_avoided_per_year, 0)} jours de "
        f"trajets évités, {fr_number(result.km_avoided_per_year, 0)} km, "
        f"{fr_number(result.hours_saved_per_year, 0)} h de trajet et "
        f"{fr_number(result.fuel_litres_saved_per_year, 0)} L de carburant économisés{co2}.",
        "Hypothèses utilisées :",
    ]
    for item in result.assumptions:
        origin = "" if item.kind == "user" else f" — {item.origin}"
        lines.append(
            f"• {item.label} : {fr_number(item.value)} {item.unit} ({KIND_LABELS[item.kind]})"
            f"{origin}"
        )
    lines += result.warnings
    lines.append("Chaque hypothèse peut être remplacée par votre propre valeur.")
    return "\n".join(lines)


async def reply_impact(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    distance: float,
    days: float,
    *,
    mode: str | None = None,
) -> bool:
    """Run the simulator and send its result; return False when it could not be done.

    ``mode`` (a domain mode: « velo »…) replaces the one of the slot, for « et à vélo ? ».
    """
    mode, code, assumed = simulator_mode(tracker, mode)
    request = ImpactRequest.model_validate(
        {"telework_days_per_week": days, "distance_km": distance, "mode": code}
    )
    try:
        result = await run_in_thread(simulate_impact, request, timeout=RULES_TIMEOUT_S)
    except Exception as error:
        logger.exception("Simulation impossible")
        dispatcher.utter_message(text=failure_text(error, UNAVAILABLE))
        return False
    text = describe(result, assumed_mode=assumed)
    named = transport_word(latest_text(tracker), "transports_en_commun")
    if mode == "transports_en_commun" and named and not named.startswith("transport"):
        # « et en train ? »: the reply says which of the simulator's modes the word is.
        text += f"\n« {named} » : compté comme transport en commun."
    if mode == "deux_roues":
        text += f"\n{TWO_WHEELER_NOTE}"
    dispatcher.utter_message(text=text)
    send_sources(dispatcher, result.sources)
    return True


def impact_entities(tracker: Tracker) -> tuple[Any, Any]:
    """The distance and the days the latest message gives (None for one it does not give).

    A number followed by « km » is the distance whatever the NLU labelled it: in « 2 jours
    de tt, j'habite à 1200 km », both numbers were read as days; one followed by « jours »
    is the days (« avec 8 jours de tt et 15 km » had both read as distances).
    """
    distance = stated_distance(latest_text(tracker))
    days = [
        found.get("value")
        for found in (tracker.latest_message or {}).get("entities") or []
        if isinstance(found, dict) and found.get("entity") == "telework_days"
    ]
    if not days and (in_days := stated_days(latest_text(tracker))) is not None:
        days = [in_days]
    if distance is None:
        return latest_entity(tracker, "distance_km"), days[0] if days else None
    kept = [value for value in days if to_float(value) != to_float(distance)]
    return distance, kept[0] if kept else None


async def impact_now(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Simulate with the distance and days of the message (or kept from before), or ask.

    Each value given is checked; when one is still missing, ``impact_form`` starts with the
    others filled and asks only for it.
    """
    events: list[EventType] = []
    values: dict[str, float | None] = {}
    given_distance, given_days = impact_entities(tracker)
    for slot, given, check in (
        ("distance_km", given_distance, check_distance),
        ("telework_days", given_days, check_days),
    ):
        try:
            values[slot] = check(given if given is not None else tracker.get_slot(slot))
        except ValueError as error:
            values[slot] = None
            if given is not None:
                dispatcher.utter_message(text=f"{error}.")
        events.append(SlotSet(slot, values[slot]))
    km, per_week = values["distance_km"], values["telework_days"]
    if km is not None and per_week is not None:
        await reply_impact(dispatcher, tracker, km, per_week)
        return [*events, remember("impact")]
    return [*events, ActiveLoop("impact_form")]


class ValidateImpactForm(FormValidationAction):
    """Check the distance and the days of ``impact_form``, typed as entities or free text."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_impact_form"

    def _free_text(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        if requested_slot(tracker) != slot or tracker.get_slot(slot) is not None:
            return {}
        text = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        if not text or text.startswith("/") or intent not in ANSWER_INTENTS:
            return {}
        number = to_float(text) if slot == "distance_km" else parse_days(text)
        attempt = intent in ATTEMPT_INTENTS or len(text.split()) <= 3
        return {slot: text} if number is not None or attempt else {}

    async def extract_distance_km(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Pass the free text on when it answers the distance question."""
        return self._free_text(tracker, "distance_km")

    async def extract_telework_days(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Pass the free text on when it answers the days question."""
        return self._free_text(tracker, "telework_days")

    def validate_distance_km(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep a distance over 0 and up to 500 km; otherwise explain and ask again."""
        if slot_value is None:
            return {"distance_km": None}  # cleared by the dialogue: not an answer
        try:
            return {"distance_km": check_distance(slot_value)}
        except ValueError as error:
            dispatcher.utter_message(text=f"{error}.")
            return {"distance_km": None}

    def validate_telework_days(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep 0.5 to 5 days a week; otherwise explain and ask again."""
        if slot_value is None:
            return {"telework_days": None}  # cleared by the dialogue: not an answer
        try:
            return {"telework_days": check_days(slot_value)}
        except ValueError as error:
            dispatcher.utter_message(text=f"{error}.")
            return {"telework_days": None}


class ActionImpact(Action):
    """Simulate the yearly savings from the form's slots (``action_impact``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_impact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the savings with every assumption; keep the slots for a new simulation."""
        try:
            distance = check_distance(tracker.get_slot("distance_km"))
        except ValueError:
            dispatcher.utter_message(response="utter_ask_distance_km")
            return []
        try:
            days = check_days(tracker.get_slot("telework_days"))
        except ValueError:
            dispatcher.utter_message(response="utter_ask_telework_days")
            return []
        await reply_impact(dispatcher, tracker, distance, days)
        return [remember("impact")]
