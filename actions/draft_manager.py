"""The manager's form in Rasa: annex 4 or a motivated refusal from a stored request.

``validate_decision_form`` reads each answer with :mod:`actions.draft_decision`; once all
are given it checks the decision with the rules (:func:`drafts.decision.decide`) and asks
again the question a broken rule points to. ``action_decision_submit`` writes the document
with :func:`drafts.service.add_decision` (the function of ``POST /api/drafts/{id}/decision``)
and sends its links as text and as the ``{"documents": …}`` payload.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent, latest_text, run_in_thread
from actions.draft_decision import (
    ACCORD_FIELDS,
    FIELD_OF_RULE,
    REFUS_FIELDS,
    interpret,
    to_decision,
)
from actions.draft_dialogue import is_cancel
from actions.draft_form import links_text
from drafts.decision import decide
from drafts.service import DraftNotFoundError, add_decision, document_urls, get_draft
from drafts.validation import DraftRuleError

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


class ValidateDecisionForm(Action):
    """Read each answer of the manager's form, check the rules at the end."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_decision_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Set the answers and the next question (``requested_slot``)."""
        requested = tracker.get_slot("requested_slot")
        field = requested.removeprefix(PREFIX) if isinstance(requested, str) else None
        values = _values(tracker)
        if field is None:
            dispatcher.utter_message(text=INTRO)
        elif is_cancel(latest_text(tracker), latest_intent(tracker)):
            dispatcher.utter_message(text="C'est noté, j'abandonne cette décision.")
            return [*_reset(), SlotSet("requested_slot", None), ActiveLoop(None)]
        # dateparser (start date) blocks: read the message in a worker thread.
        turn = await run_in_thread(
            interpret, latest_text(tracker), field, values, timeout=TIMEOUT_S
        )
        values.update(turn.updates)
        for message in turn.messages:
            dispatcher.utter_message(text=message)
        if turn.ask is None:
            problem = await run_in_thread(_check, values, timeout=TIMEOUT_S)
            if problem is not None:
                turn.ask, message = problem
                dispatcher.utter_message(text=message)
                turn.updates[turn.ask] = None
        events: list[EventType] = [
            SlotSet(f"{PREFIX}{name}", value) for name, value in turn.updates.items()
        ]
        events.append(SlotSet(f"{PREFIX}kind", values.get("kind")))
        events.append(SlotSet("requested_slot", f"{PREFIX}{turn.ask}" if turn.ask else None))
        return events


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
        dispatcher.utter_message(json_message={"documents": documents})
        return _reset()
