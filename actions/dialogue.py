"""The turn after a question of the bot: choices, yes/no and the quiz.

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
  préviens le 14 janvier 2027 ? » or « corriger la date » after a notice period
  (:mod:`actions.computation_follow_ups`).

``action_handle_reply`` handles the bare replies (yes, no, stop, a value, a quiz letter)
outside forms; ``action_answer_question`` calls :func:`resolve_turn` first as well.
"""

from __future__ import annotations

from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import INTENT_QUESTIONS, answer_question, context_question, question_vector
from actions.common import (
    HELP_BUTTON,
    Button,
    button,
    latest_entity,
    latest_intent,
    latest_text,
    remember,
)
from actions.computation_follow_ups import follow_up, notice_date
from actions.follow_ups import (
    MIN_QUESTION_WORDS,
    asks_more,
    asks_whom,
    checks_back,
    states_situation,
)
from actions.handoff import ActionHandleInform
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
from actions.parsing import works_at
from actions.replies import (
    Choice,
    attempted_choice,
    last_bot_text,
    last_choices,
    numbered,
    opens_with_no,
    pick_by_words,
    read_reply,
    words,
    yes_or_no,
)
from actions.routing import TOPIC_COMPUTATIONS, Computation
from actions.small_talk import SMALL_TALK, answer_as_a_question, small_talk
from knowledge.answer import NOT_ANSWERED

# The calculator offered after an answer on its topic.
OFFERS: dict[Computation, Button] = {
    "quota": button("Calculer pour ma situation", "/start_quota"),
    "impact": button("Simuler mes économies", "/start_impact"),
    "eligibility": button("Vérifier mon éligibilité", "/start_eligibility"),
    "notice": button("Calculer la date d'effet", "/start_notice"),
    "manager_guide": button("Voir le guide du manager", "/start_manager_guide"),
}
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
# In a thank-you, the words that still answer the bot's question (« ok merci » does not).
_EXPLICIT_YES_NO = frozenset({"oui", "ouais", "volontiers", "yes", "non", "nan", "no"})


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


def states_a_lack(tracker: Tracker, text: str) -> bool:
    """Whether a message the NLU read as a no states a situation after a question.

    « jen ai pas de certificat » is no answer to an offer (none is pending when this is
    asked) and says more than a no; « non j'en ai pas besoin » opens with one.
    """
    return (
        yes_or_no(text) is None
        and not opens_with_no(text)
        and states_situation(text)
        and context_question(tracker) is not None
    )


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
            return await answer_as_a_question(dispatcher, tracker, domain)
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
        if intent in SMALL_TALK:
            return await small_talk(dispatcher, tracker, domain, SMALL_TALK[intent])
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
            return await answer_as_a_question(dispatcher, tracker, domain)
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
            if text.rstrip().endswith("?") and len(words(text)) >= MIN_QUESTION_WORDS:
                # « et si c urgent ? » (« c » read as a letter) with no quiz waiting asks a
                # question: answered, not « Puis-je vous aider sur autre chose ? ».
                return await answer_as_a_question(dispatcher, tracker, domain)
        corrected = await follow_up(dispatcher, tracker) if intent in ("deny", "stop") else None
        if corrected is not None:
            # « ah non pardon c 30 km pas 40 » corrects the last computation: not a « non ».
            return corrected
        if intent in ("deny", "stop") and works_at(text):
            # « non en fait jsuis a 60, pas 80 » corrects the quotité: it is not a « non ».
            return await ActionHandleInform().run(dispatcher, tracker, domain)
        if intent in ("deny", "stop") and text.rstrip().endswith("?") and len(words(text)) >= 3:
            # « et si je veux arrêter pendant ? » asks a question: it is not a « non ».
            return await answer_as_a_question(dispatcher, tracker, domain)
        if intent in ("deny", "stop") and states_a_lack(tracker, text):
            # « jen ai pas de certificat » after « le certificat consuel, c qui qui paye ? »
            # says where the agent stands: that question, asked again for this situation.
            return await answer_as_a_question(dispatcher, tracker, domain)
        if intent in ("deny", "stop"):
            dispatcher.utter_message(text=DECLINED)
            return []
        dispatcher.utter_message(text=NOTHING_PENDING, buttons=[HELP_BUTTON])
        return []
