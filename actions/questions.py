"""The one route for questions: the texts answer first, the matching calculator is offered.

Every question intent (``ask_*``, ``simulate_impact``, ``out_of_scope``, ``nlu_fallback``)
goes to ``action_answer_question``. Outside a form, :func:`actions.routing.route` decides:

- most questions get the engine's answer (or its abstention: the same decision as
  ``/api/ask``), with the calculator of their topic offered as a button;
- an explicit request for one's own computation, or a message giving the calculator's
  parameters, starts it instead: computed at once when everything is known (a quotité, a
  distance and days, an event and its date), otherwise its form is activated (the form then
  asks what is missing — Rasa runs an active loop next);
- when the NLU was unsure (``nlu_fallback``) and the texts do not answer either, the
  abstention also suggests the likely topics (« Vouliez-vous dire… »).

Inside a form (a question the form's validation did not take as an answer), the action
answers according to the intent and the form asks its question again (``data/rules``).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adaptation_start import stated_start
from actions.answers import (
    answer_question,
    cited_section,
    cited_sections,
    context_question,
    question_text,
    question_vector,
    wider_context,
)
from actions.common import Button, button, latest_intent, latest_text, recent_user_texts
from actions.computation_follow_ups import notice_from_start
from actions.dates import current_day
from actions.dialogue import OFFERS, RESUME_QUIZ, resolve_turn, run_choice
from actions.handoff import fell_back_before, offer_handoff, send_draft_info, send_referent
from actions.impact import impact_now
from actions.manager import ask_question, quiz_index, send_guide
from actions.notice import notice_for, notice_now, notice_question, read_date
from actions.notice_deadline import asks_deadline
from actions.parsing import MONTH_WORDS
from actions.quota import QUOTITE_FIGURE, quota_now, stated_quotite
from actions.replies import Choice
from actions.routing import (
    END_EVENTS,
    Computation,
    called_in,
    computation_of_passage,
    follow_up_events,
    is_explicit_request,
    mentions_date,
    names_a_change,
    names_adaptation,
    notice_events,
    requested_document,
    requested_topic,
    route,
    situation_of,
    unsure_route,
)
from actions.small_talk import small_talk_asks
from knowledge.analysis import fold
from knowledge.models import Source

# What else a topic leads to (the procedure → filling the request).
NEXT_STEPS: dict[str, list[Button]] = {
    "ask_procedure": [button("Préparer ma demande", "/request_draft")],
}
# Intents whose question about changing or ending telework gets the notice periods.
# « stop » and « deny » reach this action from action_handle_reply when they ask a question
# (« et si je veux arrêter pendant ? »).
# How many of the user's last messages tell what a conversation is about.
TOPIC_MESSAGES = 5
NOTICE_INTENTS = frozenset(
    {"ask_changes", "nlu_fallback", "out_of_scope", "ask_procedure", "stop", "deny"}
)
# Answers that are not from the texts, for intents that may interrupt a form.
RESPONSES = {"help": "utter_help", "bot_challenge": "utter_iamabot"}
# French titles of the topics suggested when the NLU was unsure: questions and requests
# only, never nlu_fallback, bare values (inform, quiz_answer) or small talk (greet, affirm…);
# the référent and the help are on every abstention already.
INTENT_TITLES = {
    "ask_quota": "Nombre de jours de télétravail",
    "ask_eligibility": "Qui peut télétravailler",
    "ask_equipment": "Équipement fourni",
    "ask_home_requirements": "Conditions au domicile",
    "ask_procedure": "Faire sa demande",
    "ask_changes": "Modifier ou arrêter le télétravail",
    "ask_medical": "Raison médicale, handicap",
    "ask_rights": "Droits et horaires",
    "ask_manager_guide": "Guide du manager",
    "simulate_impact": "Économies de trajet",
    "request_draft": "Préparer ma demande",
    "start_eligibility": "Vérifier mon éligibilité",
    "start_quiz": "Quiz du manager",
}
MAX_SUGGESTIONS = 3


def candidates(tracker: Tracker) -> list[str]:
    """The NLU's intents for the latest message, likeliest first, ``nlu_fallback`` left out."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    names = [item.get("name") for item in ranking if isinstance(item, dict)]
    return [name for name in names if isinstance(name, str) and name != "nlu_fallback"]


