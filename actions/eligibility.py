"""Can I telework? The eligibility form and the cited verdict of the rules engine.

The form asks the status, the contract length (contractuels only), whether some activities
can be done remotely and whether the home meets the requirements; a free « ouais » or
« pas vraiment » counts as well as the buttons. Its coarse answers are mapped onto
:class:`rules.EligibilityRequest` without guessing what was not asked: a question the form
does not ask stays unknown and the engine lists it as a point to check.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ATTEMPT_INTENTS,
    RULES_TIMEOUT_S,
    button,
    chosen_value,
    failure_text,
    latest_intent,
    latest_text,
    pydantic_message,
    requested_slot,
    run_in_thread,
    section_of,
    send_sources,
)
from actions.parsing import mentions_permanent_contract, parse_status, parse_yes_no
from actions.replies import is_question
from rules import EligibilityRequest, EligibilityResult, evaluate_eligibility
from rules.eligibility import VERDICTS, Criterion
from rules.models import RulesDataError, load_rules

logger = logging.getLogger(__name__)

FORM_SLOTS = ("status", "contract_over_one_year", "activities_teleworkable", "home_conditions_ok")
YES_NO_SLOTS = FORM_SLOTS[1:]
# Intents whose text may answer one of the form's questions.
ANSWER_INTENTS = {
    "inform", "nlu_fallback", "out_of_scope", "affirm", "deny", "dont_know", "ask_eligibility"
}  # fmt: skip
VERDICT_TITLES = {
    "eligible": "Verdict : éligible",
    "not_eligible": "Verdict : non éligible en l'état",
    "to_discuss": "Verdict : à examiner",
}
STATUS_LABELS = {"ok": "Rempli", "not_met": "Non rempli", "to_discuss": "À examiner"}
STATUS_HINT = "Répondez « fonctionnaire » (titulaire ou stagiaire) ou « contractuel » (CDD, CDI)."
YES_NO_HINT = "Je n'ai pas compris votre réponse : répondez par « oui » ou par « non »."
HOME_NOT_ALL = (
    "Vous avez indiqué que ces conditions ne sont pas toutes réunies : chacune est exigée pour "
    "télétravailler à domicile ; vérifiez-les une à une ci-dessus. Le télétravail peut aussi "
    "s'exercer dans les locaux d'une autre administration ou d'une structure dédiée."
)
NEXT_BUTTONS = [
    button("Préparer ma demande", "/request_draft"),
    button("Parler au référent", "/talk_to_human"),
]
UNAVAILABLE = "Je n'arrive pas à vérifier votre éligibilité pour le moment. Réessayez plus tard."
ASK_AGAIN = "Reprenons les questions d'éligibilité depuis le début."
RESTART_BUTTON = button("Reprendre les questions", "/start_eligibility")


def _as_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else parse_yes_no(value)


def build_request(slots: dict[str, Any]) -> EligibilityRequest:
    """Map the form's answers onto the engine's request, leaving unasked points unknown.

    A contractuel answering « more than a year » is sent as the shortest contract that
    qualifies, « a year or less » as the longest that does not; the status criterion's
    message is then reworded by :func:`status_message` to say what the user really said.
    """
    limit = load_rules().eligibility.status.value.min_contract_months_exclusive
    contract = _as_bool(slots.get("contract_over_one_year"))
    months = None if contract is None else (limit + 1 if contract else limit)
    home = _as_bool(slots.get("home_conditions_ok"))
    return EligibilityRequest.model_validate(
        {
            "status": slots.get("status"),
            "contract_months": months if slots.get("status") == "contractuel" else None,
            "has_teleworkable_tasks": _as_bool(slots.get("activities_teleworkable")),
            "electrical_conformity": "attestation_sur_l_honneur" if home else None,
            "smoke_detector": True if home else None,
            "internet_suitable": True if home else None,
            "home_insurance": True if home else None,
            "children_during_telework": False if home else None,
            "ergonomic_workspace": True if home else None,
        }
    )


def status_message(criterion: Criterion, contract: bool | None) -> str:
    """Say what the contractuel answered, instead of the representative contract length."""
    if criterion.code != "status" or contract is None:
        return criterion.message
    rule = load_rules().eligibility.status
    limit = rule.value.min_contract_months_exclusive
    if contract:
        return f"Contrat de plus de {limit} mois : condition remplie."
    return (
        f"Contrat de {limit} mois ou moins : le télétravail est ouvert aux contractuels dont le "
        f"contrat dure plus de {limit} mois. {rule.note}"
    )


def describe(result: EligibilityResult, slots: dict[str, Any]) -> str:
    """Write the verdict, each reason with its section, and the documents to join."""
    contract = _as_bool(slots.get("contract_over_one_year"))
    lines = [f"{VERDICT_TITLES[result.verdict]}. {VERDICTS[result.verdict]}."]
    for criterion in result.criteria:
        message = status_message(criterion, contract)
        cited = section_of(criterion.sources)
        source = f" (Source : {cited})" if cited else ""
        lines.append(f"• {STATUS_LABELS[criterion.status]} — {message}{source}")
    if _as_bool(slots.get("home_conditions_ok")) is False:
        lines.append(HOME_NOT_ALL)
    lines.append(load_rules().eligibility.discretion.note)
    lines.append("Pièces à joindre à la demande :")
    lines += [f"• {document.label}" for document in result.documents]
    return "\n".join(lines)


class ValidateEligibilityForm(FormValidationAction):
    """Check the answers of ``eligibility_form``; a fonctionnaire is not asked the contract."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_eligibility_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """Skip the contract question for a fonctionnaire."""
        if tracker.get_slot("status") == "fonctionnaire":
            return [slot for slot in domain_slots if slot != "contract_over_one_year"]
        return domain_slots

    @staticmethod
    def _answer_text(tracker: Tracker, slot: str) -> str | None:
        """The free text when it may answer the question asked for ``slot``, else None."""
        if requested_slot(tracker) != slot or tracker.get_slot(slot) is not None:
            return None
        text = latest_text(tracker).strip()
        if not text or text.startswith("/") or latest_intent(tracker) not in ANSWER_INTENTS:
            return None
        if is_question(text) and len(text.split()) > 2:
            return None  # « c'est quoi les activités exclues ? » is answered, then asked again
        return text

    @staticmethod
    def _is_attempt(tracker: Tracker, text: str) -> bool:
        return latest_intent(tracker) in ATTEMPT_INTENTS or len(text.split()) <= 3

    async def extract_status(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Read « titulaire », « CDD », « en CDI » (a CDI also answers the contract question).

        « 2 », « b » or a button's title pick that button's status.
        """
        if requested_slot(tracker) == "status":
            chosen = chosen_value(tracker, "status")
            if chosen is not None:
                return {"status": chosen}
        text = self._answer_text(tracker, "status")
        if text is None:
            return {}
        if parse_status(text) is None:
            return {"status": text} if self._is_attempt(tracker, text) else {}
        if mentions_permanent_contract(text):
            return {"status": text, "contract_over_one_year": True}
        return {"status": text}

    async def _extract_yes_no(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        if requested_slot(tracker) == slot:
            chosen = chosen_value(tracker, slot)
            if isinstance(chosen, bool):
                return {slot: chosen}
        text = self._answer_text(tracker, slot)
        if text is None:
            return {}
        if slot == "contract_over_one_year" and mentions_permanent_contract(text):
            return {slot: True}
        answer = parse_yes_no(text)
        if answer is not None:
            return {slot: answer}
        return {slot: text} if self._is_attempt(tracker, text) else {}

    async def extract_contract_over_one_year(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Read a free yes or no (or « CDI ») about the contract length.

        « en CDI » answers it wherever it is said, the message that started the form included.
        """
        slot = "contract_over_one_year"
        if tracker.get_slot(slot) is None and mentions_permanent_contract(latest_text(tracker)):
            return {slot: True}
        return await self._extract_yes_no(tracker, slot)

    async def extract_activities_teleworkable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Read a free yes or no about activities that can be done remotely."""
        return await self._extract_yes_no(tracker, "activities_teleworkable")

    async def extract_home_conditions_ok(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Read a free yes or no about the home requirements."""
        return await self._extract_yes_no(tracker, "home_conditions_ok")

    def validate_status(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep « fonctionnaire » or « contractuel »; otherwise explain and ask again."""
        status = parse_status(slot_value)
        if status is None and slot_value is not None:  # None: cleared, not an answer
            dispatcher.utter_message(text=f"Je n'ai pas reconnu votre statut. {STATUS_HINT}")
        return {"status": status}

    def _validate_yes_no(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher
    ) -> dict[str, Any]:
        answer = _as_bool(value)
        if answer is None and value is not None:  # None: cleared, not an answer
            dispatcher.utter_message(text=YES_NO_HINT)
        return {slot: answer}

    def validate_contract_over_one_year(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep a yes or a no about the contract length."""
        return self._validate_yes_no("contract_over_one_year", slot_value, dispatcher)

    def validate_activities_teleworkable(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep a yes or a no about activities that can be done remotely."""
        return self._validate_yes_no("activities_teleworkable", slot_value, dispatcher)

    def validate_home_conditions_ok(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep a yes or a no about the home requirements."""
        return self._validate_yes_no("home_conditions_ok", slot_value, dispatcher)


class ActionEligibility(Action):
    """Give the cited verdict for the form's answers, then clear them (``action_eligibility``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the verdict, the reasons with their sources and the documents to join."""
        slots = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if slots["status"] not in ("fonctionnaire", "contractuel"):
            dispatcher.utter_message(response="utter_ask_status")
            return []
        # Expected failures get their own reply; an unexpected one is a bug: logged with its
        # stack trace at ERROR (never swallowed), and the agent still gets a French message
        # rather than no reply at all.
        try:
            request = build_request(slots)
        except ValidationError as error:  # an answer the engine does not accept: ask again
            logger.info("Réponses d'éligibilité refusées (%d erreurs)", error.error_count())
            dispatcher.utter_message(
                text=f"{pydantic_message(error)}. {ASK_AGAIN}", buttons=[RESTART_BUTTON]
            )
            return reset
        except RulesDataError:  # the rules files themselves are broken
            logger.exception("Évaluation de l'éligibilité impossible : règles illisibles")
            dispatcher.utter_message(text=UNAVAILABLE)
            return reset
        try:
            result = await run_in_thread(evaluate_eligibility, request, timeout=RULES_TIMEOUT_S)
        except TimeoutError as error:  # too slow, or every worker thread busy
            logger.warning("Évaluation de l'éligibilité abandonnée (%s)", type(error).__name__)
            dispatcher.utter_message(text=failure_text(error, UNAVAILABLE))
            return reset
        except RulesDataError:
            logger.exception("Évaluation de l'éligibilité impossible : règles illisibles")
            dispatcher.utter_message(text=UNAVAILABLE)
            return reset
        except Exception:
            logger.exception("Évaluation de l'éligibilité impossible : erreur inattendue")
            dispatcher.utter_message(text=UNAVAILABLE)
            return reset
        dispatcher.utter_message(text=describe(result, slots))
        send_sources(dispatcher, result.sources, sections=False, buttons=NEXT_BUTTONS)
        return reset
