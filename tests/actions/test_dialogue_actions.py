"""The turn after a question of the bot: offers, choices, the quiz and follow-ups.

Each tracker holds the bot's last turn (its buttons) before the user's reply, as Rasa posts
it to the action server; the reply is read against those buttons (actions/dialogue.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Action, Tracker

from actions.dialogue import DECLINED, NOTHING_PENDING, UNCLEAR_CHOICE, ActionHandleReply
from actions.manager import PICK_A_LETTER, ask_question
from actions.questions import ActionAnswerQuestion
from knowledge.answer import ABSTENTION_MESSAGE
from tests.actions.helpers import Outcome, make_tracker, slot

Run = Callable[[Action, Tracker], Outcome]
OFFER = [{"title": "Calculer pour ma situation", "payload": "/start_quota"}]


def followup(name: str) -> dict[str, Any]:
    """The event ``FollowupAction(name)`` as rasa-sdk returns it."""
    return {"event": "followup", "timestamp": None, "name": name}


def after(
    buttons: list[dict[str, str]],
    text: str,
    intent: str = "affirm",
    *,
    bot_text: str = "Voulez-vous ?",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker where the bot's last turn offered ``buttons`` and the user typed ``text``."""
    tracker = make_tracker(
        "question", text=text, intent=intent, entities=entities or [], slots=slots or {}
    )
    last_user = max(i for i, e in enumerate(tracker.events) if e.get("event") == "user")
    bot = {"event": "bot", "text": bot_text, "data": {"buttons": buttons}}
    tracker.events.insert(last_user, bot)
    return tracker


def quiz_buttons(index: int) -> list[dict[str, str]]:
    """The buttons of quiz question ``index``, as ask_question sends them."""
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    ask_question(dispatcher, index)
    return list(dispatcher.messages[0]["buttons"])


@pytest.mark.parametrize("text", ["oui", "ouais vas-y", "ok", "volontiers", "d'accord", "1"])
def test_yes_to_an_offer_starts_its_form(run: Run, text: str) -> None:
    outcome = run(ActionHandleReply(), after(OFFER, text))
    assert outcome.events == [slot("quotite", None), followup("quota_form")]
    assert outcome.messages == []


@pytest.mark.parametrize("text", ["non merci", "laisse tomber", "pas maintenant"])
def test_no_to_an_offer_declines(run: Run, text: str) -> None:
    outcome = run(ActionHandleReply(), after(OFFER, text, "deny"))
    assert outcome.events == []
    assert outcome.texts == [DECLINED]


def test_yes_read_by_the_question_route_too(run: Run) -> None:
    offer = [{"title": "Vérifier mon éligibilité", "payload": "/start_eligibility"}]
    outcome = run(ActionAnswerQuestion(), after(offer, "ouais vas-y", "nlu_fallback"))
    assert outcome.events == [followup("eligibility_form")]


def test_a_choice_out_of_range_is_asked_again_with_the_list(run: Run) -> None:
    buttons = [
        {"title": "Calculer la date d'effet", "payload": "/start_notice"},
        {"title": "Préparer ma demande", "payload": "/request_draft"},
    ]
    outcome = run(ActionHandleReply(), after(buttons, "7", "inform"))
    assert outcome.texts == [
        f"{UNCLEAR_CHOICE}\n1. Calculer la date d'effet\n2. Préparer ma demande"
    ]
    assert outcome.payloads == ["/start_notice", "/request_draft"]


def test_no_pending_question_yes_asks_what_next(run: Run) -> None:
    outcome = run(ActionHandleReply(), after([], "oui"))
    assert outcome.texts == ["Puis-je vous aider sur autre chose ?"]


def test_quiz_number_grades_instead_of_a_quotite(run: Run) -> None:
    tracker = after(
        quiz_buttons(0),
        "1",
        "inform",
        entities=[{"entity": "quotite", "value": "1"}],
        slots={"quiz_index": 0.0, "quiz_score": 0.0},
    )
    outcome = run(ActionHandleReply(), tracker)
    assert "1 %" not in outcome.text
    assert outcome.texts[0].startswith(("Bonne réponse", "Pas tout à fait"))
    assert "Question 2/" in outcome.text
    assert slot("quiz_index", 1.0) in outcome.events


