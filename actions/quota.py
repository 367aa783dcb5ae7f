"""How many telework days: the quota form and its answer from the rules engine.

The form accepts the quotité as an entity or as free text (« 80 », « 80 % », « temps plein »,
« mi-temps »); :class:`rules.QuotaRequest` decides which values exist and words the refusal.
The quotité is kept after the answer, so that « et sur base mensuelle ? » needs no new
question; ``action_reset_forms`` clears it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ATTEMPT_INTENTS,
    RULES_TIMEOUT_S,
    chosen_value,
    failure_text,
    latest_entity,
    latest_intent,
    latest_text,
    pydantic_message,
    recent_user_texts,
    remember,
    requested_slot,
    run_in_thread,
    send_sources,
)
from actions.parsing import parse_discharge, parse_quotite, worded_quotite, works_at
from actions.replies import is_question
from actions.routing import mentions_date
from knowledge.analysis import fold
from rules import QuotaRequest, QuotaResult, compute_quota
from rules.extracts import quota_extract
from rules.formatting import fr_days, fr_number
from rules.models import cite, load_rules

logger = logging.getLogger(__name__)

# Intents whose text may be an answer to « Quelle est votre quotité ? ».
ANSWER_INTENTS = {"inform", "nlu_fallback", "out_of_scope", "dont_know", "ask_quota"}
# Intents of « non, 50 % » or « oui 80 » : with a quotité in them, they answer the question.
CORRECTION_INTENTS = {"deny", "affirm", "stop"}
WORDS_HINT = "Vous pouvez aussi écrire « temps plein » (100 %) ou « mi-temps » (50 %)."
UNREADABLE = (
    "Je n'ai pas reconnu de quotité : indiquez un pourcentage, par exemple « 80 % ». " + WORDS_HINT
)
_HEALTH = re.compile(
    r"\b(medic\w*|sante|handicap\w*|rqth|enceinte|grossesse|maladie|medecin|docteur|toubib|therapeuti\w*)\b"
)
# A quotité given as a figure (« 80 % », « 4/5e », « 4 jours sur 5 », « quatre cinquièmes »).
QUOTITE_FIGURE = re.compile(r"%|pour ?cent|/ ?5|jours? sur 5|cinquiemes?")
_PERCENT = re.compile(r"%|pour ?cent")
UNAVAILABLE = "Je n'arrive pas à faire ce calcul pour le moment. Réessayez dans un instant."
FULL_TIME = 100.0


def part_time_range() -> tuple[float, float]:
    """The lowest and highest part-time quotités of the instruction's table (50 and 90 %)."""
    rows = [row.quotite for row in load_rules().quota.part_time_table.value]
    return float(min(rows)), float(max(rows))


def out_of_range(number: float) -> str | None:
    """Explain, in French, why a quotité is not one an agent can have; None when it is.

    Part-time work goes from 50 to 90 % (the instruction's table), full time is 100 %:
    « 5 % » or « 120 % » are refused here, whatever the engine would compute.
    """
    low, high = part_time_range()
    if number == FULL_TIME or low <= number <= high:
        return None
    return (
        f"{fr_number(number)} % n'est pas une quotité possible : le temps partiel va de "
        f"{fr_number(low)} à {fr_number(high)} % (tableau de l'instruction du ministère de "
        f"l'agriculture), le temps plein est à {fr_number(FULL_TIME)} %. Indiquez votre "
        "quotité, par exemple « 80 % ». " + WORDS_HINT
    )


def check_quotite(value: object) -> float:
    """Read a quotité and have the rules engine accept it.

    Raises:
        ValueError: with a French message saying what is accepted.

    """
    number = parse_quotite(value)
    if number is None:
        raise ValueError(UNREADABLE)
    refusal = out_of_range(number)
    if refusal is not None:
        raise ValueError(refusal)
    try:
        QuotaRequest.model_validate({"quotite": number})
    except ValidationError as error:
        raise ValueError(f"{pydantic_message(error)}. {WORDS_HINT}") from None
    return number


def mentions_health(texts: list[str]) -> bool:
    """Tell whether the user spoke of health (then the medical derogation is detailed)."""
    return any(_HEALTH.search(fold(text)) for text in texts)


def _headline(result: QuotaResult) -> str:
    quotite = fr_number(result.quotite_effective)
    if result.decharge:
        quotite = (
            f"{fr_number(result.quotite)} % avec {fr_number(result.decharge)} % de décharge "
            f"syndicale, soit {quotite}"
        )
    if result.no_telework_left:
        return f"À {quotite} %, les plafonds ne laissent aucun jour de télétravail."
    week, month = fr_days(result.max_days_per_week), fr_days(result.max_days_per_month)
    return f"À {quotite} % : {week} de télétravail par semaine au plus, soit {month} par mois."


def _medical_pointer() -> str:
    note = load_rules().quota.medical_derogation.thresholds.note
    return f"Pour raison de santé : {note[0].lower()}{note[1:]}"


