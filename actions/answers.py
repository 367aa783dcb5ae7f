"""Questions answered from the official texts: an extract with its source, or an abstention.

:func:`answer_question` is the one answer/abstain decision of the chat: the same engine as
``/api/ask``, every passage the answer is composed from cited. The retrieval engine
(``knowledge``) loads a model and an index, which takes seconds: it is
loaded once per process in a worker thread, started when the action server imports this
module (see :func:`start_warm_up`), and each question then runs in a thread under
:data:`ASK_TIMEOUT_S`. Whatever the user sends (nothing, an emoji, a novel), the action answers
in French and never raises.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    HELP_BUTTON,
    REFERENT_BUTTON,
    Button,
    failure_text,
    latest_intent,
    latest_text,
    recent_user_texts,
    run_in_thread,
    send_sources,
)
from actions.follow_ups import states_situation, with_context, without_opener
from actions.replies import Choice, bot_turns, numbered
from actions.settings import ActionSettings
from knowledge.analysis import sanitize_text
from knowledge.dense import KnownQueryVector, carried_query_vector
from knowledge.payload import BotPayload
from rules.formatting import fr_number

if TYPE_CHECKING:
    from knowledge.answer import Answer, AnswerEngine
    from knowledge.models import Source

logger = logging.getLogger(__name__)

# The variables behind ``ActionSettings.warmup`` and ``actions_warmup``.
WARMUP_SWITCHES = ("TELETRAVAIL_WARMUP", "TELETRAVAIL_ACTIONS_WARMUP")
MAX_QUESTION_CHARS = 2000
ASK_TIMEOUT_S = 20.0
LOAD_TIMEOUT_S = 60.0
# A button payload (« /ask_procedure ») carries no words: ask the question it stands for.
INTENT_QUESTIONS = {
    "ask_quota": "Combien de jours de télétravail par semaine ?",
    "ask_eligibility": "Qui peut prétendre au télétravail ?",
    "ask_equipment": "Quel équipement l'administration fournit-elle au télétravailleur ?",
    "ask_home_requirements": "Quelles exigences pour télétravailler à domicile ?",
    "ask_procedure": "Comment faire une demande de télétravail ?",
    "ask_changes": "Comment modifier ou arrêter le télétravail, avec quel délai de prévenance ?",
    "ask_medical": "Dérogation au télétravail pour raison médicale",
    "ask_rights": "Horaires de travail et droits de l'agent en télétravail",
    "ask_manager_guide": "Comment le supérieur hiérarchique apprécie-t-il la demande ?",
    "simulate_impact": "Quels gains de trajet et d'émissions le télétravail permet-il ?",
}
EMPTY_MESSAGE = (
    "Votre message est vide. Posez-moi votre question sur le télétravail, par exemple : "
    "« Combien de jours de télétravail à 80 % ? »"
)
NO_WORDS_MESSAGE = (
    "Je n'ai pas trouvé de mots dans votre message. Posez-moi votre question en quelques "
    "mots, par exemple : « Qui fournit l'ordinateur ? »"
)
TRUNCATED_NOTE = (
    f"Votre message est très long : je n'en ai lu que les {fr_number(MAX_QUESTION_CHARS)} "
    "premiers caractères."
)
BUSY_MESSAGE = (
    "La recherche dans les textes prend plus de temps que prévu. Réessayez dans un instant ; "
    "le référent télétravail de votre service peut aussi vous répondre."
)
FAILURE_MESSAGE = (
    "Je n'arrive pas à consulter les textes pour le moment. Le référent télétravail de votre "
    "service peut vous répondre."
)

SUGGESTIONS_INTRO = "Vouliez-vous dire… ?"
PICK_BY_NUMBER = "Répondez par le numéro du choix :"
# The question each offer asks, so that « oui » has a question to answer (and Tchap, which
# shows no buttons, a text to read).
OFFER_QUESTIONS = {
    "/start_quota": "Voulez-vous calculer vos jours de télétravail pour votre situation ?",
    "/start_impact": "Voulez-vous simuler vos économies de trajet ?",
    "/start_eligibility": "Voulez-vous vérifier votre situation en quelques questions ?",
    "/start_notice": "Voulez-vous calculer la date d'effet pour votre cas ?",
    "/start_manager_guide": "Voulez-vous voir le guide du manager ?",
    "/request_draft": "Voulez-vous que je vous aide à remplir votre demande ?",
    "/talk_to_human": "Voulez-vous poser votre question à un référent télétravail ?",
}
REPHRASE = "Pouvez-vous reformuler votre question autrement ?"
# A follow-up is searched with at most this many messages: itself and the chain of messages
# it leans on.
CONTEXT_MESSAGES = 3
# A situation stated without a question (« jsuis contractuelle ds un lycée agricole », « mon
# taf c'est surtout l'accueil au guichet ») asks, in a telework chat, what it changes for
# telework: searched alone it finds nothing, since it asks nothing.
SITUATION_QUESTION = "est-ce que je peux télétravailler ?"
# How many of the bot's turns a follow-up may look back for the section it is about, over
# the abstentions in between.
MAX_TURNS_BACK = 2

_engine_lock = threading.Lock()


def get_engine() -> AnswerEngine:
    """Load the process-wide engine once, even when several threads ask at the same time."""
    with _engine_lock:
        from knowledge.service import get_engine as load

        return load()


def _warm_up() -> None:
    started = time.perf_counter()
    try:
        get_engine().ask("télétravail")
    except Exception:  # the first question will report it to the user
        logger.exception("Préchargement du moteur de recherche impossible")
        return
    logger.info("Moteur de recherche prêt en %.1f s", time.perf_counter() - started)


def _in_action_server_supervisor() -> bool:
    """Whether this is the first process of ``python -m rasa_sdk``, which serves nothing.

    rasa-sdk (Sanic 25) imports the actions there, then again in the worker process it
    spawns (``SANIC_WORKER_NAME`` set), which answers every request: loading the engine in
    both cost 1.2 GB of memory and ~30 s of CPU at start-up for nothing (docs/rasa.md).
    """
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    started_as = getattr(main_spec, "name", "")
    return started_as == "rasa_sdk.__main__" and not os.environ.get("SANIC_WORKER_NAME")


def start_warm_up() -> threading.Thread | None:
    """Load the engine in the background, unless the warm-up is switched off.

    ``TELETRAVAIL_WARMUP=0`` switches it off for every process (as for the API);
    ``TELETRAVAIL_ACTIONS_WARMUP=0`` for the action server only (the action tests use it).
    The action server's supervising process never loads it (it serves no request).
    """
    settings = ActionSettings()  # read now: the switch may be set just before the import
    if not (settings.warmup and settings.actions_warmup):
        return None
    if _in_action_server_supervisor():
        return None
    thread = threading.Thread(target=_warm_up, name="knowledge-warm-up", daemon=True)
    thread.start()
    return thread


def distinct(buttons: Sequence[Button]) -> list[Button]:
    """Each payload once, the first title kept (a suggestion may repeat a fixed button)."""
    kept: dict[str, Button] = {}
    for item in buttons:
        kept.setdefault(item["payload"], item)
    return list(kept.values())


def offer_text(offers: Sequence[Button]) -> str:
    """The question that goes with the offers: « Voulez-vous … ? (oui / non) », or numbered."""
    first = offers[0]["payload"].split("{")[0]
    question = OFFER_QUESTIONS.get(first, "Voulez-vous aller plus loin ?")
    if len(offers) == 1:
        return f"{question} (oui / non)"
    choices = [Choice(o["title"], o["payload"]) for o in offers]
    return f"{question} Répondez par le numéro du choix :\n{numbered(choices)}"


def send_offers(dispatcher: CollectingDispatcher, offers: Sequence[Button]) -> None:
    """Ask the offer's question with its buttons (nothing when there is no offer)."""
    if offers:
        dispatcher.utter_message(text=offer_text(offers), buttons=list(offers))