@pytest.mark.parametrize("text", ["b", "B)", "2"])
def test_quiz_letters(run: Run, text: str) -> None:
    tracker = after(quiz_buttons(0), text, "nlu_fallback", slots={"quiz_index": 0.0})
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "Question 2/" in outcome.text


def test_quiz_answered_in_words_is_graded(run: Run) -> None:
    """« je dirais 3 jours par semaine » names the second choice of the first question."""
    tracker = after(
        quiz_buttons(0), "je dirais 3 jours par semaine", "inform", slots={"quiz_index": 0.0}
    )
    outcome = run(ActionHandleReply(), tracker)
    assert outcome.texts[0].startswith("Bonne réponse")
    assert "Question 2/" in outcome.text


def test_quiz_unclear_answer_is_asked_again(run: Run) -> None:
    tracker = after(quiz_buttons(1), "euh", "inform", slots={"quiz_index": 1.0})
    outcome = run(ActionHandleReply(), tracker)
    assert outcome.texts[0] == PICK_A_LETTER
    assert outcome.texts[1].startswith("Question 2/")


def test_quiz_stop(run: Run) -> None:
    tracker = after(quiz_buttons(1), "stop", "stop", slots={"quiz_index": 1.0})
    outcome = run(ActionHandleReply(), tracker)
    assert slot("quiz_index", None) in outcome.events
    assert "j'arrête le quiz" in outcome.text


@pytest.mark.parametrize(
    ("intent", "action"),
    [("nlu_fallback", ActionAnswerQuestion()), ("bot_challenge", ActionHandleReply())],
)
def test_impact_follow_up_by_train(run: Run, intent: str, action: Action) -> None:
    """Whatever the NLU makes of « et en train ? » (seen: bot_challenge), it recomputes."""
    tracker = after(
        [],
        "et en train ?",
        intent,
        slots={
            "distance_km": 30.0,
            "telework_days": 2.0,
            "last_computation": {"kind": "impact"},
        },
    )
    outcome = run(action, tracker)
    assert "transports en commun" in outcome.texts[0]
    assert "« train » : compté comme transport en commun." in outcome.texts[0]
    assert slot("transport_mode", "transports_en_commun") in outcome.events


def test_a_distance_corrected_after_a_simulation_is_recomputed(run: Run) -> None:
    """« ah non pardon c 30 km pas 40 » (read as a « non ») puts the distance right."""
    tracker = after(
        [],
        "ah non pardon c 30 km pas 40",
        "deny",
        slots={
            "distance_km": 40.0,
            "telework_days": 2.0,
            "last_computation": {"kind": "impact"},
        },
    )
    outcome = run(ActionHandleReply(), tracker)
    assert slot("distance_km", 30.0) in outcome.events
    assert "30 km" in outcome.texts[0]


def test_quiz_stopped_in_words(run: Run) -> None:
    tracker = after(quiz_buttons(1), "bof jarrete la", "nlu_fallback", slots={"quiz_index": 1.0})
    outcome = run(ActionHandleReply(), tracker)
    assert slot("quiz_index", None) in outcome.events


def test_quota_follow_ups(run: Run) -> None:
    kept = {"quotite": 80.0, "last_computation": {"kind": "quota"}}
    monthly = run(ActionHandleReply(), after([], "et par mois ?", "inform", slots=kept))
    assert "8 jours par mois" in monthly.texts[0]
    seventy = run(
        ActionHandleReply(),
        after(
            [],
            "et à 70 % ?",
            "inform",
            entities=[{"entity": "quotite", "value": "70"}],
            slots=kept,
        ),
    )
    assert seventy.texts[0].startswith("À 70 % : 1,5 jour")