async def reply_quota(
    dispatcher: CollectingDispatcher, tracker: Tracker, quotite: float, *, base: Any = None
) -> bool:
    """Compute and send the quota for a quotité; return False when it could not be done.

    What the agent said in the last messages counts too: health (the medical derogation is
    then detailed) and a union discharge (deducted from the quotité, and restated).
    """
    texts = recent_user_texts(tracker)
    medical = mentions_health(texts)
    discharge = parse_discharge(texts)
    try:
        request = QuotaRequest.model_validate(
            {
                "quotite": quotite,
                "decharge": discharge if discharge is not None else 0,
                "base": base if base in ("hebdomadaire", "mensuelle") else "hebdomadaire",
                "medical": medical,
            }
        )
    except ValidationError as error:
        dispatcher.utter_message(text=f"{pydantic_message(error)}.")
        return False
    try:
        result = await run_in_thread(compute_quota, request, timeout=RULES_TIMEOUT_S)
    except Exception as error:
        logger.exception("Calcul de quota impossible")
        dispatcher.utter_message(text=failure_text(error, UNAVAILABLE))
        return False
    parts = [_headline(result), result.explanation, quota_extract(result)]
    sources = list(result.sources)
    if not medical:
        parts.append(_medical_pointer())
        sources += cite(load_rules().quota.medical_derogation.thresholds)
    dispatcher.utter_message(text="\n\n".join(parts))
    send_sources(dispatcher, sources)
    return True


def plain_quotite(text: str) -> float | None:
    """The quotité a message says plainly, or None.

    Only what says it plainly counts: a percentage, « je bosse à 70 », « temps plein »,
    « 4/5 » — not any number of a message (« 2 enfants », a year, a choice).
    """
    if worded_quotite(text) is None and not _PERCENT.search(fold(text)) and not works_at(text):
        return None
    return parse_quotite(text)


def stated_quotite(tracker: Tracker) -> Any:
    """The quotité the latest message states, or None.

    Said plainly (« temps plein », « 4 jours sur 5 », « je bosse à 70 », « 90 % ») it wins
    over the NLU entity, which may hold another number of the phrase (« 5 », a union
    discharge's percentage, « 2 enfants »); else the entity, unless the message names a date
    (whose year the NLU may take for a quotité).
    """
    text = latest_text(tracker)
    plain = plain_quotite(text)
    if plain is not None:
        return plain
    if mentions_date(text):
        return None  # « je préviens le 20 avril 2027 »: the NLU may take the year for one
    return latest_entity(tracker, "quotite")


# How far back a quotité said in passing (« bonjour, jsuis à 80 % ») still counts.
SAID_BEFORE_MESSAGES = 5


def said_quotite(tracker: Tracker) -> float | None:
    """The quotité the agent said plainly in one of their last messages (latest first)."""
    for text in reversed(recent_user_texts(tracker, SAID_BEFORE_MESSAGES)):
        value = plain_quotite(text)
        if value is not None:
            return value
    return None


async def quota_now(
    dispatcher: CollectingDispatcher, tracker: Tracker, value: Any
) -> list[EventType]:
    """Compute the quota for a quotité given in the message, and keep it in its slot.

    A quotité that is not one (« 5 % ») is explained, and the form asks for it again: the
    next message (« ah non, 50 % ») is then its answer.
    """
    try:
        quotite = check_quotite(value)
    except ValueError as error:
        dispatcher.utter_message(text=str(error))
        return [SlotSet("quotite", None), ActiveLoop("quota_form")]
    await reply_quota(dispatcher, tracker, quotite, base=tracker.get_slot("base"))
    return [SlotSet("quotite", quotite), remember("quota")]


class ValidateQuotaForm(FormValidationAction):
    """Check the quotité of ``quota_form``, typed as an entity or as free text."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_quota_form"

    async def extract_quotite(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Take a choice (« 1 » → temps plein), or pass the free text on when it answers."""
        if requested_slot(tracker) != "quotite":
            return {}
        chosen = chosen_value(tracker, "quotite")
        if chosen is not None:
            return {"quotite": chosen}
        if tracker.get_slot("quotite") is not None:
            return {}
        text = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        if not text or text.startswith("/") or is_question(text):
            return {}
        if intent in CORRECTION_INTENTS and parse_quotite(text) is not None:
            return {"quotite": text}  # « ah non, 50 % » corrects, it does not stop the form
        if intent not in ANSWER_INTENTS:
            return {}
        attempt = intent in ATTEMPT_INTENTS or len(text.split()) <= 3
        if parse_quotite(text) is None and not attempt:
            return {}  # a question asked mid-form: let the dialogue handle it
        return {"quotite": text}

    def validate_quotite(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep a quotité the rules accept, as a number; otherwise explain and ask again."""
        if slot_value is None:
            return {"quotite": None}  # cleared by the dialogue: not an answer
        try:
            return {"quotite": check_quotite(slot_value)}
        except ValueError as error:
            dispatcher.utter_message(text=str(error))
            return {"quotite": None}


class ActionQuota(Action):
    """Answer per week and per month for the quotité in the slot (``action_quota``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_quota"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the ceilings, the explanation and the sources; keep the quotité."""
        try:
            quotite = check_quotite(tracker.get_slot("quotite"))
        except ValueError as error:
            # The form asks again and stays open for the answer: asked from here, the
            # button « 50 % » that followed (a quotité left by a stray entity, « 0,5 » typed
            # as a distance) found no form and got « Puis-je vous aider… ? » (fuzzer).
            if tracker.get_slot("quotite") is not None:
                dispatcher.utter_message(text=str(error))
            return [SlotSet("quotite", None), FollowupAction("quota_form")]
        await reply_quota(dispatcher, tracker, quotite, base=tracker.get_slot("base"))
        return [remember("quota")]
