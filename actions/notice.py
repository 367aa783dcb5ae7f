"""Notice periods: when a change of telework takes effect, computed by the rules engine.

With an event (``notice_event``) and a notification date (``date``, read in French, day
before month, a date without a year being the next one), the rules engine gives the earliest
effective date. A message giving both is computed at once (:func:`notice_now`); otherwise the
question is answered from the texts and « Calculer la date d'effet » starts ``notice_form``,
which asks the event (buttons or words) and the date, then ``action_notice`` computes. The
date and the event are cleared once used.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import dates
from actions.common import (
    ATTEMPT_INTENTS,
    RULES_TIMEOUT_S,
    button,
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
    value_before_turn,
)
from actions.guide import delay_text
from actions.notice_deadline import (
    UNAVAILABLE,
    other_reading,
    remember_wished,
    reply_deadline,
    wishes_effect_on,
)
from actions.replies import attempted_choice, is_question
from actions.routing import END_EVENTS, adaptation_over, mentions_date, situation_of
from knowledge.analysis import fold
from rules import NoticeRequest, compute_notice
from rules.extracts import notice_extract
from rules.formatting import fr_date
from rules.models import cite, load_rules

logger = logging.getLogger(__name__)

# Days after today of the notification date given as an example (a near, plausible one).
EXAMPLE_DAYS_AHEAD = 7
UNKNOWN_EVENT = (
    "Je n'ai pas reconnu le changement. Répondez par son numéro :\n"
    "1. Échanger un jour ponctuellement\n2. Changer mes jours durablement\n"
    "3. Arrêter pendant l'adaptation\n4. Arrêter le télétravail"
)
RECOMPUTE_HINT = (
    "Pour recalculer, dites par exemple « et si je préviens le 4 janvier ? » ou « corriger la "
    "date »."
)
CLEARED: list[EventType] = [SlotSet("date", None), SlotSet("notice_event", None)]
# Intents whose text may answer one of the form's questions.
ANSWER_INTENTS = {"inform", "nlu_fallback", "out_of_scope", "dont_know", "ask_changes"}
EVENTS = ("ponctual_change", "calendar_change", "end_during_adaptation", "end")
# Words of each event, most specific first (folded text).
_EVENT_WORDS = (
    ("end_during_adaptation", re.compile(r"adaptation")),
    ("ponctual_change", re.compile(r"ponctuel|echang|exceptionnel|une fois")),
    ("calendar_change", re.compile(r"durabl|calendrier|definiti|changer|modifi")),
    ("end", re.compile(r"arret|fin\b|mettre fin|cess|stopp|termin")),
)


def parse_event(value: object) -> str | None:
    """Read the kind of change from a button value or a few words."""
    if value in EVENTS:
        return str(value)
    if not isinstance(value, str):
        return None
    folded = fold(value)
    over = adaptation_over(folded)
    for event, words in _EVENT_WORDS:
        if words.search(folded) and not (over and event == "end_during_adaptation"):
            return event
    return "end" if over else None


def date_example(today: dt.date | None = None) -> str:
    """« le 14 décembre 2026 » ou « 14/12/2026 »: a week from today, so never in the past."""
    day = (today or dates.current_day()) + dt.timedelta(days=EXAMPLE_DAYS_AHEAD)
    return f"« le {fr_date(day).split(' ', 1)[1]} » ou « {day:%d/%m/%Y} »"


def date_hint() -> str:
    """How to give the notification date, with an example that follows today's date."""
    return (
        "Pour calculer la date d'effet, donnez-moi la date de notification, par exemple "
        f"{date_example()}."
    )


def unknown_date() -> str:
    """A date that could not be read, and how to give it."""
    return "Je n'ai pas reconnu la date de notification. " + date_hint()


async def read_date(text: str) -> dt.date | None:
    """The one date of a message, read in a worker thread (dateparser blocks).

    :func:`actions.dates.read_date` finds it wherever it stands; None when the message holds
    none, only part of one, or two different dates (never a date computed from a fragment).
    """
    try:
        today = dates.current_day()
        return await run_in_thread(dates.read_date, text, today, timeout=RULES_TIMEOUT_S)
    except Exception:
        logger.exception("Lecture de la date impossible")
        return None


async def reply_notice(
    dispatcher: CollectingDispatcher, event: str, day: dt.date, message: str = ""
) -> bool:
    """Compute and send the earliest effective date; return False if it could not be done.

    The reply quotes the sentence of the text that sets the delay: of the event's sentences,
    the one closest to what the agent wrote (``message``).
    """
    if event not in EVENTS:
        dispatcher.utter_message(text=UNKNOWN_EVENT)
        return False
    try:
        request = NoticeRequest.model_validate({"event": event, "date": day})
    except ValidationError as error:
        # The event is known by now: what the engine refuses is the date, in French.
        dispatcher.utter_message(text=f"{pydantic_message(error)}. {date_hint()}")
        return False
    try:
        result = await run_in_thread(compute_notice, request, timeout=RULES_TIMEOUT_S)
    except Exception as error:
        logger.exception("Calcul du délai de prévenance impossible")
        dispatcher.utter_message(text=failure_text(error, UNAVAILABLE))
        return False
    headline = f"Date d'effet au plus tôt : {fr_date(result.effective_date)}."
    try:
        other = await run_in_thread(other_reading, event, day, message, timeout=RULES_TIMEOUT_S)
    except Exception:
        logger.exception("Calcul de la date limite de prévenance impossible")
        other = ""
    parts = [headline, other, result.explanation, notice_extract((event,), message)]
    dispatcher.utter_message(text="\n\n".join([*filter(None, parts), RECOMPUTE_HINT]))
    send_sources(dispatcher, result.sources)
    return True


