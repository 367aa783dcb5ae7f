"""Hand-offs and loose ends: the référent, the request form, bare values, resets.

Asking for a person (``talk_to_human``, or the « Contacter le référent » button shown after
every abstention and every message not understood) leads to an explicit offer: « Transmettre
ma question à un référent télétravail ? » with the question quoted. Only a yes (the « Oui »
button, or « oui » typed, read by :mod:`actions.dialogue` against the offer's buttons)
creates a ticket (:mod:`storage.tickets`); the Tchap bot posts it in the référents' room and
brings the answer back. The offer is recognised from the bot's last turn (its question text),
so no slot and no retraining are needed.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.answers import answer_question, context_question, question_text, question_vector
from actions.common import (
    HELP_BUTTON,
    REFERENT_BUTTON,
    button,
    failure_text,
    latest_entity,
    latest_intent,
    latest_text,
    run_in_thread,
    send_sources,
)
from actions.guide import (
    ANNEX_1_FIELDS,
    INDIVIDUAL_ACT,
    INTERVIEW,
    REFERENT,
    REQUEST_CONTENT,
    SECTIONS,
)
from actions.impact import check_days, check_distance, impact_entities, reply_impact
from actions.notice import CLEARED, read_date, reply_notice
from actions.quota import quota_now, stated_quotite
from actions.replies import (
    Choice,
    attempted_choice,
    is_question,
    last_bot_text,
    last_bot_turn,
    pick,
    words,
    yes_or_no,
)
from actions.routing import MIN_QUESTION_WORDS, asks_about_referents, asks_who_pays
from knowledge.payload import BotPayload, Handoff
from rules.models import cite, load_rules

logger = logging.getLogger(__name__)

REFERENT_TEXT = (
    "Le référent télétravail de votre service accompagne les agents et les encadrants. Pour le "
    "joindre, demandez son nom et ses coordonnées à votre supérieur hiérarchique ou à votre "
    "service des ressources humaines de proximité.\n\n"
    "Je peux aussi transmettre votre question aux référents télétravail : une fois la question "
    "en cours terminée, dites « contacter le référent »."
)
DRAFT_INTRO = (
    "Je peux remplir votre demande avec vous, une question à la fois : terminons d'abord la "
    "question en cours, puis choisissez « Préparer ma demande ». Voici déjà "
    "ce que demande le formulaire officiel : c'est l'annexe 1 (« Formulaire de demande et de "
    "validation de l'exercice des fonctions en télétravail ») de l'instruction "
    "SG/SRH/SDDPRS/2019-781 du ministère de l'agriculture."
)
DRAFT_OUTRO = (
    "La demande écrite est remise à votre supérieur hiérarchique, qui vous reçoit en "
    "entretien ; l'accord définitif est donné par le directeur de la structure."
)
# When a document is needed, for those whose label does not say it already.
WHEN = {
    "always": "",
    "home": "",
    "home_certificate": "",
    "chorus": " (si vous utilisez Chorus ou Chorus-formulaire)",
    "medical": " (demande pour raison médicale)",
}
FORM_SLOTS = (
    REQUESTED_SLOT,
    "quotite",
    "distance_km",
    "telework_days",
    "transport_mode",
    "status",
    "contract_over_one_year",
    "activities_teleworkable",
    "home_conditions_ok",
    "date",
    "notice_event",
    "quiz_index",
    "quiz_score",
    "quiz_choice",
)
HANDOFF_QUESTION = "Transmettre ma question à un référent télétravail ?"
HANDOFF_BUTTONS = [button("Oui", "/talk_to_human"), button("Non", "/deny")]
ASK_QUESTION_FIRST = (
    "Quelle question voulez-vous transmettre aux référents télétravail ? Écrivez-la ; si je "
    "n'y réponds pas, choisissez ensuite « Contacter le référent »."
)
HANDOFF_FAILED = (
    "Je n'ai pas pu transmettre votre question (service momentanément indisponible). "
    "Réessayez dans un instant, ou adressez-vous au référent télétravail de votre service."
)
WHERE_ANSWER_COMES = {
    "tchap": "Sa réponse arrivera dans cette conversation Tchap",
    "web": "Sa réponse s'affichera dans cette page tant qu'elle reste ouverte (dans cet onglet)",
}
# Messages that carry no question: the hand-off is asked about the one before them.
NOT_A_QUESTION = frozenset(
    {"talk_to_human", "affirm", "deny", "dont_know", "stop", "greet", "goodbye", "thank",
     "help", "bot_challenge", "quiz_answer", "inform"}
)  # fmt: skip
MAX_CONTEXT_TURNS = 6
# How far back the question is looked for (user messages): an older one is not « the
# question the assistant could not answer » any more.
MAX_QUESTION_LOOKBACK = 8
ACTION_LISTEN = "action_listen"
TICKET_TIMEOUT_S = 10.0
WHAT_NEXT_BUTTONS = [
    button("Mes jours de télétravail", "/start_quota"),
    button("Vérifier mon éligibilité", "/start_eligibility"),
    button("Simuler mes économies", "/start_impact"),
    HELP_BUTTON,
]


def draft_text() -> str:
    """What annex 1 asks and which documents go with it, from the rules data."""
    documents = load_rules().eligibility.documents
    lines = [DRAFT_INTRO, "", "Le formulaire demande :"]
    lines += [f"• {field}" for field in ANNEX_1_FIELDS]
    lines += ["", "Pièces à joindre :"]
    lines += [f"• {doc.label}{WHEN[doc.when]}" for doc in documents if doc.code != "annexe_1"]
    lines += ["", DRAFT_OUTRO]
    return "\n".join(lines)


def send_referent(dispatcher: CollectingDispatcher) -> None:
    """Say who the référent is and how to reach them today, cited."""
    dispatcher.utter_message(text=REFERENT_TEXT)
    send_sources(dispatcher, cite(REFERENT), buttons=[HELP_BUTTON])


def send_draft_info(dispatcher: CollectingDispatcher) -> None:
    """Say what annex 1 asks and which documents go with it, cited, and offer to fill it."""
    rules = load_rules().eligibility
    form = next(doc for doc in rules.documents if doc.code == "annexe_1")
    others = [d for d in rules.documents if d.code != "annexe_1"]
    sources = cite(form, REQUEST_CONTENT, others, INTERVIEW, INDIVIDUAL_ACT)
    annex = [s for s in sources if s.section == SECTIONS["annex_1_step_1"]]
    dispatcher.utter_message(text=draft_text())
    send_sources(
        dispatcher,
        sources,
        shown=[*cite(form), *annex[:1]],
        buttons=[
            button("Préparer ma demande", "/request_draft"),
            button("Vérifier mon éligibilité", "/start_eligibility"),
        ],
    )


def _user_events(tracker: Tracker) -> list[dict[str, Any]]:
    return [e for e in tracker.events if isinstance(e, dict) and e.get("event") == "user"]


def _intent_of(event: dict[str, Any]) -> str:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else ""


def pending_question(tracker: Tracker) -> tuple[str, str | None, int] | None:
    """The question to pass on: the last user message that asks something.

    Requests for a person, yes/no, greetings and button payloads are skipped: « je veux
    parler au référent » after an abstention hands off the question that was not answered.

    Returns:
        The text, its intent and its index among the events; None when the agent has asked
        nothing yet.

    """
    seen = 0
    for index in range(len(tracker.events) - 1, -1, -1):
        event = tracker.events[index]
        if not isinstance(event, dict) or event.get("event") != "user":
            continue
        seen += 1
        if seen > MAX_QUESTION_LOOKBACK:
            break
        text = str(event.get("text") or "").strip()
        intent = _intent_of(event)
        if text.startswith("/") or (
            intent in NOT_A_QUESTION
            and not (intent == "talk_to_human" and asks_about_referents(text))
        ):
            continue  # a question about the référents is one (« y a un référent par région ? »)
        if not any(char.isalpha() for char in text) or yes_or_no(text) is not None:
            continue  # « 80 », « oui »: a value or a reply, not a question
        if attempted_choice(text):
            continue  # « 2 », « b »: a choice among the bot's buttons
        return text, intent or None, index
    return None


def conversation_turns(tracker: Tracker) -> list[dict[str, str]]:
    """The last few turns (agent and assistant), text only, for the référent's context."""
    turns = [
        {"who": "agent" if e.get("event") == "user" else "assistant", "text": str(e["text"])}
        for e in tracker.events
        if isinstance(e, dict) and e.get("event") in ("user", "bot") and e.get("text")
    ]
    return turns[-MAX_CONTEXT_TURNS:]