def suggestions(tracker: Tracker) -> list[Button]:
    """The two or three likeliest topics of an unsure NLU, as « Vouliez-vous dire » buttons."""
    likely = [name for name in candidates(tracker) if name in INTENT_TITLES]
    return [button(INTENT_TITLES[name], f"/{name}") for name in likely[:MAX_SUGGESTIONS]]


def offers_for_passage(source: Source) -> list[Button]:
    """The calculator of the cited passage's section (« bon pour la planète ? » → simulator)."""
    computation = computation_of_passage(source.doc_id, source.section, source.excerpt)
    return [OFFERS[computation]] if computation else []


# A number followed by one of these counts something else than a quotité (« mon fils de 3 ans »)
# or is the day of a date (« le 3 mars 2027 », read « [3 mars](quotite) » by the NLU).
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_COUNTED = re.compile(
    r"\s*(ans?|mois|jours?|j|semaines?|km|kilom\w*|h|heures?|min|minutes?|enfants?|fois"
    rf"|{MONTH_WORDS})\b"
)


def _counts_something_else(text: str, entity: dict[str, Any]) -> bool:
    """Whether the entity's number is followed by a unit or a month (its span may hold them)."""
    start, end = entity.get("start"), entity.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    number = _NUMBER.search(text, start, end)
    return bool(_COUNTED.match(text, number.end() if number else end))


def entity_names(tracker: Tracker) -> set[str]:
    """The names of the entities of the latest message.

    A quotité read in a count of something else (« 3 » of « mon fils de 3 ans ») is left out:
    it would start the quota calculator on « 3 % ».
    """
    message = tracker.latest_message or {}
    text = str(message.get("text") or "").lower()
    names = set()
    for entity in message.get("entities") or []:
        if not isinstance(entity, dict) or not isinstance(entity.get("entity"), str):
            continue
        if entity["entity"] == "quotite" and _counts_something_else(text, entity):
            continue
        names.add(entity["entity"])
    return names


