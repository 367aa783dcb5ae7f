"""Follow-ups after a computation: the same calculator again, with what the message changes.

People rarely start a calculator over to change one value: they type « et en train ? »
after the savings simulation, « et par mois ? » or « et à 70 % ? » after the quota, « et si
je préviens le 14 janvier 2027 ? » or « corriger la date » after a notice period. The last
computation (the ``last_computation`` slot, else the bot's last text) says which calculator
runs again; the slots it kept give the values the message leaves unchanged.

:func:`follow_up` is tried last by :func:`actions.dialogue.resolve_turn`, and by the small
talk a follow-up may be read as (:mod:`actions.small_talk`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adaptation_start import AdaptationStart, stated_start
from actions.common import latest_entity, latest_text, remember
from actions.dates import current_day
from actions.follow_ups import is_follow_up, without_acknowledgement
from actions.impact import check_days, check_distance, impact_entities, reply_impact
from actions.notice import notice_question, read_date, reply_notice
from actions.notice_deadline import remember_wished, reply_deadline, wishes_effect_on
from actions.parsing import parse_quotite, parse_transport_mode
from actions.quota import check_quotite, reply_quota, said_quotite, stated_quotite
from actions.replies import last_bot_text, last_choices, words
from actions.routing import END_EVENTS, mentions_date, situation_of, states_adaptation
from rules.extracts import names_administration

_CORRECT = re.compile(r"\b(corrig\w*|rectifi\w*|modifi\w*|chang\w*|mauvaise|erreur|bonne)\b")
# Asking what something is (« c quoi deja la période d'adaptation ? »), not saying one's case.
_DEFINITION = re.compile(r"\b(c quoi|c est quoi|qu est ce|ca veut dire|veut dire quoi|signifie)\b")
# A value put right (« ah non c 30 km pas 40 », « non en fait 3 jours »).
_CORRECTED_VALUE = re.compile(r"\b(en fait|pas \d+|non c)\b")
_MONTHLY = re.compile(r"\b(mois|mensuel\w*)\b")
_WEEKLY = re.compile(r"\b(semaines?|hebdo\w*)\b")
_DAYS_COUNT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:jours?|jrs?|j)\b")
IMPACT_MARKER = "Hypothèses utilisées"
QUOTA_MARKERS = ("de télétravail par semaine au plus", "les plafonds ne laissent")
MAX_FOLLOW_UP_WORDS = 20
# « si je passe à 90, ça fait combien ? », « je repasse à temps plein en janvier, ça monte à
# combien par semaine ? »: a new value in a short sentence.
MAX_VALUE_FOLLOW_UP_WORDS = 14
# The smallest figure read as a quotité without « % » in a hypothesis (« si je passe à 90 »):
# smaller ones count days or hours (« si je fais 2 jours »).
MIN_PERCENT_FIGURE = 10


def last_computation(tracker: Tracker) -> dict[str, Any]:
    """What the bot computed last (``{"kind": "notice", "event": ...}``), or an empty dict."""
    value = tracker.get_slot("last_computation")
    return value if isinstance(value, dict) else {}


async def follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Recompute the last computation with what the message changes, if it is a follow-up."""
    text = without_acknowledgement(latest_text(tracker))
    tokens = words(text)
    if not tokens or len(tokens) > MAX_FOLLOW_UP_WORDS:
        return None
    last = last_computation(tracker)
    previous = last_bot_text(tracker.events)
    kind = last.get("kind")
    if kind == "impact" or IMPACT_MARKER in previous:
        return await _impact_follow_up(dispatcher, tracker, text)
    offered = {choice.intent for choice in last_choices(tracker.events)}
    if kind == "quota" or "start_quota" in offered or any(m in previous for m in QUOTA_MARKERS):
        # After the rule and its offer too: « et à mi-temps ? » asks the computation.
        return await _quota_follow_up(dispatcher, tracker, text)
    if kind == "notice" and isinstance(last.get("event"), str):
        return await _notice_follow_up(dispatcher, tracker, text, str(last["event"]))
    return None


async def _impact_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[EventType] | None:
    """« et en train ? », « pour 3 jours plutôt ? », « et à 40 km ? »: the simulation again."""
    if len(words(text)) > 8:
        return None
    mode = latest_entity(tracker, "transport_mode") or parse_transport_mode(text)
    # A new value counts in a follow-up (« pour 3 jours plutôt ? »), not in a new question
    # that happens to hold one (« je peux décaler mes 2 jours de tt ? »).
    changes = (
        is_follow_up(text)
        or len(words(text)) <= 4
        or bool({"plutot", "si", "pardon"} & set(words(text)))
        or _CORRECTED_VALUE.search(" ".join(words(text))) is not None
    )
    new_distance, new_days = impact_entities(tracker) if changes else (None, None)
    if not isinstance(mode, str) and new_days is None and new_distance is None:
        return None
    try:
        distance = check_distance(new_distance or tracker.get_slot("distance_km"))
        days = check_days(new_days or tracker.get_slot("telework_days"))
    except ValueError as error:
        if new_days is None and new_distance is None:
            return None
        dispatcher.utter_message(text=str(error))  # « pour 9 jours ? »: the limit, said
        return []
    await reply_impact(
        dispatcher, tracker, distance, days, mode=mode if isinstance(mode, str) else None
    )
    events: list[EventType] = [SlotSet("distance_km", distance), SlotSet("telework_days", days)]
    if isinstance(mode, str):
        events.append(SlotSet("transport_mode", mode))
    return [*events, remember("impact")]


