"""The request form in Rasa: slots in, :mod:`actions.draft_dialogue` decides, documents out.

``validate_draft_form`` reads every message of the form with
:func:`~actions.draft_dialogue.interpret` and sets the slots (``draft_<field>``) and the next
question itself (``requested_slot``), so several values per message, corrections, skips and
cancelling all work in the same place. ``action_ask_draft_confirmation`` shows the summary;
``action_draft_submit`` makes the draft in-process with :mod:`drafts.service` (the same
function as ``POST /api/drafts``) and sends the links twice: as text, and as a custom payload
``{"documents": {...}}`` of exactly the API's shape, which the web chat renders.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.common import (
    button,
    failure_text,
    latest_intent,
    latest_text,
    own_question,
    run_in_thread,
)
from actions.computation_follow_ups import notice_date
from actions.draft_dialogue import interpret, summary, to_request
from actions.draft_fields import HIDDEN, NAMES, SLOT_PREFIX
from actions.questions import answer_in_form
from actions.replies import asks_in_passing
from actions.settings import ActionSettings
from drafts.config import get_draft_settings
from drafts.service import DOCUMENT_TITLES, create_draft, document_urls
from drafts.validation import DraftRuleError
from knowledge.payload import BotPayload

logger = logging.getLogger(__name__)
PREFIX = SLOT_PREFIX
SLOTS = [f"{PREFIX}{name}" for name in (*NAMES, *HIDDEN)]
SKIPPED = "draft_skipped"
DRAFT_TIMEOUT_S = 60.0
BUTTON_ANSWERS = {"affirm": "oui", "deny": "non", "stop": "annuler"}
INTRO = (
    "Préparons ensemble votre demande de télétravail : je remplis l'annexe 1 (« Formulaire de "
    "demande et de validation de l'exercice des fonctions en télétravail ») à partir de vos "
    "réponses, une question à la fois. À tout moment : « corriger la quotité » (ou un autre "
    "champ), « passer » pour une question facultative, « aller à la fin » ou « annuler »."
)
CANCELLED = "C'est noté, j'abandonne la préparation de la demande : rien n'a été enregistré."


def _values(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(f"{PREFIX}{name}") for name in (*NAMES, *HIDDEN)}


def _reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS] + [SlotSet(SKIPPED, None)]


def _message_text(tracker: Tracker) -> str | None:
    """The text to read: a button's ``/affirm`` reads « oui »; other payloads are not answers."""
    text = latest_text(tracker)
    if text.startswith("/"):
        return BUTTON_ANSWERS.get(latest_intent(tracker))
    return text


class ValidateDraftForm(Action):
    """Read each answer of the request form and choose the next question.

    Why not rasa-sdk's ``FormValidationAction`` (which ``validate_decision_form`` uses): its
    plumbing reads one slot per ``extract_<slot>``/``validate_<slot>`` method and then asks
    the first empty required slot. Here one message is read once, as a whole, against the
    question asked (:func:`~actions.draft_dialogue.interpret`): it may fill several slots,
    correct one already given, skip optional ones or cancel, and the next question is not
    always the first empty one — the medical question comes early when the days need it, a
    correction asks its field even after skipped ones. Every stage of the plumbing would be
    overridden, so this stays a plain action that sets ``requested_slot`` itself, with the
    constant rasa-sdk exports for it.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_draft_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Interpret the latest message; set the answers and ``requested_slot``."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        field = own_question(tracker, PREFIX)
        skipped = list(tracker.get_slot(SKIPPED) or [])
        values = _values(tracker)
        text = _message_text(tracker)
        if field is None and text is not None and not text.startswith("/"):
            # « oui je fais la demande le 1er février » just after a notice period: the date
            # of that notice (computed), not a request to draft — the NLU reads « demande ».
            computed = await notice_date(dispatcher, tracker, text)
            if computed is not None:
                return [*computed, SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]
        if field is None:
            dispatcher.utter_message(text=INTRO)
        if text is None:
            dispatcher.utter_message(text="Terminons d'abord la demande (ou dites « annuler »).")
            return [SlotSet(SKIPPED, skipped), SlotSet(REQUESTED_SLOT, requested)]
        if field is not None and asks_in_passing(text):
            # « au fait, c'est quoi le préavis ? » is not the first name: answer it from the
            # texts, then the same question comes again.
            await answer_in_form(dispatcher, tracker)
            return [SlotSet(SKIPPED, skipped), SlotSet(REQUESTED_SLOT, requested)]
        turn = await run_in_thread(interpret, text, field, values, skipped, timeout=10.0)
        if turn.cancelled:
            dispatcher.utter_message(text=CANCELLED)
            return [*_reset(), SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]
        for message in turn.messages:
            dispatcher.utter_message(text=message)
        events: list[EventType] = [
            SlotSet(f"{PREFIX}{name}", value) for name, value in turn.updates.items()
        ]
        events.append(SlotSet(SKIPPED, [*skipped, *turn.skipped]))
        events.append(SlotSet(REQUESTED_SLOT, f"{PREFIX}{turn.ask}" if turn.ask else None))
        return events


class ActionAskDraftConfirmation(Action):
    """Show the summary of the answers and ask whether to prepare the documents."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_ask_draft_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the summary, then the question with Oui / Non buttons."""
        dispatcher.utter_message(
            text="Récapitulatif de votre demande :\n" + summary(_values(tracker))
        )
        dispatcher.utter_message(
            text="Je prépare les documents (Word et PDF) ? Sinon, dites ce qu'il faut corriger "
            "(par exemple « corriger les jours »).",
            buttons=[button("Oui, préparer les documents", "/affirm"), button("Non", "/deny")],
        )
        return []


