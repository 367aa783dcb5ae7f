"""The turn after a question of the bot: choices, yes/no, the quiz, and follow-ups.

Before a message is handled as a new question or a bare value, it is read against what the
bot has just asked (:mod:`actions.replies`):

- during the quiz, a letter, a number or a choice's text grades the question; « stop »
  stops the quiz; a question is answered and the quiz question asked again (the caller does
  it: :data:`RESUME_QUIZ`); anything else gets the question again with its choices;
- after an offer or any question with choices, « oui » (and its variants) accepts the offer,
  « 2 » or « b » picks a choice, « non merci » declines, and a choice that fits none is asked
  again with the choices listed;
- after a computation, the follow-ups people type recompute it: « et en train ? » after the
  savings simulation, « et par mois ? » or « et à 70 % ? » after the quota, « et si je
  préviens le 14 janvier 2027 ? » or « corriger la date » after a notice period.

``action_handle_reply`` handles the bare replies (yes, no, stop, a value, a quiz letter)
outside forms; ``action_answer_question`` calls :func:`resolve_turn` first as well.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (
    INTENT_QUESTIONS,
    answer_question,
    question_text,
    question_vector,
    retrieve,
)
from actions.common import (
    HELP_BUTTON,
    Button,
    button,
    latest_entity,
    latest_intent,
    latest_text,
    recent_user_texts,
    remember,
)
from actions.follow_ups import (
    asks_more,
    asks_whom,
    checks_back,
    is_follow_up,
    without_acknowledgement,
)
from actions.handoff import ActionHandleInform
from actions.impact import check_days, check_distance, impact_entities, reply_impact
from actions.manager import (
    ask_again,
    ask_question,
    grade,
    letter_of,
    quiz_index,
    send_guide,
    start_quiz,
    stop_quiz,
)
from actions.notice import notice_question, read_date, reply_notice
from actions.parsing import parse_quotite, parse_transport_mode
from actions.quota import check_quotite, reply_quota
from actions.replies import (
    Choice,
    attempted_choice,
    last_bot_text,
    last_choices,
    numbered,
    pick_by_words,
    read_reply,
    words,
    yes_or_no,
)
from actions.routing import (
    TOPIC_COMPUTATIONS,
    Computation,
    mentions_date,
    situation_of,
)
from knowledge.answer import NOT_ANSWERED
from rules.extracts import names_administration

# The calculator offered after an answer on its topic.
OFFERS: dict[Computation, Button] = {
    "quota": button("Calculer pour ma situation", "/start_quota"),
    "impact": button("Simuler mes économies", "/start_impact"),
    "eligibility": button("Vérifier mon éligibilité", "/start_eligibility"),
    "notice": button("Calculer la date d'effet", "/start_notice"),
    "manager_guide": button("Voir le guide du manager", "/start_manager_guide"),
}
logger = logging.getLogger(__name__)
# Buttons whose title, typed, does what a click does (besides the offers).
EXTRA_BUTTONS = [
    button("Faire le quiz", "/start_quiz"),
    button("Préparer ma demande", "/request_draft"),
    button("Recommencer le quiz", "/start_quiz"),
    button("Revoir le guide", "/start_manager_guide"),
]
REFERENT_CHOICE = Choice("Contacter le référent", "/talk_to_human")
# Returned by resolve_turn when a question interrupted the quiz: answer it, then ask again.
RESUME_QUIZ: Final[list[EventType]] = []
DECLINED = "Très bien. Posez-moi une autre question quand vous voulez."
NOTHING_PENDING = "Puis-je vous aider sur autre chose ?"
UNCLEAR_CHOICE = "Je n'ai pas compris votre choix. Répondez par son numéro :"
# Intents of a new question (then the quiz is answered around it, not graded).
QUESTION_INTENTS = frozenset(
    {*TOPIC_COMPUTATIONS, "ask_equipment", "ask_home_requirements", "ask_procedure",
     "ask_medical", "ask_rights", "out_of_scope", "talk_to_human", "request_draft", "help",
     "bot_challenge"}
)  # fmt: skip
FORMS = {
    "start_quota": ("quota_form", ("quotite",)),
    "start_impact": ("impact_form", ("distance_km", "telework_days")),
    "start_eligibility": ("eligibility_form", ()),
    "start_notice": ("notice_form", ("date",)),
    "request_draft": ("draft_form", ()),
    "request_decision": ("decision_form", ()),
}
_CORRECT = re.compile(r"\b(corrig\w*|rectifi\w*|modifi\w*|chang\w*|mauvaise|erreur|bonne)\b")
_MONTHLY = re.compile(r"\b(mois|mensuel\w*)\b")
_WEEKLY = re.compile(r"\b(semaines?|hebdo\w*)\b")
_DAYS_COUNT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:jours?|jrs?|j)\b")
IMPACT_MARKER = "Hypothèses utilisées"
QUOTA_MARKERS = ("de télétravail par semaine au plus", "les plafonds ne laissent")
MAX_FOLLOW_UP_WORDS = 20
# In a thank-you, the words that still answer the bot's question (« ok merci » does not).
_EXPLICIT_YES_NO = frozenset({"oui", "ouais", "volontiers", "yes", "non", "nan", "no"})
# « si je passe à 90, ça fait combien ? »: a new value in a short sentence.
MAX_VALUE_FOLLOW_UP_WORDS = 10


def last_computation(tracker: Tracker) -> dict[str, Any]:
    """What the bot computed last (``{"kind": "notice", "event": ...}``), or an empty dict."""
    value = tracker.get_slot("last_computation")
    return value if isinstance(value, dict) else {}


def _is_question(tracker: Tracker, text: str) -> bool:
    intent = latest_intent(tracker)
    if attempted_choice(text):
        return False
    if intent in QUESTION_INTENTS:
        return True
    return text.rstrip().endswith("?") or len(words(text)) >= 6


async def run_choice(
    choice: Choice, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """Do what the button of ``choice`` does when clicked."""
    intent, entities = choice.intent, choice.entities
    slots = [SlotSet(name, value) for name, value in entities.items()]
    if intent in FORMS:
        form, cleared = FORMS[intent]
        return [*(SlotSet(s, None) for s in cleared), *slots, FollowupAction(form)]
    if intent == "start_manager_guide":
        send_guide(dispatcher)
        return []
    if intent == "start_quiz":
        return start_quiz(dispatcher)
    if intent == "talk_to_human":
        return [FollowupAction("action_talk_to_human")]
    if intent == "help":
        dispatcher.utter_message(response="utter_help")
        return []
    if intent in INTENT_QUESTIONS:
        computation = TOPIC_COMPUTATIONS.get(intent)
        offers = [OFFERS[computation]] if computation else []
        await answer_question(dispatcher, INTENT_QUESTIONS[intent], offers=offers, intent=intent)
        return []
    if intent in ("deny", "stop"):
        dispatcher.utter_message(text=DECLINED)
        return []
    if intent == "quiz_answer":
        index = quiz_index(tracker)
        letter = letter_of(entities.get("quiz_choice"))
        if index is not None and letter:
            return grade(dispatcher, tracker, index, letter)
    dispatcher.utter_message(text=NOTHING_PENDING, buttons=[HELP_BUTTON])
    return slots


def ask_choices_again(dispatcher: CollectingDispatcher, choices: tuple[Choice, ...]) -> None:
    """Say the reply fits no choice, and list them, numbered, with their buttons."""
    dispatcher.utter_message(
        text=f"{UNCLEAR_CHOICE}\n{numbered(choices)}",
        buttons=[{"title": c.title, "payload": c.payload} for c in choices],
    )


async def quiz_turn(
    dispatcher: CollectingDispatcher, tracker: Tracker, index: int, choices: list[Choice]
) -> list[EventType]:
    """Read a message sent while a quiz question waits for its answer."""
    text = latest_text(tracker)
    quiz_choices = [c for c in choices if c.intent == "quiz_answer"]
    reply = read_reply(text, quiz_choices)
    named = reply.choice if reply.kind != "none" else pick_by_words(text, quiz_choices)
    letter = ""
    if named is not None:
        letter = letter_of(named.entities.get("quiz_choice"))
    elif latest_intent(tracker) == "quiz_answer":
        letter = letter_of(latest_entity(tracker, "quiz_choice"))
    if letter:
        return grade(dispatcher, tracker, index, letter)
    if latest_intent(tracker) == "stop" or yes_or_no(text) is False:
        return stop_quiz(dispatcher)
    if _is_question(tracker, text):
        return RESUME_QUIZ
    return ask_again(dispatcher, index)


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
        is_follow_up(text) or len(words(text)) <= 4 or bool({"plutot", "si"} & set(words(text)))
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
    given = latest_entity(tracker, "quotite")
    number = parse_quotite(given if given is not None else text)
    if given is None and "%" not in text and _DAYS_COUNT.search(folded):
        number = None  # « ça fait bien 8 jours par mois ? » checks the result: no quotité
    if number is None:
        kept = tracker.get_slot("quotite")
        base = "mensuelle" if _MONTHLY.search(folded) else None
        base = base or ("hebdomadaire" if _WEEKLY.search(folded) else None)
        if base is None or not isinstance(kept, int | float) or len(words(text)) > 8:
            return None
        await reply_quota(dispatcher, tracker, float(kept), base=base)
        return [SlotSet("base", base), remember("quota")]
    # A bare number may be a choice (« 2 »): only « et … », « … % » or the NLU's entity count.
    limit = MAX_VALUE_FOLLOW_UP_WORDS if given is not None else 6
    if len(words(text)) > limit or (
        given is None and "%" not in text and folded.split()[0] != "et"
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
    day = await read_date(text) if mentions_date(text) else None
    if day is None:
        if is_follow_up(text, MAX_FOLLOW_UP_WORDS) and names_administration(text):
            # « et si c'est mon chef qui me fait venir ce jour-là ? »: the same rule, from the
            # administration's side, and its sentence quoted.
            return await notice_question(dispatcher, tracker, (event,), offer=False)
        # « pardon, je suis encore en période d'adaptation »: the same date, the situation
        # corrected.
        kept = last_computation(tracker).get("date")
        if situation_of(text, event) == event or not isinstance(kept, str):
            return None
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(kept)
        if day is None:
            return None
    # « bon en fait j'arrête le tt, je préviens le 1er février » changes the situation too:
    # never recompute the previous one with the new date.
    event = situation_of(text, event)
    await reply_notice(dispatcher, event, day, text)
    remembered = remember("notice", event=event, date=day.isoformat())
    return [SlotSet("date", None), SlotSet("notice_event", None), remembered]


async def notice_date(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[EventType] | None:
    """The effective date, when ``text`` gives a date just after a notice period or its offer."""
    if last_computation(tracker).get("kind") != "notice" or not mentions_date(text):
        return None
    return await follow_up(dispatcher, tracker)


async def resolve_turn(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """Handle the message as a reply to the bot's last question or computation, if it is one.

    Returns:
        The events when the message was handled; :data:`RESUME_QUIZ` (an empty list, checked
        with ``is``) when a question interrupted the quiz; None when the message is not a
        reply (the caller handles it as usual).

    """
    text = latest_text(tracker).strip()
    if not text or text.startswith("/"):
        return None
    choices = last_choices(tracker.events)
    index = quiz_index(tracker)
    if index is not None and any(c.intent == "quiz_answer" for c in choices):
        return await quiz_turn(dispatcher, tracker, index, choices)
    # A date after a notice period or its offer (« je préviens lundi », « oui, je préviens
    # le 15 décembre ») is the date of that computation, not a reply to read.
    handled = await notice_date(dispatcher, tracker, text)
    if handled is not None:
        return handled
    if asks_whom(text) and _abstained(tracker):
        # « et du coup je demande à qui ? » after « je ne trouve pas… »: the référent.
        return await run_choice(REFERENT_CHOICE, dispatcher, tracker)
    reply = read_reply(text, choices)
    if reply.kind == "choice" and reply.choice is not None:
        return await run_choice(reply.choice, dispatcher, tracker)
    if reply.kind == "no":
        dispatcher.utter_message(text=DECLINED)
        return []
    if reply.kind == "unclear":
        ask_choices_again(dispatcher, reply.choices)
        return []
    typed = typed_button(text)
    if typed is not None:
        return await run_choice(typed, dispatcher, tracker)
    return await follow_up(dispatcher, tracker)


def _abstained(tracker: Tracker) -> bool:
    """Whether the bot's last turn said the texts do not answer (abstention, uncovered topic)."""
    return NOT_ANSWERED in last_bot_text(tracker.events)


