"""Hand-offs and loose ends: the référent, the request form, bare values, resets.

The Tchap hand-off to a référent and the guided drafting of the request are other features;
until they land, these actions say honestly what exists (who the référent is, what annex 1
asks and where it is) rather than promise what the bot cannot do.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.common import (
    HELP_BUTTON,
    button,
    latest_entity,
    send_sources,
)
from actions.guide import (
    ANNEX_1_FIELDS,
    INDIVIDUAL_ACT,
    INTERVIEW,
    REFERENT,
    REQUEST_CONTENT,
    SECTIONS,
)
from actions.impact import check_days, check_distance, reply_impact
from actions.notice import CLEARED, read_date, reply_notice
from actions.quota import quota_now, stated_quotite
from rules.models import cite, load_rules

logger = logging.getLogger(__name__)

REFERENT_TEXT = (
    "Le référent télétravail de votre service accompagne les agents et les encadrants. Pour le "
    "joindre, demandez son nom et ses coordonnées à votre supérieur hiérarchique ou à votre "
    "service des ressources humaines de proximité.\n\n"
    "Je ne peux pas encore lui transmettre votre question moi-même : la mise en relation "
    "directe par Tchap n'est pas encore en service. Préparez votre question "
    "(quotité, jours souhaités, situation particulière) pour gagner du temps."
)
DRAFT_INTRO = (
    "Je peux remplir votre demande avec vous, une question à la fois : terminons d'abord la "
    "question en cours, puis choisissez « Préparer ma demande ». Voici déjà "
    "ce que demande le formulaire officiel : c'est l'annexe 1 (« Formulaire de demande et de "
    "validation de l'exercice des fonctions en télétravail ») de l'instruction "
    "SG/SRH/SDDPRS/2019-781 du ministère de l'agriculture."
)
DRAFT_OUTRO = (
    "La demande écrite est remise à votre supérieur hiérarchique, qui vous reçoit en "
    "entretien ; l'accord définitif est donné par le directeur de la structure."
)
# When a document is needed, for those whose label does not say it already.
WHEN = {
    "always": "",
    "home": "",
    "home_certificate": "",
    "chorus": " (si vous utilisez Chorus ou Chorus-formulaire)",
    "medical": " (demande pour raison médicale)",
}
FORM_SLOTS = (
    REQUESTED_SLOT,
    "quotite",
    "distance_km",
    "telework_days",
    "transport_mode",
    "status",
    "contract_over_one_year",
    "activities_teleworkable",
    "home_conditions_ok",
    "date",
    "notice_event",
    "quiz_index",
    "quiz_score",
    "quiz_choice",
)
WHAT_NEXT_BUTTONS = [
    button("Mes jours de télétravail", "/start_quota"),
    button("Vérifier mon éligibilité", "/start_eligibility"),
    button("Simuler mes économies", "/start_impact"),
    HELP_BUTTON,
]


def draft_text() -> str:
    """What annex 1 asks and which documents go with it, from the rules data."""
    documents = load_rules().eligibility.documents
    lines = [DRAFT_INTRO, "", "Le formulaire demande :"]
    lines += [f"• {field}" for field in ANNEX_1_FIELDS]
    lines += ["", "Pièces à joindre :"]
    lines += [f"• {doc.label}{WHEN[doc.when]}" for doc in documents if doc.code != "annexe_1"]
    lines += ["", DRAFT_OUTRO]
    return "\n".join(lines)


def send_referent(dispatcher: CollectingDispatcher) -> None:
    """Say who the référent is and how to reach them today, cited."""
    dispatcher.utter_message(text=REFERENT_TEXT)
    send_sources(dispatcher, cite(REFERENT), buttons=[HELP_BUTTON])


def send_draft_info(dispatcher: CollectingDispatcher) -> None:
    """Say what annex 1 asks and which documents go with it, cited, and offer to fill it."""
    rules = load_rules().eligibility
    form = next(doc for doc in rules.documents if doc.code == "annexe_1")
    others = [d for d in rules.documents if d.code != "annexe_1"]
    sources = cite(form, REQUEST_CONTENT, others, INTERVIEW, INDIVIDUAL_ACT)
    annex = [s for s in sources if s.section == SECTIONS["annex_1_step_1"]]
    dispatcher.utter_message(text=draft_text())
    send_sources(
        dispatcher,
        sources,
        shown=[*cite(form), *annex[:1]],
        buttons=[
            button("Préparer ma demande", "/request_draft"),
            button("Vérifier mon éligibilité", "/start_eligibility"),
        ],
    )


class ActionTalkToHuman(Action):
    """Explain how to reach the référent télétravail (``action_talk_to_human``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_talk_to_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send who the référent is and how to reach them today."""
        send_referent(dispatcher)
        return []


class ActionRequestDraft(Action):
    """Say what the request form (annex 1) asks and where it is (``action_request_draft``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_request_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the fields and documents of annex 1, cited."""
        send_draft_info(dispatcher)
        return []


class ActionHandleInform(Action):
    """Use a bare value given outside a form (« je suis à 80 % », « 12 km »)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_handle_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Compute what the value allows, or suggest what to do with it."""
        quotite = stated_quotite(tracker)
        if quotite is not None:
            return await quota_now(dispatcher, tracker, quotite)
        event = tracker.get_slot("notice_event")
        raw_date = latest_entity(tracker, "date") or tracker.get_slot("date")
        if isinstance(event, str) and raw_date:
            day = await read_date(str(raw_date))
            if day is not None and await reply_notice(dispatcher, event, day):
                return CLEARED
        distance = latest_entity(tracker, "distance_km")
        days = latest_entity(tracker, "telework_days")
        if distance is not None or days is not None:
            return await self._impact(dispatcher, tracker, distance, days)
        if latest_entity(tracker, "status") is not None:
            dispatcher.utter_message(
                text="Voulez-vous vérifier votre éligibilité au télétravail ?",
                buttons=[button("Vérifier mon éligibilité", "/start_eligibility"), HELP_BUTTON],
            )
            return []
        dispatcher.utter_message(
            text="Merci pour cette précision. Que voulez-vous faire ?", buttons=WHAT_NEXT_BUTTONS
        )
        return []

    @staticmethod
    async def _impact(
        dispatcher: CollectingDispatcher, tracker: Tracker, distance: Any, days: Any
    ) -> list[EventType]:
        events: list[EventType] = []
        values: dict[str, float | None] = {}
        for slot, given, check in (
            ("distance_km", distance, check_distance),
            ("telework_days", days, check_days),
        ):
            try:
                values[slot] = check(given if given is not None else tracker.get_slot(slot))
            except ValueError as error:
                values[slot] = None
                if given is not None:
                    dispatcher.utter_message(text=f"{error}.")
            if given is not None:
                events.append(SlotSet(slot, values[slot]))
        km, per_week = values["distance_km"], values["telework_days"]
        if km is not None and per_week is not None:
            await reply_impact(dispatcher, tracker, km, per_week)
        elif km is not None or per_week is not None:
            dispatcher.utter_message(
                text="Voulez-vous estimer le temps, les kilomètres et le CO2 que le télétravail "
                "vous ferait économiser ?",
                buttons=[button("Simuler mes économies", "/start_impact"), HELP_BUTTON],
            )
        return events


class ActionResetForms(Action):
    """Clear every form's slots, the pending notice and the quiz (``action_reset_forms``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_reset_forms"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Return one ``SlotSet(slot, None)`` per slot that holds a value."""
        return [SlotSet(slot, None) for slot in FORM_SLOTS if tracker.get_slot(slot) is not None]