@lru_cache(maxsize=1)
def _migrated() -> bool:
    """Apply the database migrations once per action-server process."""
    from storage import upgrade_database

    upgrade_database()
    return True


def public_url() -> str:
    """Where the API serves the documents (``TELETRAVAIL_PUBLIC_URL``), for the text links.

    Read at each call, not from the cached settings: a test stack sets it for its process.
    """
    return ActionSettings().public_base_url


AGENT_CLOSING = (
    "Relisez, datez et signez l'annexe 1 ; joignez l'annexe 2 et l'attestation d'assurance "
    "habitation, puis remettez-les à votre supérieur hiérarchique."
)


def links_text(
    documents: dict[str, dict[str, str]],
    warnings: list[str],
    days: int,
    closing: str = AGENT_CLOSING,
) -> str:
    """The documents as French lines with absolute links, the points to check, what next."""
    base = public_url()
    lines = [f"Vos documents sont prêts (conservés {days} jours) :"]
    for name, formats in documents.items():
        title = DOCUMENT_TITLES.get(name, name)
        lines.append(f"- {title} : Word {base}{formats['docx']} · PDF {base}{formats['pdf']}")
    if warnings:
        lines += ["", "Points à vérifier :", *(f"- {warning}" for warning in warnings)]
    lines += ["", closing]
    return "\n".join(lines)


class ActionDraftSubmit(Action):
    """Make the draft once the summary is confirmed (nothing when the form was cancelled)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_draft_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Create the documents and send their links, as text and as payload."""
        values = _values(tracker)
        if values.get("confirmation") is not True:
            return _reset()
        try:
            request = to_request(values)
            await run_in_thread(_migrated, timeout=DRAFT_TIMEOUT_S)
            info = await run_in_thread(create_draft, request, timeout=DRAFT_TIMEOUT_S)
        except (DraftRuleError, ValidationError) as error:
            logger.info("Brouillon refusé par les règles (%s)", type(error).__name__)
            dispatcher.utter_message(
                text=f"Je ne peux pas préparer la demande : {error}. Relancez « préparer ma "
                "demande » pour la reprendre."
            )
            return _reset()
        except Exception as error:
            logger.exception("Brouillon impossible à écrire")
            dispatcher.utter_message(
                text=failure_text(
                    error,
                    "Les documents n'ont pas pu être préparés (erreur du service). Réessayez "
                    "plus tard ou contactez le référent télétravail.",
                )
            )
            return _reset()
        documents = document_urls(info.id, info.documents)
        days = get_draft_settings().drafts_retention_days
        dispatcher.utter_message(text=links_text(documents, info.warnings, days))
        dispatcher.utter_message(json_message=BotPayload(documents=documents).to_custom())
        return _reset()