def considered_sources(tracker: Tracker, after: int) -> list[dict[str, str]]:
    """The sources the assistant cited after the question (ids and sections only)."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for event in tracker.events[after:]:
        if not isinstance(event, dict) or event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        for source in custom.get("sources") or [] if isinstance(custom, dict) else []:
            if isinstance(source, dict):
                key = (str(source.get("doc_id", "")), str(source.get("section", "")))
                found.setdefault(key, {"doc_id": key[0], "section": key[1]})
    return list(found.values())


def fell_back_before(tracker: Tracker) -> bool:
    """Whether the bot's previous turn did not understand the agent either (``fallback``).

    Two misunderstood messages in a row: the agent is stuck, and suggesting topics again
    does not help — the bot offers to pass the question to a person instead.
    """
    return any(
        BotPayload.read((event.get("data") or {}).get("custom")).fallback
        for event in last_bot_turn(tracker.events)
    )


def offer_pending(tracker: Tracker) -> bool:
    """Whether the bot's last turn asked « Transmettre ma question … ? »."""
    return HANDOFF_QUESTION in last_bot_text(tracker.events)


def consents(tracker: Tracker) -> bool:
    """Whether the latest message accepts the offer (« Oui », « oui », the request again)."""
    if latest_intent(tracker) == "talk_to_human":
        return True
    text = latest_text(tracker)
    choices = [Choice(b["title"], b["payload"]) for b in HANDOFF_BUTTONS]
    picked = pick(text, choices)
    if picked is not None:
        return picked.payload == "/talk_to_human"  # « 1 », « Oui » typed
    return yes_or_no(text) is True


