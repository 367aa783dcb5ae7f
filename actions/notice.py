"""Notice periods: when a change of telework takes effect, computed by the rules engine.

With an event (``notice_event``) and a notification date (the ``date`` slot, else the latest
message, read in French, day before month, a date without a year being the next one), the
rules engine gives the earliest effective date. Without both, the question goes to the
texts like any other. The date and the event are cleared once used.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_question, question_text
from actions.common import (
    RULES_TIMEOUT_S,
    latest_text,
    pydantic_message,
    run_in_thread,
    send_sources,
)
from actions.parsing import parse_date
from rules import NoticeRequest, compute_notice
from rules.formatting import fr_date

logger = logging.getLogger(__name__)

DATE_HINT = (
    "Pour calculer la date d'effet, donnez-moi la date de notification, par exemple "
    "« le 4 mai 2026 » ou « 04/05/2026 »."
)
UNKNOWN_DATE = "Je n'ai pas reconnu la date de notification. " + DATE_HINT
UNAVAILABLE = "Je n'arrive pas à faire ce calcul pour le moment. Réessayez dans un instant."
CLEARED: list[EventType] = [SlotSet("date", None), SlotSet("notice_event", None)]


async def read_date(text: str) -> dt.date | None:
    """Parse a French date in a worker thread (dateparser is not instantaneous)."""
    try:
        return await run_in_thread(parse_date, text, timeout=RULES_TIMEOUT_S)
    except Exception:
        logger.exception("Lecture de la date impossible")
        return None


async def reply_notice(dispatcher: CollectingDispatcher, event: str, day: dt.date) -> bool:
    """Compute and send the earliest effective date; return False if it could not be done."""
    try:
        request = NoticeRequest.model_validate({"event": event, "date": day})
    except ValidationError as error:
        dispatcher.utter_message(text=f"{pydantic_message(error)}.")
        return False
    try:
        result = await run_in_thread(compute_notice, request, timeout=RULES_TIMEOUT_S)
    except Exception:
        logger.exception("Calcul du délai de prévenance impossible")
        dispatcher.utter_message(text=UNAVAILABLE)
        return False
    headline = f"Date d'effet au plus tôt : {fr_date(result.effective_date)}."
    dispatcher.utter_message(text=f"{headline}\n\n{result.explanation}")
    send_sources(dispatcher, result.sources)
    return True


class ActionNotice(Action):
    """Compute a notice period when event and date are known, else answer from the texts."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the effective date with its sources, or the texts' answer."""
        event = tracker.get_slot("notice_event")
        raw_date = tracker.get_slot("date")
        day = await read_date(raw_date) if isinstance(raw_date, str) else None
        if day is None and isinstance(event, str):
            day = await read_date(latest_text(tracker))
        if isinstance(event, str) and day is not None:
            await reply_notice(dispatcher, event, day)
            return CLEARED
        await answer_question(dispatcher, question_text(tracker))
        if isinstance(event, str):
            # The event is kept: a date given next (intent inform) completes the computation.
            dispatcher.utter_message(text=UNKNOWN_DATE if raw_date else DATE_HINT)
        return [SlotSet("date", None)] if raw_date else []