async def start(
    computation: Computation, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """Run the calculator now if the message gives what it needs, else activate its form."""
    if computation == "quota":
        quotite = stated_quotite(tracker)
        if quotite is not None:
            return await quota_now(dispatcher, tracker, quotite)
        return [ActiveLoop("quota_form")]
    if computation == "impact":
        return await impact_now(dispatcher, tracker)
    if computation == "notice":
        if tracker.get_slot("notice_event") and tracker.get_slot("date"):
            return await notice_now(dispatcher, tracker)
        return [ActiveLoop("notice_form")]
    if computation == "eligibility":
        return [ActiveLoop("eligibility_form")]
    send_guide(dispatcher)
    return []


# Intents that start another flow: a form that reads free text (the draft, the decision)
# lets them through instead of taking them for an answer.
OTHER_FLOWS = frozenset(
    {"start_quiz", "start_manager_guide", "start_quota", "start_impact", "start_eligibility",
     "start_notice", "request_draft", "talk_to_human", "help"}
)  # fmt: skip


async def answer_in_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Answer what interrupted a form; the form then asks its question again."""
    intent = latest_intent(tracker)
    if intent in RESPONSES and not await small_talk_asks(tracker):
        dispatcher.utter_message(response=RESPONSES[intent])
    elif intent == "talk_to_human":
        send_referent(dispatcher)
    elif intent == "request_draft":
        send_draft_info(dispatcher)
    else:
        await _answer_in_form_from_texts(dispatcher, tracker, intent)


# What a question asked while a document is being drafted is about, when it does not say:
# « faut joindre quoi avec la demande ? » in the request's form asks about the request.
FORM_TOPICS = {
    "draft_form": "demande de télétravail",
    "decision_form": "décision sur une demande de télétravail",
}


async def _answer_in_form_from_texts(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str
) -> None:
    context = context_question(tracker)
    events = follow_up_events(latest_text(tracker), context) if intent in NOTICE_INTENTS else ()
    if events:
        # « si j'arrête le 1er mars, ça prend effet quand ? »: computed (or the rule given)
        # as outside a form, without the offer — the form's question comes next.
        await notice_question(dispatcher, tracker, events, offer=False)
        return
    unsure = suggestions(tracker) if intent == "nlu_fallback" else None
    topic = FORM_TOPICS.get(tracker.active_loop_name or "")
    if context is None and topic is not None:
        # Searched only if the question alone finds nothing (answer_question's context).
        context = f"{question_text(tracker)} ({topic})"
    await answer_question(
        dispatcher,
        question_text(tracker),
        suggestions=unsure,
        in_form=True,
        context=context,
        wider=wider_context(tracker),
        about=cited_section(tracker),
        also_about=cited_sections(tracker)[1:],
        intent=intent,
        known=question_vector(tracker),
    )


def _conversation_events(tracker: Tracker) -> tuple[str, ...]:
    """The notice events the user's last messages name together (this one included).

    Read only for a message that names a change and a date but not what changes: the
    conversation's subject, a few questions back, says it.
    """
    texts = recent_user_texts(tracker, TOPIC_MESSAGES)
    return notice_events(" ".join(texts), adaptation_is_telework=True)


def _previous_events(tracker: Tracker) -> tuple[str, ...]:
    """The notice events of the user's message before this one, if it named any."""
    previous = recent_user_texts(tracker, 2)
    return notice_events(previous[0]) if len(previous) == 2 else ()


async def _deadline_of_previous(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """By when to notify, for the change and the day the message before named (None: none).

    « il doit me prévenir qd au plus tard ? » after « mon chef veut que je vienne au bureau
    mardi prochain alors que c'est mon jour de tt »: the day of that change is the one it
    takes effect.
    """
    text = latest_text(tracker)
    previous = recent_user_texts(tracker, 2)
    if mentions_date(text) or len(previous) < 2 or not mentions_date(previous[0]):
        return None
    events = notice_events(previous[0]) or (("ponctual_change",) if called_in(previous[0]) else ())
    day = await read_date(previous[0]) if events else None
    if day is None:
        return None
    return await notice_for(dispatcher, tracker, events[0], day)


class ActionAnswerQuestion(Action):
    """Answer a question from the texts, then offer its calculator (``action_answer_question``).

    Keyed on the intent: see the module docstring for when the calculator starts instead.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the answer and its sources with the offers, or start the calculator.

        The message is first read as a reply to the bot's last question (a choice, a yes, a
        follow-up: :func:`actions.dialogue.resolve_turn`); a question asked during the quiz
        is answered, then the quiz question is asked again.
        """
        if tracker.active_loop_name:
            await answer_in_form(dispatcher, tracker)
            return []
        resolved = await resolve_turn(dispatcher, tracker)
        if resolved is not None and resolved is not RESUME_QUIZ:
            return resolved
        events = await self._answer(dispatcher, tracker)
        index = quiz_index(tracker)
        if resolved is RESUME_QUIZ and index is not None:
            ask_question(dispatcher, index)
        return events

    @staticmethod
    async def _answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        context = context_question(tracker)
        events = follow_up_events(text, context) if intent in NOTICE_INTENTS else ()
        if not events and intent in NOTICE_INTENTS and names_a_change(text) and mentions_date(text):
            # « je voudrais que ça s'arrête au 18/01/27, j'envoie ma lettre avant quand ? »,
            # after questions on the adaptation period: the change the conversation is about.
            events = _conversation_events(tracker)
        today = current_day()
        started = stated_start(text, today)
        if started is not None and set(_previous_events(tracker)) & set(END_EVENTS):
            # « il a commencé le 1er septembre avec 3 mois d'adaptation » after « je peux
            # mettre fin à son tt ? »: that end, notified today, in or after the period.
            return await notice_from_start(dispatcher, started, today)
        if not events and intent in NOTICE_INTENTS and asks_deadline(text):
            found = await _deadline_of_previous(dispatcher, tracker)
            if found is not None:
                return found
        if events and not text.lstrip().startswith("/"):
            if events[0] in END_EVENTS and names_adaptation(text):
                # « … arrêter mon tt, je ne suis plus en période d'adaptation »: that end.
                events = (situation_of(text, events[0]),)
            if len(events) == 1 and is_explicit_request(text) and not mentions_date(text):
                # « calcule mon délai pour un changement durable »: the form asks the date.
                return [
                    SlotSet("notice_event", events[0]),
                    SlotSet("date", None),
                    ActiveLoop("notice_form"),
                ]
            return await notice_question(dispatcher, tracker, events)
        if intent in NOTICE_INTENTS and requested_topic(text) == "notice":
            day = await read_date(text) if mentions_date(text) else None
            before = _previous_events(tracker) if day is not None else ()
            if day is not None and before:
                # « il n'est plus en adaptation ; si je lui notifie le 4 janvier, ça prend
                # effet quand ? » after « je peux mettre fin à son tt ? »: that change.
                return await notice_for(dispatcher, tracker, situation_of(text, before[0]), day)
            if day is not None:
                # « si je préviens le 4 janvier, ça prend effet quand ? »: the change is not
                # named; the form keeps the date and asks which change it is.
                return [
                    SlotSet("date", day.strftime("%d/%m/%Y")),
                    SlotSet("notice_event", None),
                    ActiveLoop("notice_form"),
                ]
        entities = entity_names(tracker)
        if stated_quotite(tracker) is not None and QUOTITE_FIGURE.search(fold(text)):
            # « jsuis a 4/5eme » gives it, entity or not (« à temps plein » alone asks the
            # general rule: answered from the texts).
            entities.add("quotite")
        decision = route(intent, text, entities)
        if intent == "nlu_fallback" and not decision.start:
            decision = unsure_route(candidates(tracker), text, entities)
        document = requested_document(text) if not decision.start else None
        if document is not None:
            # « tu peux me préparer l'acte individuel ? », whatever the NLU made of it.
            return await run_choice(Choice("", f"/{document}"), dispatcher, tracker)
        if decision.computation is not None and decision.start:
            return await start(decision.computation, dispatcher, tracker)
        offers = [OFFERS[decision.computation]] if decision.computation else []
        offers += NEXT_STEPS.get(intent, [])
        if decision.computation is None and requested_topic(text) == "eligibility":
            # « comment savoir si je remplis les conditions ? » (a procedure question by its
            # intent) asks for the check: offered alone, so that « oui » accepts it.
            offers = [OFFERS["eligibility"]]
        stuck = intent == "nlu_fallback" and fell_back_before(tracker)
        # Second misunderstanding in a row: no topics to pick again, the référent instead.
        unsure = ([] if stuck else suggestions(tracker)) if intent == "nlu_fallback" else None
        answer = await answer_question(
            dispatcher,
            question_text(tracker),
            offers=offers,
            suggestions=unsure,
            context=context,
            wider=wider_context(tracker),
            about=cited_section(tracker),
            also_about=cited_sections(tracker)[1:],
            intent=intent,
            known=question_vector(tracker),
            offers_for_passage=offers_for_passage,
        )
        if stuck and answer is not None and answer.abstained:
            offer_handoff(dispatcher, tracker)
        return []