@pytest.mark.parametrize("text", ["si je passe a 90 ca fait combien ?", "et plutot 90 ?"])
def test_a_quotite_supposed_without_entity_is_computed(run: Run, text: str) -> None:
    kept = {"quotite": 80.0, "last_computation": {"kind": "quota"}}
    outcome = run(ActionAnswerQuestion(), after([], text, "nlu_fallback", slots=kept))
    assert outcome.texts[0].startswith("À 90 % : 2,5 jours")


def test_a_small_figure_supposed_is_no_quotite(run: Run) -> None:
    kept = {"quotite": 80.0, "last_computation": {"kind": "quota"}}
    outcome = run(ActionHandleReply(), after([], "si je fais 2 jours ?", "inform", slots=kept))
    assert not any(text.startswith("À 2 %") or "2 % n'est pas" in text for text in outcome.texts)


def test_a_quotite_after_the_rule_and_its_offer_is_computed(run: Run) -> None:
    """« et à mi-temps ? » after the ceilings' answer, which offered the computation."""
    tracker = after(
        OFFER,
        "et à mi-temps ?",
        "nlu_fallback",
        bot_text="Un agent à temps plein peut bénéficier au maximum de trois jours…",
        entities=[{"entity": "quotite", "value": "50"}],
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.texts[0].startswith("À 50 % : 0,5 jour")


def test_notice_follow_up_with_a_new_date_and_correction(run: Run) -> None:
    kept = {"last_computation": {"kind": "notice", "event": "end"}}
    again = run(
        ActionAnswerQuestion(),
        after([], "et si je préviens le 14 janvier 2027 ?", "ask_changes", slots=kept),
    )
    assert "14 mars 2027" in again.texts[0]
    correct = run(ActionHandleReply(), after([], "corriger la date", "inform", slots=kept))
    assert correct.events == [
        slot("notice_event", "end"),
        slot("date", None),
        followup("notice_form"),
    ]


def test_a_new_date_after_a_wished_one_is_wished_too(run: Run) -> None:
    """After « à partir du 15 janvier… au plus tard ? », « et pour le 1er mars 2027 ? »."""
    kept = {
        "last_computation": {
            "kind": "notice", "event": "calendar_change", "date": "2027-01-15", "wished": True
        }
    }  # fmt: skip
    wished = run(
        ActionAnswerQuestion(),
        after([], "et si c'est à partir du 1er mars 2027 ?", "ask_changes", slots=kept),
    )
    assert (
        "au plus tard le dimanche 14 février 2027 (en jour ouvré : le vendredi 12"
        in (wished.texts[0])
    )
    notified = run(
        ActionAnswerQuestion(),
        after([], "et si je préviens le 1er mars 2027 ?", "ask_changes", slots=kept),
    )
    assert notified.texts[0].startswith("Date d'effet au plus tôt : mardi 16 mars 2027.")


def test_notice_question_without_a_date_gives_the_rule_and_offers(run: Run) -> None:
    tracker = after([], "quel délai pour arrêter le télétravail ?", "ask_changes")
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "2 mois" in outcome.texts[0] and "1 mois" in outcome.texts[0]
    assert outcome.sources
    assert outcome.payloads == ["/start_notice"]
    assert "(oui / non)" in outcome.text


def test_a_date_after_the_rule_is_computed_for_it(run: Run) -> None:
    """The rule answer keeps its event; « le 3 février 2027 » then is its date."""
    rule = run(ActionAnswerQuestion(), after([], "quel délai pour arrêter le tt ?", "ask_changes"))
    assert slot("last_computation", {"kind": "notice", "event": "end"}) in rule.events
    kept = {"last_computation": {"kind": "notice", "event": "end"}}
    date = run(ActionHandleReply(), after([], "le 3 février 2027", "inform", slots=kept))
    assert "3 avril 2027" in date.texts[0]


def test_a_follow_up_that_changes_the_situation_is_not_computed_with_the_old_one(
    run: Run,
) -> None:
    kept = {"last_computation": {"kind": "notice", "event": "calendar_change"}}
    tracker = after(
        [], "bon en fait j'arrête le tt, je préviens le 1er février 2027", "ask_changes", slots=kept
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "1er avril 2027" in outcome.texts[0]


def test_a_date_read_as_a_draft_request_after_a_notice_rule_is_computed(run: Run) -> None:
    """« oui je fais la demande le 1er février 2027 » (request_draft) after the rule."""
    from actions.draft_form import INTRO, ValidateDraftForm

    kept = {"last_computation": {"kind": "notice", "event": "calendar_change"}}
    text = "oui je fais la demande le 1er février 2027"
    outcome = run(ValidateDraftForm(), after([], text, "request_draft", slots=kept))
    assert "16 février 2027" in outcome.text and INTRO not in outcome.text
    assert {"event": "active_loop", "timestamp": None, "name": None} in outcome.events
    # Without a notice just before, the same words start the request.
    started = run(ValidateDraftForm(), after([], text, "request_draft"))
    assert INTRO in started.text


def test_a_question_read_as_stop_is_answered_as_a_question(run: Run) -> None:
    """« et si je veux arrêter pendant ? » (NLU: stop) after the adaptation period's rule."""
    tracker = after([], "et si je veux arrêter pendant ?", "stop")
    previous = {"event": "user", "text": "c'est quoi la période d'adaptation en tt ?"}
    tracker.events.insert(0, previous)
    # Answered by action_handle_reply itself: no FollowupAction, which Rasa's rule policy
    # would follow with its fallback.
    answer = run(ActionHandleReply(), tracker)
    assert not any(e.get("event") == "followup" for e in answer.events)
    assert "1 mois" in answer.texts[0]


@pytest.mark.parametrize(
    ("text", "answered"),
    [("jen ai pas de certificat", True), ("non j'en ai pas besoin", False), ("non merci", False)],
)
def test_a_lack_read_as_no_after_a_question_asks_it_again(
    run: Run, text: str, answered: bool
) -> None:
    """« jen ai pas de certificat » (NLU: deny) after a question on the certificate."""
    tracker = after([], text, "deny")
    previous = {"event": "user", "text": "le certificat consuel c qui qui paye ?"}
    tracker.events.insert(0, previous)
    outcome = run(ActionHandleReply(), tracker)
    assert (outcome.texts[0] != DECLINED) is answered


def test_notice_question_with_a_date_is_computed(run: Run) -> None:
    tracker = after(
        [], "je veux changer un jour de télétravail ponctuellement demain", "ask_changes"
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.texts[0].startswith("Date d'effet au plus tôt")
    assert "48 h" in outcome.text
    assert "ponctual_change" not in outcome.text


def test_the_administrations_side_of_a_notice_rule_is_given_as_a_follow_up(run: Run) -> None:
    kept = {"last_computation": {"kind": "notice", "event": "ponctual_change"}}
    text = "et si c'est mon chef qui me demande de venir ce jour la ?"
    outcome = run(ActionAnswerQuestion(), after([], text, "nlu_fallback", slots=kept))
    assert "48 h" in outcome.texts[0]
    assert "à l'initiative de l'administration" in outcome.texts[0]


def test_a_new_value_recomputes_the_simulation(run: Run) -> None:
    kept = {"distance_km": 15.0, "telework_days": 1.0, "last_computation": {"kind": "impact"}}
    three = [{"entity": "telework_days", "value": "3"}]
    outcome = run(
        ActionAnswerQuestion(),
        after([], "et pour 3 jours plutot ?", "nlu_fallback", entities=three, slots=kept),
    )
    assert "par an" in outcome.texts[0]
    assert slot("telework_days", 3.0) in outcome.events
    nine = [{"entity": "telework_days", "value": "9"}]
    refused = run(
        ActionAnswerQuestion(),
        after([], "et pour 9 jours ?", "nlu_fallback", entities=nine, slots=kept),
    )
    assert "par an" not in refused.text and "5" in refused.texts[0]
    # A new question that holds a number of days is not a new simulation.
    question = run(
        ActionAnswerQuestion(),
        after([], "je peux décaler mes 2 jours de tt ?", "ask_changes", entities=three, slots=kept),
    )
    assert "par an" not in question.text


def test_a_thank_you_with_a_question_is_answered(run: Run) -> None:
    kept = {"quotite": 100.0, "last_computation": {"kind": "quota"}}
    ninety = [{"entity": "quotite", "value": "90"}]
    answered = run(
        ActionHandleReply(), after([], "merci ! et a 90 % ?", "thank", entities=ninety, slots=kept)
    )
    assert answered.texts[0].startswith("À 90 % : 2,5 jours")
    assert slot("quotite", 90.0) in answered.events
    welcome = run(ActionHandleReply(), after([], "merci beaucoup", "thank", slots=kept))
    assert welcome.events == []
    assert [m["response"] for m in welcome.messages] == ["utter_you_are_welcome"]


def test_yes_and_thanks_accepts_the_offer_ok_thanks_does_not(run: Run) -> None:
    offer = [{"title": "Calculer la date d'effet", "payload": "/start_notice"}]
    accepted = run(ActionHandleReply(), after(offer, "oui merci", "thank"))
    assert followup("notice_form") in accepted.events
    thanked = run(ActionHandleReply(), after(offer, "ok merci", "thank"))
    assert thanked.events == []
    assert [m["response"] for m in thanked.messages] == ["utter_you_are_welcome"]


def test_a_corrected_situation_is_computed_with_the_same_date(run: Run) -> None:
    kept = {"last_computation": {"kind": "notice", "event": "end", "date": "2027-01-12"}}
    text = "pardon je me suis trompé, je suis encore en période d'adaptation"
    outcome = run(ActionAnswerQuestion(), after([], text, "ask_changes", slots=kept))
    assert "12 février 2027" in outcome.texts[0]
    remembered = {"kind": "notice", "event": "end_during_adaptation", "date": "2027-01-12"}
    assert slot("last_computation", remembered) in outcome.events


@pytest.mark.parametrize(
    ("text", "event", "effective", "period_end"),
    [
        # Started on 1 October with three months: still in the period on 8 December.
        (
            "ah mais g commence le 1er octobre avec 3 mois d'adaptation",
            "end_during_adaptation",
            "vendredi 8 janvier 2027",
            "jeudi 31 décembre 2026",
        ),
        # Started on 1 September: the period ended on 30 November, two months' notice.
        (
            "il a commencé le 1er septembre avec 3 mois d'adaptation",
            "end",
            "lundi 8 février 2027",
            "lundi 30 novembre 2026",
        ),
    ],
)
def test_a_start_with_its_adaptation_after_an_end_says_which_end_it_is(
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    event: str,
    effective: str,
    period_end: str,
) -> None:
    """The date is the start of the telework, not the day of notice (kept from before)."""
    monkeypatch.setenv("TELETRAVAIL_REFERENCE_DATE", "2026-12-08")
    kept = {"last_computation": {"kind": "notice", "event": "end", "date": "2026-12-08"}}
    outcome = run(ActionAnswerQuestion(), after([], text, "inform", slots=kept))
    assert f"jusqu'au {period_end} inclus" in outcome.texts[0]
    assert f"Date d'effet au plus tôt : {effective}." in outcome.texts[1]
    remembered = {"kind": "notice", "event": event, "date": "2026-12-08"}
    assert slot("last_computation", remembered) in outcome.events


def test_a_start_with_its_adaptation_after_a_question_on_ending_computes_that_end(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No computation before: the question named the end; notified today."""
    monkeypatch.setenv("TELETRAVAIL_REFERENCE_DATE", "2026-12-08")
    text = "il a commencé le 1er septembre avec 3 mois d'adaptation"
    tracker = after([], text, "inform")
    asked = "un de mes agents n'atteint pas ses objectifs en tt, je peux y mettre fin ?"
    tracker.events.insert(0, {"event": "user", "text": asked})
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "elle est terminée" in outcome.texts[0]
    assert "Date d'effet au plus tôt : lundi 8 février 2027." in outcome.texts[1]


QUOTA_OFFER = [{"title": "Calculer pour ma situation", "payload": "/start_quota"}]


@pytest.mark.parametrize(
    ("slots", "said_before"),
    [({"quotite": "80%"}, None), ({}, "bonjour, jsuis a 80%")],
)
def test_per_month_after_the_rule_uses_the_quotite_already_said(
    run: Run, slots: dict[str, Any], said_before: str | None
) -> None:
    """As the NLU kept it (text), or said in passing a few messages before."""
    tracker = after(QUOTA_OFFER, "et par mois ?", "ask_quota", bot_text="La quotité…", slots=slots)
    if said_before:
        tracker.events.insert(0, {"event": "user", "text": said_before})
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.texts[0].startswith("À 80 % : 2 jours de télétravail par semaine")
    assert "8 jours par mois" in outcome.texts[0]


def test_a_date_after_a_quota_is_no_quotite_whatever_the_entity(run: Run) -> None:
    """The NLU read « 2027 » of the date as a quotité: « 2 027 % » was refused as one."""
    kept = {"last_computation": {"kind": "quota"}, "quotite": 80.0}
    year = [{"entity": "quotite", "value": "2027"}]
    tracker = after(
        QUOTA_OFFER, "je previens le 20 avril 2027", "inform", slots=kept, entities=year
    )
    outcome = run(ActionHandleReply(), tracker)
    assert "quotité possible" not in outcome.text


WISHED_END = {
    "last_computation": {"kind": "notice", "event": "end", "date": "2027-04-08", "wished": True}
}


def test_the_adaptation_said_over_in_other_words_is_computed_again(run: Run) -> None:
    text = "ah non elle est finie, jsuis en tt depuis 2 ans"
    outcome = run(ActionAnswerQuestion(), after([], text, "inform", slots=WISHED_END))
    assert outcome.texts[0].startswith("À notifier au plus tard le lundi 8 février 2027.")


@pytest.mark.integration
def test_what_the_adaptation_period_is_asks_and_corrects_nothing(run: Run, engine: object) -> None:
    text = "c quoi deja la periode d'adaptation ?"
    outcome = run(ActionAnswerQuestion(), after([], text, "ask_changes", slots=WISHED_END))
    assert "À notifier" not in outcome.text
    assert "trois mois maximum" in outcome.text


REFERENT_BUTTON = [{"title": "Contacter le référent", "payload": "/talk_to_human"}]


def test_asking_whom_after_an_abstention_gets_the_referent(run: Run) -> None:
    tracker = after(
        REFERENT_BUTTON,
        "et du coup je demande à qui ?",
        "nlu_fallback",
        bot_text=ABSTENTION_MESSAGE,
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert followup("action_talk_to_human") in outcome.events


def test_asking_whom_after_an_answer_is_a_question(run: Run) -> None:
    """« je l'envoie à qui ? » after an answer on the procedure asks the texts, not the référent."""
    tracker = after(
        REFERENT_BUTTON, "et je l'envoie à qui ?", "ask_procedure", bot_text="La demande…"
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert followup("action_talk_to_human") not in outcome.events


def test_help_after_an_answer_that_leans_on_it_is_answered(run: Run) -> None:
    """« je px faire quoi alors ? » after a refusal: a follow-up, read as help by the NLU."""
    tracker = after([], "je px faire quoi alors ?", "help", bot_text="Le refus doit être motivé.")
    tracker.events.insert(0, {"event": "user", "text": "mon chef peut refuser mon tt ?"})
    outcome = run(ActionHandleReply(), tracker)
    assert "utter_help" not in outcome.responses
    assert outcome.texts


def test_help_asked_for_gets_the_help(run: Run) -> None:
    tracker = after([], "tu sais faire quoi ?", "help", bot_text="Bonjour !")
    tracker.events.insert(0, {"event": "user", "text": "bonjour"})
    outcome = run(ActionHandleReply(), tracker)
    assert outcome.responses == ["utter_help"]


@pytest.mark.integration
def test_an_unsure_help_about_a_thing_is_answered_from_the_texts(run: Run, engine: object) -> None:
    """« nomade2 ça sert à quoi… ? » read as help (0.57): a question the texts answer."""
    text = "nomade2 ca sert a quoi concretement, je peux l'utiliser sur mon ordi a moi ?"
    tracker = after([], text, "help", bot_text="Bonjour !")
    tracker.latest_message["intent"]["confidence"] = 0.57
    outcome = run(ActionHandleReply(), tracker)
    assert "utter_help" not in outcome.responses
    assert any(source["doc_id"] == "mi-newsletter-2020-04-02" for source in outcome.sources)
    # Sure of it, or addressed to the bot, it is the help.
    for sure, asked in ((0.95, text), (0.57, "tu peux m'aider a faire quoi exactement ?")):
        tracker = after([], asked, "help", bot_text="Bonjour !")
        tracker.latest_message["intent"]["confidence"] = sure
        assert run(ActionHandleReply(), tracker).responses == ["utter_help"]


def test_a_check_read_as_a_value_is_answered(run: Run) -> None:
    """« donc 15 jours c'est ça ? » (inform, 15 telework days) after the notice rule."""
    tracker = after(
        [],
        "donc 15 jours c'est ça ?",
        "inform",
        bot_text="Modification durable du calendrier : 15 jours.",
        entities=[{"entity": "telework_days", "value": "15"}],
        slots={"last_computation": {"kind": "notice", "event": "calendar_change"}},
    )
    tracker.events.insert(0, {"event": "user", "text": "quel délai pour changer mes jours ?"})
    outcome = run(ActionHandleReply(), tracker)
    assert "0,5 et jusqu'à 5" not in outcome.text
    assert outcome.texts


def test_the_bot_says_what_it_is_when_asked(run: Run) -> None:
    outcome = run(ActionHandleReply(), after([], "t'es un robot ?", "bot_challenge"))
    assert outcome.responses == ["utter_iamabot"]


def test_a_question_read_as_a_quiz_letter_without_a_quiz_is_answered(run: Run) -> None:
    """« et si c urgent ? »: « c » read as a letter (quiz_answer) when no quiz is waiting."""
    letter = [{"entity": "quiz_choice", "value": "c"}]
    tracker = after([], "et si c urgent ?", "quiz_answer", entities=letter)
    previous = {
        "event": "user",
        "text": "un de mes agents n'atteint pas ses objectifs en tt, je peux y mettre fin ?",
    }
    tracker.events.insert(0, previous)
    outcome = run(ActionHandleReply(), tracker)
    assert NOTHING_PENDING not in outcome.texts
    assert "Source :" in outcome.text  # answered from the texts (what, the search decides)


def test_a_bare_letter_without_a_quiz_is_no_question(run: Run) -> None:
    letter = [{"entity": "quiz_choice", "value": "b"}]
    outcome = run(ActionHandleReply(), after([], "b", "quiz_answer", entities=letter))
    assert outcome.texts == [NOTHING_PENDING]


def test_a_situation_two_questions_later_is_answered_for_itself(run: Run) -> None:
    """The chain before it finds who may telework again; the situation is the subject."""
    tracker = after([], "mon taf c surtout l'accueil des usagers au guichet", "nlu_fallback")
    asked = [
        "jsuis contractuel en cdd de 10 mois a la draaf, jai droit au tt ?",
        "et si mon contrat est prolonge a 2 ans ?",
    ]
    for text in reversed(asked):
        tracker.events.insert(0, {"event": "user", "text": text})
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "accueil" in outcome.text.split("Source :")[0]
