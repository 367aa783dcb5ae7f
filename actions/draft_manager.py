"""The manager's form in Rasa: annex 4 or a motivated refusal from a stored request.

``validate_decision_form`` (a rasa-sdk ``FormValidationAction``) reads each answer with
:mod:`actions.draft_decision`; once all are given it checks the decision with the rules
(:func:`drafts.decision.decide`) and asks again the question a broken rule points to.
``action_decision_submit`` writes the document with :func:`drafts.service.add_decision` (the
function of ``POST /api/drafts/{id}/decision``) and sends its links as text and as the
``{"documents": …}`` payload.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.common import latest_intent, latest_text, own_question, run_in_thread
from actions.draft_decision import (
    ACCORD_FIELDS,
    FIELD_OF_RULE,
    REFUS_FIELDS,
    fields_for,
    interpret,
    to_decision,
)
from actions.draft_dialogue import is_cancel
from actions.draft_form import links_text
from actions.questions import OTHER_FLOWS, answer_in_form
from actions.replies import asks_in_passing
from drafts.decision import decide
from drafts.service import DraftNotFoundError, add_decision, document_urls, get_draft
from drafts.validation import DraftRuleError
from knowledge.payload import BotPayload

logger = logging.getLogger(__name__)
PREFIX = "decision_"
NAMES = tuple(dict.fromkeys((*ACCORD_FIELDS, *REFUS_FIELDS)))
TIMEOUT_S = 60.0
INTRO = (
    "Je prépare la décision sur une demande déjà remplie avec l'assistant : l'acte individuel "
    "(annexe 4) en cas d'accord, une lettre de refus motivé sinon."
)


def _values(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(f"{PREFIX}{name}") for name in NAMES}


def _reset() -> list[EventType]:
    return [SlotSet(f"{PREFIX}{name}", None) for name in NAMES]


def _check(values: dict[str, Any]) -> tuple[str, str] | None:
    """The question to ask again and why, if the decision breaks a rule (None: it holds)."""
    try:
        draft = get_draft(uuid.UUID(values["draft_id"]))
    except DraftNotFoundError:
        return "draft_id", "Brouillon introuvable : identifiant inconnu, supprimé ou expiré."
    try:
        decide(draft.request, to_decision(values), draft.created_at.date())
    except DraftRuleError as error:
        return FIELD_OF_RULE.get(error.field, "kind"), f"{str(error)[0].upper()}{str(error)[1:]}"
    except ValidationError:
        return "kind", "Cette décision n'est pas complète."
    return None


class ValidateDecisionForm(FormValidationAction):
    """Read each answer of the manager's form, check the rules at the end.

    rasa-sdk's form plumbing fits this form: :meth:`required_slots` gives the questions of
    an accord or of a refusal, the extraction step reads the answer to the question asked
    (the first message may already hold the link and the kind), the validation step checks
    the whole decision with the rules once every answer is in and clears the one a broken
    rule points to, and rasa-sdk then asks the first question left. :meth:`run` adds what
    the plumbing has no place for: the introduction, and « annuler », which ends the form.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_decision_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Introduce the form on its first turn, stop it on « annuler », else read the answer."""
        field = own_question(tracker, PREFIX)
        if field is None:
            dispatcher.utter_message(text=INTRO)
        elif is_cancel(latest_text(tracker), latest_intent(tracker)):
            dispatcher.utter_message(text="C'est noté, j'abandonne cette décision.")
            return [*_reset(), SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]
        elif latest_intent(tracker) in OTHER_FLOWS:
            return []  # nothing kept: Rasa rejects the form and the dialogue starts that flow
        elif asks_in_passing(latest_text(tracker)):
            # « un refus doit-il être motivé ? » is not the link: answer it, then ask again.
            await answer_in_form(dispatcher, tracker)
            return [SlotSet(f"{PREFIX}{field}", None)]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """The questions of this decision, in order (an accord and a refusal differ)."""
        return [f"{PREFIX}{name}" for name in fields_for(_values(tracker))]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Read the answer to the question asked; say why it was not kept, if not."""
        field = own_question(tracker, PREFIX)
        # dateparser (start date) blocks: read the message in a worker thread.
        turn = await run_in_thread(
            interpret, latest_text(tracker), field, _values(tracker), timeout=TIMEOUT_S
        )
        for message in turn.messages:
            dispatcher.utter_message(text=message)
        if field is not None and not turn.updates:
            # Not understood: the hint is sent and the question asked again (an empty answer
            # would make Rasa reject the form and answer with its generic fallback instead).
            return [SlotSet(f"{PREFIX}{field}", None)]
        return [SlotSet(f"{PREFIX}{name}", value) for name, value in turn.updates.items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Keep the answers read; once all are in, clear the one a broken rule points to."""
        answers = tracker.slots_to_validate()
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        if all(tracker.get_slot(slot) is not None for slot in required):
            problem = await run_in_thread(_check, _values(tracker), timeout=TIMEOUT_S)
            if problem is not None:
                ask, message = problem
                dispatcher.utter_message(text=message)
                answers[f"{PREFIX}{ask}"] = None
        return [SlotSet(name, value) for name, value in answers.items()]


class ActionDecisionSubmit(Action):
    """Write annex 4 or the refusal and send the links."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_decision_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Create the document and send its links, as text and as payload."""
        values = _values(tracker)
        if values.get("draft_id") is None or values.get("kind") is None:
            return _reset()  # cancelled
        try:
            draft_id = uuid.UUID(values["draft_id"])
            info, name, warnings = await run_in_thread(
                add_decision, draft_id, to_decision(values), timeout=TIMEOUT_S
            )
        except (DraftNotFoundError, DraftRuleError, ValidationError, TypeError, ValueError):
            dispatcher.utter_message(text="La décision n'a pas pu être préparée : reprenez-la.")
            return _reset()
        documents = document_urls(info.id, [name])
        days = max(0, (info.expires_at - info.created_at).days)
        closing = (
            "Complétez les mentions laissées en pointillés, datez et signez, puis notifiez la "
            "décision à l'agent."
        )
        dispatcher.utter_message(text=links_text(documents, warnings, days, closing))
        dispatcher.utter_message(json_message=BotPayload(documents=documents).to_custom())
        return _reset()