def offer_handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Ask for consent, quoting the question that would be passed on."""
    found = pending_question(tracker)
    if found is None:
        dispatcher.utter_message(text=ASK_QUESTION_FIRST, buttons=[HELP_BUTTON])
        return
    question = found[0]
    shown = question if len(question) <= 300 else question[:300] + "…"
    dispatcher.utter_message(
        text=f"Je peux transmettre votre question aux référents télétravail : « {shown} ». "
        "Ils verront aussi les derniers échanges de cette conversation, sans votre nom.\n\n"
        f"{HANDOFF_QUESTION} (oui / non)",
        buttons=HANDOFF_BUTTONS,
    )


async def create_ticket(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Create the ticket the agent agreed to, and say its number and where the answer comes."""
    from storage.tickets import channel_of
    from storage.tickets import create_ticket as store_ticket

    found = pending_question(tracker)
    if found is None:
        dispatcher.utter_message(text=ASK_QUESTION_FIRST, buttons=[HELP_BUTTON])
        return
    question, intent, index = found
    sender = tracker.sender_id or ""
    try:
        number = await run_in_thread(
            lambda: store_ticket(
                conversation_id=sender,
                question=question,
                turns=conversation_turns(tracker),
                intent=intent,
                sources=considered_sources(tracker, index),
            ),
            timeout=TICKET_TIMEOUT_S,
        )
    except Exception as error:
        logger.exception("Ticket not created")
        dispatcher.utter_message(text=failure_text(error, HANDOFF_FAILED), buttons=[HELP_BUTTON])
        return
    logger.info("Ticket %d created (%s)", number, channel_of(sender))
    where = WHERE_ANSWER_COMES[channel_of(sender)]
    dispatcher.utter_message(
        text=f"C'est transmis : votre demande n° {number} est entre les mains des référents "
        f"télétravail. {where}, précédée de « Réponse du référent télétravail ».",
        buttons=[HELP_BUTTON],
        json_message=BotPayload(handoff=Handoff(ticket=number)).to_custom(),
    )


class ActionTalkToHuman(Action):
    """Offer to pass the question on to the référents; on a yes, do it.

    ``action_talk_to_human``.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_talk_to_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Create the ticket after the offer and a yes; otherwise make the offer.

        Returns ``FollowupAction(action_listen)``: a typed « oui » reaches this action
        through ``action_handle_reply`` (a FollowupAction), a path no rule or story covers,
        where the policies would add a fallback message after the ticket's; the bot's turn
        ends here in every case.
        """
        if offer_pending(tracker) and consents(tracker):
            await create_ticket(dispatcher, tracker)
        elif latest_intent(tracker) == "talk_to_human" and asks_about_referents(
            latest_text(tracker)
        ):
            # A question about the référents: what the texts say, the référent offered after.
            await answer_question(
                dispatcher, latest_text(tracker), offers=[REFERENT_BUTTON], intent="talk_to_human"
            )
        else:
            offer_handoff(dispatcher, tracker)
        return [FollowupAction(ACTION_LISTEN)]