def typed_button(text: str) -> Choice | None:
    """The button whose title the user typed (« calculer la date d'effet »), even if not shown."""
    folded = " ".join(words(text))
    known = [*OFFERS.values(), *EXTRA_BUTTONS]
    return next(
        (Choice(b["title"], b["payload"]) for b in known if " ".join(words(b["title"])) == folded),
        None,
    )


async def _goodbye(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    if not tracker.active_loop_name:
        handled = await notice_date(dispatcher, tracker, latest_text(tracker))
        if handled is not None:
            return handled
    dispatcher.utter_message(response="utter_goodbye")
    return []


async def _answer_as_a_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType]:
    """Answer the message here, as ``action_answer_question`` would.

    Not through ``FollowupAction``: no rule follows ``action_handle_reply`` with another
    action, so Rasa's rule policy would then add its fallback (« Je ne suis pas sûr… ») and
    revert the turn — the answer's slots with it. Imported here: ``actions.questions``
    imports this module.
    """
    from actions.questions import ActionAnswerQuestion

    return await ActionAnswerQuestion().run(dispatcher, tracker, domain)


# Small talk the NLU may read in a follow-up (« je px faire quoi alors ? » as help, « et en
# train ? » as bot_challenge), and the response it gets otherwise.
_SMALL_TALK = {"help": "utter_help", "bot_challenge": "utter_iamabot"}