async def notice_now(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Compute the notice for the event and date of the slots (the message fills them).

    A date that cannot be read is explained and cleared, the event kept: a date given next
    completes the computation.
    """
    event = parse_event(tracker.get_slot("notice_event"))
    raw_date = tracker.get_slot("date") or latest_entity(tracker, "date")
    day = await read_date(str(raw_date)) if raw_date else None
    if event is None or day is None:
        dispatcher.utter_message(text=unknown_date() if event else UNKNOWN_EVENT)
        return [SlotSet("date", None)]
    return await notice_for(dispatcher, tracker, event, day)


async def notice_for(
    dispatcher: CollectingDispatcher, tracker: Tracker, event: str, day: dt.date
) -> list[EventType]:
    """The effective date of ``event`` notified on ``day``, kept for the follow-ups.

    When ``day`` is the wished effective date (:func:`wishes_effect_on`): by when to notify.
    """
    if wishes_effect_on(latest_text(tracker)):
        return await _deadline(dispatcher, tracker, event, day)
    if await reply_notice(dispatcher, event, day, _said(tracker)):
        return [*CLEARED, remember("notice", event=event, date=day.isoformat())]
    return CLEARED


async def _deadline(
    dispatcher: CollectingDispatcher, tracker: Tracker, event: str, wished: dt.date
) -> list[EventType]:
    """By when to notify for the wished date; kept for its follow-ups when computed."""
    if await reply_deadline(dispatcher, event, wished, _said(tracker)):
        return [*CLEARED, remember_wished(event, wished)]
    return CLEARED


class ValidateNoticeForm(FormValidationAction):
    """Check the event and the date of ``notice_form``, typed as entities or free text."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_notice_form"

    @staticmethod
    def _free_text(tracker: Tracker, slot: str) -> dict[str, Any]:
        if requested_slot(tracker) != slot or tracker.get_slot(slot) is not None:
            return {}
        text = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        if not text or text.startswith("/"):
            return {}
        reads = parse_event(text) is not None if slot == "notice_event" else mentions_date(text)
        dated = slot == "date" and reads and not is_question(text)
        if intent not in ANSWER_INTENTS and not dated:
            # A date stated with its reason (« lundi prochain, g un rdv médical ») answers
            # the date question whatever the intent the reason gave.
            return {}
        if text.endswith("?") and not reads and intent != "inform":
            return {}  # « il peut contester ? »: a short question, answered, not a value
        if intent in ATTEMPT_INTENTS or len(text.split()) <= 3:
            return {slot: text}
        # A statement that holds the answer (« arrêter le tt, je suis en période
        # d'adaptation », « je préviens le 1er février ») answers; a question is answered.
        if reads and not is_question(text):
            return {slot: text}
        return {}  # a question asked mid-form: let the dialogue answer it

    async def extract_notice_event(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Take a choice (« 2 », « b »), or pass the free text on when it answers."""
        if requested_slot(tracker) == "notice_event":
            chosen = chosen_value(tracker, "notice_event")
            if chosen is not None:
                return {"notice_event": chosen}
            if attempted_choice(latest_text(tracker)):
                return {"notice_event": latest_text(tracker)}
        return self._free_text(tracker, "notice_event")

    async def extract_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Pass the free text on when it answers the date question."""
        return self._free_text(tracker, "date")

    def validate_notice_event(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep one of the four changes; otherwise explain and ask again."""
        if slot_value is None:
            return {"notice_event": None}  # cleared by the dialogue: not an answer
        event = parse_event(slot_value)
        if event is None and requested_slot(tracker) != "notice_event":
            # A word the entity extractor took for the event (« février » of a date) while
            # the form asked something else: the event already given stands.
            return {"notice_event": parse_event(value_before_turn(tracker, "notice_event"))}
        if event is None:
            dispatcher.utter_message(text=UNKNOWN_EVENT)
        return {"notice_event": event}

    async def validate_date(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep a readable date (as « jj/mm/aaaa »); otherwise explain and ask again.

        The entity may hold part of the date only (« février 2027 » of « le 1er février
        2027 »): the whole message is read when the entity alone gives no date.
        """
        if slot_value is None:
            return {"date": None}  # cleared by the dialogue: not an answer
        day = await read_date(str(slot_value)) if slot_value else None
        text = latest_text(tracker).strip()
        if day is None and text and not text.startswith("/") and text != slot_value:
            day = await read_date(text)
        if day is None:
            dispatcher.utter_message(text=unknown_date())
            return {"date": None}
        kept = {"date": day.strftime("%d/%m/%Y")}
        event = parse_event(tracker.get_slot("notice_event"))
        said = situation_of(text, event) if event in END_EVENTS else event
        if said != event and said in END_EVENTS:
            # « je suis toujours en période d'adaptation et je préviens le 4 janvier »: the
            # end the form holds (often from the offer) is corrected by what the agent says.
            return {**kept, "notice_event": said}
        return kept


class ActionNotice(Action):
    """Compute the notice period from the form's event and date (``action_notice``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the effective date with its sources, then clear the event and the date."""
        return await notice_now(dispatcher, tracker)


# The events a question about one of them is answered with: the change of a day, ponctual
# or durable; the end of telework, during the adaptation period or after it.
FAMILIES: dict[str, tuple[str, ...]] = {
    "ponctual_change": ("ponctual_change", "calendar_change"),
    "calendar_change": ("calendar_change", "ponctual_change"),
    "end": ("end", "end_during_adaptation"),
    "end_during_adaptation": ("end_during_adaptation", "end"),
}
OFFER_TEXT = "Voulez-vous calculer la date d'effet pour votre cas ? (oui / non)"


def _delay(event: str) -> str:
    rule = load_rules().notice.events[event]  # type: ignore[index]
    text = delay_text(rule.value)
    return f"48 h ({text})" if event == "ponctual_change" else text


def _said(tracker: Tracker) -> str:
    """The agent's last messages, to pick the sentence of the text a reply quotes."""
    return " ".join(recent_user_texts(tracker))


def rule_text(events: tuple[str, ...], message: str = "", vague: str | None = None) -> str:
    """The notice periods of some events, one line each, then the text's sentences.

    Each event's sentence quoted is the one of the rules data closest to the agent's
    ``message``; a month named without its day (``vague``: « début février ») is asked for
    precisely.
    """
    rules = load_rules().notice.events
    lines = ["Délais de prévenance :"]
    for event in events:
        rule = rules[event]  # type: ignore[index]
        lines.append(f"• {rule.label[0].upper()}{rule.label[1:]} : {_delay(event)}. {rule.note}")
    lines.append(
        "Le délai court à partir de la date où le changement est notifié ; donnez-moi cette "
        "date et je calcule la date d'effet."
    )
    if vague is not None:
        lines.append(
            f"« {vague} » ne donne pas le jour : quelle date exacte ? Par exemple {date_example()}."
        )
    return "\n".join(lines) + "\n\n" + notice_extract(events, message)


async def notice_question(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    events: tuple[str, ...],
    *,
    offer: bool = True,
) -> list[EventType]:
    """Answer a question about changing or ending telework: computed with a date, else the rule.

    With a date in the message (anywhere: « …si je préviens le 15 mars 2027 ? », « demain »),
    the effective date of the likeliest event is computed (the answer restates the event and
    the date read) and the other event of the family is named. Without one, the notice
    periods of the family are given with their sources, and the computation is offered
    (unless ``offer`` is False: inside a form, whose question comes next).
    """
    event = events[0]
    family = FAMILIES[event]
    day = None
    if mentions_date(latest_text(tracker)):
        raw = latest_entity(tracker, "date")
        day = await read_date(str(raw)) if raw else None
        day = day or await read_date(latest_text(tracker))
    if day is not None and wishes_effect_on(latest_text(tracker)):
        return await _deadline(dispatcher, tracker, event, day)
    if day is not None:
        if not await reply_notice(dispatcher, event, day, _said(tracker)):
            return CLEARED
        other = family[1]
        label = load_rules().notice.events[other].label  # type: ignore[index]
        dispatcher.utter_message(
            text=f"S'il s'agit plutôt d'une {label} : délai de {_delay(other)}."
        )
        return [*CLEARED, remember("notice", event=event, date=day.isoformat())]
    rules = load_rules().notice.events
    vague = dates.vague_date(latest_text(tracker))
    dispatcher.utter_message(text=rule_text(family, _said(tracker), vague))
    send_sources(dispatcher, cite(*(rules[e] for e in family)))  # type: ignore[index]
    # Kept for the next turn: a date given then (« je préviens lundi ») is computed for it.
    context = [remember("notice", event=event)]
    if not offer:
        return context
    payload = "/start_notice"
    if len(events) == 1:
        payload += json.dumps({"notice_event": event})
    dispatcher.utter_message(text=OFFER_TEXT, buttons=[button("Calculer la date d'effet", payload)])
    return context


class ActionAskDate(Action):
    """The notice form's date question, with an example that follows today's date."""

    def name(self) -> str:
        """The action Rasa runs to ask the form's ``date`` slot."""
        return "action_ask_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the date; the form's validation reads the answer."""
        dispatcher.utter_message(
            text=f"À quelle date le changement est-il notifié ? Par exemple {date_example()}."
        )
        return []