def question_text(tracker: Tracker) -> str:
    """The words to search: the user's text, or the question a button payload stands for."""
    text = sanitize_text(latest_text(tracker)).strip()
    if text.startswith("/"):
        return INTENT_QUESTIONS.get(latest_intent(tracker), "")
    return without_opener(text)


def _with_messages_before(tracker: Tracker, count: int) -> str | None:
    """The latest message with those it leans on among the last ``count`` (None: none)."""
    text = sanitize_text(latest_text(tracker)).strip()
    if text.startswith("/"):
        return None
    searched = with_context(text, recent_user_texts(tracker, count))
    return searched if searched != text else None


def context_question(tracker: Tracker) -> str | None:
    """A follow-up with the message before it, to search when the follow-up alone finds nothing.

    None when the message is no follow-up (or has no message before it).
    """
    return _with_messages_before(tracker, 2)


def wider_context(tracker: Tracker) -> str | None:
    """The follow-up with the whole chain of messages it leans on, when longer than one.

    « mon taf c surtout l'accueil au guichet » after « et si mon contrat est prolongé ? »,
    itself after « je suis contractuel, j'ai droit au tt ? »: the subject is two messages
    back. Searched only when the message before alone finds nothing: a longer context
    drifts more often than it helps (« il peut contester ? » after « et si je refuse ? »).
    """
    wider = _with_messages_before(tracker, CONTEXT_MESSAGES)
    return wider if wider != context_question(tracker) else None