class ActionRequestDraft(Action):
    """Say what the request form (annex 1) asks and where it is (``action_request_draft``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_request_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the fields and documents of annex 1, cited."""
        send_draft_info(dispatcher)
        return []


class ActionHandleInform(Action):
    """Use a bare value given outside a form (« je suis à 80 % », « 12 km »)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_handle_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Compute what the value allows, or suggest what to do with it."""
        quotite = stated_quotite(tracker)
        if quotite is not None:
            return await quota_now(dispatcher, tracker, quotite)
        event = tracker.get_slot("notice_event")
        raw_date = latest_entity(tracker, "date") or tracker.get_slot("date")
        if isinstance(event, str) and raw_date:
            day = await read_date(str(raw_date))
            said = latest_text(tracker)
            if day is not None and await reply_notice(dispatcher, event, day, said):
                return CLEARED
        distance, days = impact_entities(tracker)
        if (distance is not None or days is not None) and asks_who_pays(latest_text(tracker)):
            # « j'habite à 200 km, le billet est remboursé ? »: the texts answer that.
            from actions.small_talk import answer_as_a_question

            return await answer_as_a_question(dispatcher, tracker, domain)
        if distance is not None or days is not None:
            return await self._impact(dispatcher, tracker, distance, days)
        if latest_entity(tracker, "status") is not None:
            text = latest_text(tracker)
            if (is_question(text) and len(words(text)) >= MIN_QUESTION_WORDS) or context_question(
                tracker
            ) is not None:
                # « et un contractuel en cdd de 6 mois ? » asks the rule for that status;
                # « jsuis titulaire » after « et si mon chef dit non ? » asks that question
                # again for this status.
                from actions.small_talk import answer_as_a_question

                return await answer_as_a_question(dispatcher, tracker, domain)
            # « jsuis contractuelle en cdd de 2 ans »: what the texts say of that status (the
            # search reads it as asking whether it allows telework), then the check offered.
            await answer_question(
                dispatcher,
                question_text(tracker),
                offers=[button("Vérifier mon éligibilité", "/start_eligibility")],
                intent=latest_intent(tracker),
                known=question_vector(tracker),
            )
            return []
        if context_question(tracker) is not None:
            # « mon contrat fait 10 mois » after « chui contractuel, jpeux faire du tt ? »
            # asks that question again for this situation: answered with it.
            from actions.small_talk import answer_as_a_question

            return await answer_as_a_question(dispatcher, tracker, domain)
        dispatcher.utter_message(
            text="Merci pour cette précision. Que voulez-vous faire ?", buttons=WHAT_NEXT_BUTTONS
        )
        return []

    @staticmethod
    async def _impact(
        dispatcher: CollectingDispatcher, tracker: Tracker, distance: Any, days: Any
    ) -> list[EventType]:
        events: list[EventType] = []
        values: dict[str, float | None] = {}
        for slot, given, check in (
            ("distance_km", distance, check_distance),
            ("telework_days", days, check_days),
        ):
            try:
                values[slot] = check(given if given is not None else tracker.get_slot(slot))
            except ValueError as error:
                values[slot] = None
                if given is not None:
                    dispatcher.utter_message(text=f"{error}.")
            if given is not None:
                events.append(SlotSet(slot, values[slot]))
        km, per_week = values["distance_km"], values["telework_days"]
        if km is not None and per_week is not None:
            await reply_impact(dispatcher, tracker, km, per_week)
        elif km is not None or per_week is not None:
            dispatcher.utter_message(
                text="Voulez-vous estimer le temps, les kilomètres et le CO2 que le télétravail "
                "vous ferait économiser ?",
                buttons=[button("Simuler mes économies", "/start_impact"), HELP_BUTTON],
            )
        return events


class ActionResetForms(Action):
    """Clear every form's slots, the pending notice and the quiz (``action_reset_forms``)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_reset_forms"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Return one ``SlotSet(slot, None)`` per slot that holds a value."""
        return [SlotSet(slot, None) for slot in FORM_SLOTS if tracker.get_slot(slot) is not None]