async def _quota_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[EventType] | None:
    folded = " ".join(words(text))
    if "quotite" in folded and _CORRECT.search(folded):
        return [SlotSet("quotite", None), FollowupAction("quota_form")]
    if mentions_date(text) and "%" not in text:
        return None  # « je préviens le 20 avril 2027 »: the NLU may read the year as a quotité
    # « ma décharge c 30 % donc jbosse à 70 »: 70, not the entity's 30
    given = stated_quotite(tracker)
    number = parse_quotite(given if given is not None else text)
    if given is None and "%" not in text and _DAYS_COUNT.search(folded):
        number = None  # « ça fait bien 8 jours par mois ? » checks the result: no quotité
    if number is None:
        # The slot holds the entity as the NLU read it (« 80 » or « 80% »), or nothing when
        # the quotité was said in passing (« bonjour, jsuis à 80 % »).
        kept = parse_quotite(tracker.get_slot("quotite"))
        kept = kept if kept is not None else said_quotite(tracker)
        base = "mensuelle" if _MONTHLY.search(folded) else None
        base = base or ("hebdomadaire" if _WEEKLY.search(folded) else None)
        if base is None or not isinstance(kept, int | float) or len(words(text)) > 8:
            return None
        await reply_quota(dispatcher, tracker, float(kept), base=base)
        return [SlotSet("base", base), remember("quota")]
    # A bare number may be a choice (« 2 »): only « et … », « … % », the NLU's entity or a
    # hypothesis with a figure a quotité can be (« si je passe a 90 ça fait combien ? ») count.
    supposed = bool({"si", "plutot"} & set(folded.split())) and MIN_PERCENT_FIGURE <= number <= 100
    limit = MAX_VALUE_FOLLOW_UP_WORDS if given is not None or supposed else 6
    if len(words(text)) > limit or (
        given is None and "%" not in text and folded.split()[0] != "et" and not supposed
    ):
        return None
    try:
        quotite = check_quotite(given if given is not None else text)
    except ValueError as error:
        dispatcher.utter_message(text=str(error))
        return [SlotSet("quotite", None)]
    await reply_quota(dispatcher, tracker, quotite, base=tracker.get_slot("base"))
    return [SlotSet("quotite", quotite), remember("quota")]


async def _notice_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str, event: str
) -> list[EventType] | None:
    folded = " ".join(words(text))
    if "date" in folded.split() and _CORRECT.search(folded):
        form = FollowupAction("notice_form")
        return [SlotSet("notice_event", event), SlotSet("date", None), form]
    if event in END_EVENTS:
        started = stated_start(text, current_day())
        if started is not None:
            # « ah mais g commencé le 1er octobre avec 3 mois d'adaptation »: the date is the
            # start; the day of notice is the one computed before, and the period says which
            # end it is.
            notified = _kept_day(tracker) or current_day()
            return await notice_from_start(dispatcher, started, notified)
    day = await read_date(text) if mentions_date(text) else None
    if day is None:
        if is_follow_up(text, MAX_FOLLOW_UP_WORDS) and names_administration(text):
            # « et si c'est mon chef qui me fait venir ce jour-là ? »: the same rule, from the
            # administration's side, and its sentence quoted.
            return await notice_question(dispatcher, tracker, (event,), offer=False)
        # « pardon, je suis encore en période d'adaptation »: the same date, the situation
        # corrected.
        day = _kept_day(tracker)
        if _DEFINITION.search(folded) or day is None:
            return None  # « c quoi deja la période d'adaptation ? » asks, corrects nothing
        if situation_of(text, event) == event and not states_adaptation(text):
            return None
    # « bon en fait j'arrête le tt, je préviens le 1er février » changes the situation too:
    # never recompute the previous one with the new date.
    event = situation_of(text, event)
    if wishes_effect_on(text, before=last_computation(tracker).get("wished") is True):
        await reply_deadline(dispatcher, event, day, text)
        remembered = remember_wished(event, day)
    else:
        await reply_notice(dispatcher, event, day, text)
        remembered = remember("notice", event=event, date=day.isoformat())
    return [SlotSet("date", None), SlotSet("notice_event", None), remembered]


def _kept_day(tracker: Tracker) -> dt.date | None:
    """The day of notice the last computation kept, if it kept a readable one."""
    kept = last_computation(tracker).get("date")
    if not isinstance(kept, str):
        return None
    with contextlib.suppress(ValueError):
        return dt.date.fromisoformat(kept)
    return None


async def notice_from_start(
    dispatcher: CollectingDispatcher, started: AdaptationStart, day: dt.date
) -> list[EventType]:
    """The end of telework notified on ``day``, for a telework started as ``started`` says.

    The adaptation period's count comes first: the agent sees why the delay is one month or
    two.
    """
    event = "end_during_adaptation" if started.covers(day) else "end"
    dispatcher.utter_message(text=started.standing(day))
    await reply_notice(dispatcher, event, day)
    return [
        SlotSet("date", None),
        SlotSet("notice_event", None),
        remember("notice", event=event, date=day.isoformat()),
    ]


async def notice_date(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[EventType] | None:
    """The effective date, when ``text`` gives a date just after a notice period or its offer."""
    if last_computation(tracker).get("kind") != "notice" or not mentions_date(text):
        return None
    return await follow_up(dispatcher, tracker)