def cited_sections(tracker: Tracker) -> list[tuple[str, str]]:
    """The sections the bot's last answer cited, its key passage's first, if it cited any.

    A follow-up may be about one of them (knowledge.follow_up): « et si je refuse ? » after
    the CHSCT's visits; « ça dure combien ? » after an answer citing the quotité, then the
    medical derogation, is about the second.
    """
    for turn in reversed(bot_turns(tracker.events)[-MAX_TURNS_BACK:]):
        payloads = [BotPayload.read((e.get("data") or {}).get("custom")) for e in turn]
        for payload in payloads:
            if payload.sources and not payload.abstained:
                sections = [(s.doc_id, s.section) for s in payload.sources if s.section]
                return list(dict.fromkeys(sections))
        if not any(payload.abstained for payload in payloads):
            return []
        # An abstention changes no subject: « elle sert à quoi cette période ? » after a
        # question the texts did not answer is still about the adaptation period cited before.
    return []


def cited_section(tracker: Tracker) -> tuple[str, str] | None:
    """The section the bot's last answer cited first (its key passage), if it cited one."""
    sections = cited_sections(tracker)
    return sections[0] if sections else None


def question_vector(tracker: Tracker) -> KnownQueryVector | None:
    """The e5 vector Rasa's NLU computed for the latest message, if it carries one.

    The engine uses it instead of encoding the question again when it is exactly the
    question searched (same text, same model file): see ``Retriever.reusable``.
    """
    return carried_query_vector(tracker.latest_message)


def _ask(question: str, known: KnownQueryVector | None = None) -> Answer:
    engine = get_engine()
    return engine.ask(question) if known is None else engine.ask(question, known=known)


async def retrieve(question: str, known: KnownQueryVector | None = None) -> Answer:
    """Ask the engine within the timeouts (loading the engine has its own, longer one).

    ``known``: the question's vector from the NLU (:func:`question_vector`), if any.

    Raises:
        TimeoutError: the engine did not load or answer in time.

    """
    await run_in_thread(get_engine, timeout=LOAD_TIMEOUT_S)
    return await run_in_thread(_ask, question, known, timeout=ASK_TIMEOUT_S)


def _ask_about(
    question: str, about: tuple[str, str], known: KnownQueryVector | None
) -> Answer | None:
    from knowledge.follow_up import answer_about

    return answer_about(get_engine(), question, *about, known=known)


def _cites_first(answer: Answer, section: tuple[str, str]) -> bool:
    first = answer.sources[0] if answer.sources else None
    return first is not None and (first.doc_id, first.section) == section


def incomplete(question: str) -> bool:
    """Whether a follow-up has too few words of its own to stand alone.

    « et pour un contractuel ? » after a question on recourse asks the contractuel's recourse.
    """
    from knowledge.follow_up import MAX_SUBJECT_WORDS, subject_words

    return len(subject_words(question)) <= MAX_SUBJECT_WORDS