async def _small_talk(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], response: str
) -> list[EventType]:
    """A follow-up of a computation is recomputed, one of an answer answered; else ``response``."""
    events = await follow_up(dispatcher, tracker)
    if events is not None:
        return events
    if await small_talk_asks(tracker):
        return await _answer_as_a_question(dispatcher, tracker, domain)
    dispatcher.utter_message(response=response)
    return []


async def small_talk_asks(tracker: Tracker) -> bool:
    """Whether help or « es-tu un robot ? » read by the NLU is in fact a question to answer.

    A follow-up (« je px faire quoi alors ? » after a refusal asks about the refusal), or an
    unsure help the texts answer (« nomade2 ça sert à quoi concrètement ? » asks about a thing,
    not about the bot: :func:`texts_answer`). Also read in forms.
    """
    if is_follow_up(latest_text(tracker)) and len(recent_user_texts(tracker)) > 1:
        return True
    return latest_intent(tracker) == "help" and await texts_answer(tracker)


# Below this confidence, a long message read as a request for help may be a question.
SURE_HELP = 0.8
MIN_QUESTION_WORDS_FOR_HELP = 5
# Words that address the bot (« tu sers à quoi ? », « que pouvez-vous faire ? »).
_TO_THE_BOT = frozenset({"tu", "toi", "te", "t", "vous", "bot", "robot", "assistant"})


