"""Small talk that may be a question: help, « es-tu un robot ? », read in a follow-up.

The NLU reads some follow-ups as small talk: « je px faire quoi alors ? » as help, « et en
train ? » as bot_challenge, and a long question it is unsure of (« nomade2 ça sert à quoi
concrètement ? ») as help. Before the canned response, such a message is recomputed when it
follows a computation (:mod:`actions.computation_follow_ups`) and answered when it leans on
an answer or the texts answer it; the forms read it the same way (:func:`small_talk_asks`).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import question_text, question_vector, retrieve
from actions.common import latest_intent, latest_text, recent_user_texts
from actions.computation_follow_ups import follow_up
from actions.follow_ups import is_follow_up
from actions.replies import words

logger = logging.getLogger(__name__)


async def answer_as_a_question(
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
SMALL_TALK = {"help": "utter_help", "bot_challenge": "utter_iamabot"}


async def small_talk(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], response: str
) -> list[EventType]:
    """A follow-up of a computation is recomputed, one of an answer answered; else ``response``."""
    events = await follow_up(dispatcher, tracker)
    if events is not None:
        return events
    if await small_talk_asks(tracker):
        return await answer_as_a_question(dispatcher, tracker, domain)
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