async def _follow_up_answer(
    question: str,
    context: str,
    about: tuple[str, str] | None,
    known: KnownQueryVector | None,
    wider: str | None = None,
    also_about: Sequence[tuple[str, str]] = (),
) -> Answer:
    """The answer to an incomplete follow-up, with what came before.

    From the section just cited if it is about it (or another one the answer cited); else
    searched with the message before it when that answer holds the follow-up's own words,
    alone otherwise. Alone first, « et pour un contractuel ? » was answered (barely: 0.50)
    with who may telework, not the contractuel's recourse asked about; with the message
    before it always first, « et le matériel ? » after a question on the number of days got
    the days again (dev16).
    """
    for section in [*([about] if about else []), *also_about]:
        found = await retrieve_about(question, section, known)
        if found is not None:
            return found
    with_previous = await retrieve(context[-MAX_QUESTION_CHARS:])
    if not with_previous.abstained and await run_in_thread(
        _holds_subject, question, with_previous.answer, timeout=ASK_TIMEOUT_S
    ):
        return with_previous
    alone = await retrieve(question, known)
    if alone.abstained and with_previous.abstained and wider:
        return await retrieve(wider[-MAX_QUESTION_CHARS:])
    return with_previous if alone.abstained and not with_previous.abstained else alone


def topic_of(section: str) -> str:
    """What a section is about, from its title: its last part, without its number.

    « III – La procédure de demande › 4 – La période d'adaptation » → « La période
    d'adaptation ».
    """
    last = section.split("›")[-1]
    return re.sub(r"^\s*([0-9IVXivx]+|[A-Za-z])\s*[–—.)-]\s*", "", last).strip()


def _subject_share(question: str, answer: str) -> float:
    """Share of the message's own subject words the answer's text holds (1.0: none to hold)."""
    from knowledge.analysis import analyze
    from knowledge.follow_up import subject_words

    terms = subject_words(question)
    if not terms:
        return 1.0
    found = set(analyze(answer))
    return sum(any(form in found for form in forms) for forms in terms) / len(terms)


def _holds_subject(question: str, answer: str) -> bool:
    """Whether the answer's text has every word of the follow-up's own subject.

    « et pour un contractuel ? » after recourse: the recourse passage names the contractuel;
    « et le matériel ? » after the number of days: the days' passage has no « matériel », the
    follow-up opens a new subject and is searched alone.
    """
    return _subject_share(question, answer) == 1.0


# Share of a message's own words an answer found with the whole chain before it must hold.
MIN_SUBJECT_SHARE = 0.5


def _speaks_of(question: str, answer: str) -> bool:
    """Whether an answer found with the messages before holds most of a situation's words.

    « mon taf c surtout l'accueil des usagers au guichet », two questions on a contract
    after « je suis contractuel… » : the chain alone finds who may telework again (it holds
    « travail », not « accueil », « usager » nor « guichet ») — the situation just stated is
    the subject, searched next as a question of its own. A question leaning on the chain
    (« qui valide le truc au final ? ») takes its subject from it.
    """
    return not states_situation(question) or _subject_share(question, answer) >= MIN_SUBJECT_SHARE


async def retrieve_about(
    question: str, about: tuple[str, str], known: KnownQueryVector | None = None
) -> Answer | None:
    """The answer from the section just cited, if the follow-up is about it (or None).

    Raises:
        TimeoutError: the engine did not load or answer in time.

    """
    await run_in_thread(get_engine, timeout=LOAD_TIMEOUT_S)
    return await run_in_thread(_ask_about, question, about, known, timeout=ASK_TIMEOUT_S)