async def texts_answer(tracker: Tracker) -> bool:
    """Whether a message the NLU was unsure was help is a question the texts answer.

    Only a long message that does not address the bot is asked (« ça sert à quoi le
    simulateur du plan ? »); the engine's own decision says whether the texts answer it.
    """
    intent = (tracker.latest_message or {}).get("intent") or {}
    confidence = intent.get("confidence") if isinstance(intent, dict) else None
    tokens = words(latest_text(tracker))
    if not isinstance(confidence, int | float) or confidence >= SURE_HELP:
        return False
    if len(tokens) < MIN_QUESTION_WORDS_FOR_HELP or _TO_THE_BOT & set(tokens):
        return False
    try:
        answer = await retrieve(question_text(tracker), question_vector(tracker))
    except Exception:  # the help is a fine reply when the engine cannot say
        logger.warning("Recherche impossible pour une demande d'aide incertaine")
        return False
    return not answer.abstained


class ActionHandleReply(Action):
    """A bare reply outside forms: yes, no, stop, a value or a quiz letter."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_handle_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Read the reply against the last question, else use the value or say what next.

        A goodbye comes here too: « ok je préviens demain alors » closes the exchange but
        gives the date of the notice just explained, which is computed; any other goodbye
        gets the goodbye (its « ok » never accepts an offer). So does a thank-you, which may
        go on with a question (« merci ! et à 90 % ? »): it is then answered as one.
        """
        intent = latest_intent(tracker)
        if intent in ("thank", "goodbye") and asks_more(latest_text(tracker)):
            # « top merci. et pour un contractuel ? » thanks, then asks.
            return await _answer_as_a_question(dispatcher, tracker, domain)
        if intent == "thank":
            if _EXPLICIT_YES_NO & set(words(latest_text(tracker))):
                # « oui merci » to an offer accepts it; « non merci » declines it.
                events = await resolve_turn(dispatcher, tracker)
                if events is not None and events is not RESUME_QUIZ:
                    return events
            dispatcher.utter_message(response="utter_you_are_welcome")
            return []
        if intent == "goodbye":
            return await _goodbye(dispatcher, tracker)
        if intent in _SMALL_TALK:
            return await _small_talk(dispatcher, tracker, domain, _SMALL_TALK[intent])
        events = await resolve_turn(dispatcher, tracker)
        if events is RESUME_QUIZ:
            index = quiz_index(tracker)
            await answer_question(
                dispatcher,
                latest_text(tracker),
                intent=latest_intent(tracker),
                known=question_vector(tracker),
            )
            if index is not None:
                ask_question(dispatcher, index)
            return []
        if events is not None:
            return events
        text = latest_text(tracker)
        if intent == "inform" and checks_back(text):
            # « donc 15 jours c'est ça ? » after a rule checks it: not a value to compute.
            return await _answer_as_a_question(dispatcher, tracker, domain)
        if intent == "inform":
            events = await ActionHandleInform().run(dispatcher, tracker, domain)
            event = tracker.get_slot("notice_event")
            if isinstance(event, str) and SlotSet("notice_event", None) in events:
                events.append(remember("notice", event=event))  # « corriger la date » next
            return events
        if intent == "quiz_answer":
            index = quiz_index(tracker)
            letter = letter_of(latest_entity(tracker, "quiz_choice"))
            if index is not None and letter:
                return grade(dispatcher, tracker, index, letter)
            if index is not None:
                return ask_again(dispatcher, index)
        if intent in ("deny", "stop") and text.rstrip().endswith("?") and len(words(text)) >= 3:
            # « et si je veux arrêter pendant ? » asks a question: it is not a « non ».
            return await _answer_as_a_question(dispatcher, tracker, domain)
        if intent in ("deny", "stop"):
            dispatcher.utter_message(text=DECLINED)
            return []
        dispatcher.utter_message(text=NOTHING_PENDING, buttons=[HELP_BUTTON])
        return []