async def answer_question(
    dispatcher: CollectingDispatcher,
    question: str,
    *,
    offers: Sequence[Button] = (),
    suggestions: Sequence[Button] | None = None,
    in_form: bool = False,
    context: str | None = None,
    wider: str | None = None,
    about: tuple[str, str] | None = None,
    also_about: Sequence[tuple[str, str]] = (),
    intent: str | None = None,
    known: KnownQueryVector | None = None,
    offers_for_passage: Callable[[Source], Sequence[Button]] | None = None,
) -> Answer | None:
    """Answer from the texts, citing every passage used, or say why not and offer the référent.

    Args:
        dispatcher: where the messages go.
        question: the words to search.
        offers: buttons of the calculator matching the question, shown after the answer
            (and after an abstention: the calculator may still help).
        suggestions: when the NLU did not understand the message, the likely topics
            (« Vouliez-vous dire… »), shown only if the texts do not answer either; the
            message is then also marked ``fallback`` for the référents' page.
        context: the question with the message before it (:func:`context_question`),
            searched when ``question`` alone finds nothing (« et si je refuse ? »).
        wider: the question with every message it leans on (:func:`wider_context`),
            searched when ``context`` finds nothing either.
        about: the section the bot's last answer cited (:func:`cited_section`): a follow-up
            (``context`` set) found elsewhere alone is answered from it when it is about it
            (knowledge.follow_up).
        also_about: the other sections that answer cited, tried in turn for a follow-up with
            too few words to stand alone.
        in_form: a form asks its question again right after: the reply then carries no
            buttons and no numbered choices, so that « 2 » or « passer » answers the form's
            question, the only one pending.
        known: the e5 vector of the latest message from the NLU (:func:`question_vector`),
            used only if it is that of ``question`` (else the question is encoded again).
        intent: the NLU's intent of the message answered, written with the abstention
            marker so that the API records the question with the intent of this very turn.
        offers_for_passage: when there are no ``offers``, the buttons the first cited
            passage leads to (its section's calculator: the NLU may miss the topic that the
            search finds).

    Returns:
        The engine's answer, or None when the engine was not asked or failed.

    """
    if not question:
        dispatcher.utter_message(text=EMPTY_MESSAGE, buttons=[HELP_BUTTON])
        return None
    if not any(char.isalpha() for char in question):
        dispatcher.utter_message(text=NO_WORDS_MESSAGE, buttons=[HELP_BUTTON])
        return None
    if len(question) > MAX_QUESTION_CHARS:
        dispatcher.utter_message(text=TRUNCATED_NOTE)
        question = question[:MAX_QUESTION_CHARS]
    logger.debug("Recherche pour une question de %d caractères", len(question))
    try:
        if context and incomplete(question):
            answer = await _follow_up_answer(question, context, about, known, wider, also_about)
        else:
            answer = await retrieve(question, known)
            if context and about and not _cites_first(answer, about):
                # Found elsewhere alone: the follow-up may still be about what was just cited.
                answer = await retrieve_about(question, about, known) or answer
            if answer.abstained and context:
                with_previous = await retrieve(context[-MAX_QUESTION_CHARS:])
                answer = answer if with_previous.abstained else with_previous
            if answer.abstained and wider:
                with_chain = await retrieve(wider[-MAX_QUESTION_CHARS:])
                if not with_chain.abstained and await run_in_thread(
                    _speaks_of, question, with_chain.answer, timeout=ASK_TIMEOUT_S
                ):
                    answer = with_chain
            if answer.abstained and context and about:
                # « si ça se passe mal pendant, je peux tout arrêter ? » after the adaptation
                # period: the topic just cited, named by its section's title, completes it.
                with_topic = await retrieve(f"{topic_of(about[1])} : {question}")
                answer = answer if with_topic.abstained else with_topic
            if answer.abstained and states_situation(question):
                implicit = await retrieve(f"{question} : {SITUATION_QUESTION}")
                answer = answer if implicit.abstained else implicit
    except TimeoutError as error:
        logger.warning("Recherche trop longue ou refusée (%s)", type(error).__name__)
        dispatcher.utter_message(text=failure_text(error, BUSY_MESSAGE), buttons=[REFERENT_BUTTON])
        return None
    except Exception:
        logger.exception("Recherche impossible")
        dispatcher.utter_message(text=FAILURE_MESSAGE, buttons=[REFERENT_BUTTON])
        return None
    logger.debug("Confiance %.3f, abstention : %s", answer.confidence, answer.abstained)
    if answer.abstained:
        text = answer.answer
        buttons = distinct([*(suggestions or []), *offers, REFERENT_BUTTON, HELP_BUTTON])
        if in_form:
            buttons = []
        if suggestions is not None:
            if suggestions and not in_form:
                choices = [Choice(b["title"], b["payload"]) for b in buttons]
                text += f"\n\n{SUGGESTIONS_INTRO} {PICK_BY_NUMBER}\n{numbered(choices)}"
            else:
                text += "\n\n" + REPHRASE
        elif offers:
            text += "\n\n" + offer_text(offers)
        # The markers make the API record the question for the référents' page (/api/chat):
        # an abstention, and ``fallback`` when the NLU did not understand the message either.
        marker = BotPayload(abstained=True, fallback=suggestions is not None, intent=intent)
        dispatcher.utter_message(text=text, buttons=buttons, json_message=marker.to_custom())
        return answer
    dispatcher.utter_message(text=answer.answer)
    if answer.sources:
        send_sources(dispatcher, answer.sources)
        if not offers and offers_for_passage is not None and not in_form:
            offers = offers_for_passage(answer.sources[0])
    send_offers(dispatcher, offers)
    return answer


start_warm_up()
