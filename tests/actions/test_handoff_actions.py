"""Référent, request form, bare values and form reset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ASK_QUESTION_FIRST,
    HANDOFF_BUTTONS,
    HANDOFF_QUESTION,
    ActionHandleInform,
    ActionRequestDraft,
    ActionResetForms,
    ActionTalkToHuman,
    send_referent,
)
from storage import reset_engine, tickets
from tests.actions.helpers import TS, Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
ANNEX_1 = (
    "Annexe 1 – Formulaire de demande et de validation de l'exercice des fonctions en "
    "télétravail › Étape 1"
)


def _conversation(sender: str, *turns: tuple[str, str, str]) -> Tracker:
    """A tracker whose events are ``(who, text, intent or bot payload marker)`` turns."""
    events: list[dict[str, Any]] = []
    latest: dict[str, Any] = {}
    for who, text, extra in turns:
        if who == "user":
            latest = {"text": text, "intent": {"name": extra, "confidence": 0.9}, "entities": []}
            events.append({"event": "user", "timestamp": TS, "text": text, "parse_data": latest})
        else:
            buttons = HANDOFF_BUTTONS if extra == "offer" else []
            custom = {"sources": [{"doc_id": "pndtt-plan-national", "section": "S"}]}
            data = {"buttons": buttons, "custom": custom if extra == "sources" else None}
            events.append({"event": "bot", "timestamp": TS, "text": text, "data": data})
    state = {"sender_id": sender, "slots": {}, "latest_message": latest, "events": events,
             "active_loop": {}, "latest_action_name": "action_listen"}  # fmt: skip
    return Tracker.from_dict(state)


QUESTION = ("user", "Mon chef peut-il refuser le vendredi ?", "ask_rights")
LISTEN = {"event": "followup", "timestamp": None, "name": "action_listen"}
ABSTENTION = ("bot", "Je n'ai pas trouvé de texte qui réponde.", "sources")
ASK_HUMAN = ("user", "je veux parler au référent", "talk_to_human")


def test_talk_to_human_offers_the_handoff_quoting_the_question(run: Run) -> None:
    outcome = run(ActionTalkToHuman(), _conversation("web1", QUESTION, ABSTENTION, ASK_HUMAN))
    assert outcome.events == [LISTEN]  # the turn ends here, even after a FollowupAction
    assert "« Mon chef peut-il refuser le vendredi ? »" in outcome.texts[0]
    assert HANDOFF_QUESTION in outcome.texts[0]
    assert outcome.payloads == ["/talk_to_human", "/deny"]
    assert "pas encore en service" not in outcome.text


def test_talk_to_human_with_no_question_asks_for_it(run: Run) -> None:
    outcome = run(ActionTalkToHuman(), _conversation("web1", ASK_HUMAN))
    assert outcome.texts == [ASK_QUESTION_FIRST]


def test_a_choice_or_a_value_is_not_the_question(run: Run) -> None:
    choice = ("user", "1", "quiz_answer")
    value = ("user", "80", "ask_quota")
    tracker = _conversation("web1", QUESTION, ABSTENTION, value, choice)
    outcome = run(ActionTalkToHuman(), tracker)
    assert "« Mon chef peut-il refuser le vendredi ? »" in outcome.texts[0]


@pytest.mark.parametrize(("typed", "intent"), [("1", "inform"), ("2", "inform"), ("Oui", "affirm")])
def test_consent_typed_as_a_number_or_a_title(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, typed: str, intent: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tickets.db'}")
    offer = ("bot", f"Je peux transmettre… {HANDOFF_QUESTION} (oui / non)", "offer")
    tracker = _conversation("web1", QUESTION, ASK_HUMAN, offer, ("user", typed, intent))
    try:
        outcome = run(ActionTalkToHuman(), tracker)
    finally:
        reset_engine()
    created = "votre demande n°" in outcome.text
    assert created == (typed != "2")


@pytest.mark.parametrize(
    ("sender", "yes", "where"),
    [
        ("web-agent", ("user", "oui", "affirm"), "dans cette page"),
        ("tchap-" + "a" * 40, ("user", "/talk_to_human", "talk_to_human"), "conversation Tchap"),
    ],
)
def test_yes_after_the_offer_creates_the_ticket(
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sender: str,
    yes: tuple[str, str, str],
    where: str,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tickets.db'}")
    offer = ("bot", f"Je peux transmettre… {HANDOFF_QUESTION} (oui / non)", "offer")
    tracker = _conversation(sender, QUESTION, ABSTENTION, ASK_HUMAN, offer, yes)
    try:
        outcome = run(ActionTalkToHuman(), tracker)
        [ticket] = tickets.list_tickets()
        stored = tickets.get_ticket(ticket["id"])
    finally:
        reset_engine()
    assert f"votre demande n° {ticket['id']}" in outcome.texts[0] and where in outcome.texts[0]
    assert stored is not None
    assert (stored.question, stored.intent, stored.conversation_id) == (
        "Mon chef peut-il refuser le vendredi ?",
        "ask_rights",
        sender,
    )
    assert stored.sources == [{"doc_id": "pndtt-plan-national", "section": "S"}]
    assert stored.turns[0] == {"who": "agent", "text": "Mon chef peut-il refuser le vendredi ?"}


def test_the_referent_in_a_form_is_explained_without_offer(run: Run) -> None:
    dispatcher = CollectingDispatcher()
    send_referent(dispatcher)
    assert "contacter le référent" in dispatcher.messages[0]["text"]
    assert (
        "V – L'accompagnement du télétravail › 3 – Le suivi individuel"
        in (dispatcher.messages[1]["text"])
    )


def test_request_draft_lists_annex_1_fields_and_documents(run: Run) -> None:
    outcome = run(ActionRequestDraft(), make_tracker("question"))
    assert outcome.events == []
    text = outcome.texts[0]
    assert "l'annexe 1" in text and "SG/SRH/SDDPRS/2019-781" in text
    for field in ("motivations", "temps de trajet", "date de début souhaitée", "missions"):
        assert field in text
    assert "• Annexe 2 : attestation de conformité du domicile" in text
    assert "• Attestation d'assurance habitation" in text
    assert "(si vous utilisez Chorus ou Chorus-formulaire)" in text
    assert ANNEX_1 in outcome.texts[1]
    assert ANNEX_1 in {s["section"] for s in outcome.sources}
    assert outcome.payloads == ["/request_draft", "/start_eligibility"]


def test_bare_quotite_computes_the_quota(run: Run) -> None:
    outcome = run(ActionHandleInform(), make_tracker("inform"))
    assert outcome.events == [slot("quotite", 80.0), slot("last_computation", {"kind": "quota"})]
    assert outcome.texts[0].startswith("À 80 % : 2 jours de télétravail par semaine au plus")
    assert outcome.sources


def test_quotite_in_words_without_entity(run: Run) -> None:
    tracker = make_tracker(
        "inform", text="je suis à temps plein", entities=[], slots={"quotite": None}
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("quotite", 100.0), slot("last_computation", {"kind": "quota"})]
    assert outcome.texts[0].startswith("À 100 % : 3 jours de télétravail par semaine au plus")


def test_quotite_in_words_wins_over_a_number_of_the_phrase(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="je bosse 4 jours sur 5",
        entities=[{"entity": "quotite", "value": "5"}],
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.texts[0].startswith("À 80 % : 2 jours de télétravail par semaine")


def test_the_percentage_wins_over_another_number_of_the_phrase(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="2 enfants, je suis passée à temps partiel 90% depuis la rentrée",
        entities=[{"entity": "quotite", "value": "2"}],
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.texts[0].startswith("À 90 % : ")


def test_invalid_bare_quotite_is_explained(run: Run) -> None:
    tracker = make_tracker("inform", text="150 %", entities=[{"entity": "quotite", "value": "150"}])
    outcome = run(ActionHandleInform(), tracker)
    # Explained, then asked again by the quota form: « ah non, 50 % » is its answer.
    assert outcome.events == [
        slot("quotite", None),
        {"event": "active_loop", "timestamp": None, "name": "quota_form"},
    ]
    assert "le temps partiel va de 50 à 90 %" in outcome.text


def test_bare_distance_suggests_the_simulator(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="j'habite à 12 km",
        entities=[{"entity": "distance_km", "value": "12"}],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("distance_km", 12.0)]
    assert "/start_impact" in outcome.payloads


def test_distance_with_known_days_runs_the_simulation(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="et à 30 km ?",
        entities=[{"entity": "distance_km", "value": "30"}],
        slots={"quotite": None, "telework_days": 2.0},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("distance_km", 30.0)]
    assert "Hypothèses utilisées" in outcome.texts[0]
    assert "distance aller simple : 30 km (valeur saisie)" in outcome.texts[0]


def test_date_completes_a_pending_notice(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="le 04/05/2026",
        entities=[{"entity": "date", "value": "04/05/2026"}],
        slots={"quotite": None, "notice_event": "calendar_change"},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("date", None), slot("notice_event", None)]
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : mardi 19 mai 2026.")


def test_status_suggests_the_eligibility_check(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="je suis contractuel",
        entities=[{"entity": "status", "value": "contractuel"}],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == []
    # What the texts say of that status first (searched as « est-ce que je peux
    # télétravailler ? »), then the check offered.
    assert "contrat d'une durée supérieure à un an" in outcome.texts[0]
    assert "/start_eligibility" in outcome.payloads


def test_anything_else_asks_what_to_do(run: Run) -> None:
    tracker = make_tracker(
        "inform",
        text="le mardi",
        entities=[{"entity": "weekday", "value": "mardi"}],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == []
    assert outcome.payloads == ["/start_quota", "/start_eligibility", "/start_impact", "/help"]


def test_reset_clears_every_filled_form_slot(run: Run) -> None:
    outcome = run(ActionResetForms(), make_tracker("reset"))
    assert outcome.messages == []
    assert outcome.events == [
        slot("requested_slot", None),
        slot("quotite", None),
        slot("distance_km", None),
        slot("status", None),
        slot("contract_over_one_year", None),
        slot("notice_event", None),
        slot("quiz_index", None),
        slot("quiz_score", None),
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("oui", "action_talk_to_human"), ("1", "action_talk_to_human"), ("non merci", None)],
)
def test_typed_reply_to_the_offer(run: Run, typed: str, expected: str | None) -> None:
    from actions.dialogue import DECLINED, ActionHandleReply

    offer = ("bot", f"Je peux transmettre… {HANDOFF_QUESTION} (oui / non)", "offer")
    reply = ("user", typed, "affirm")
    outcome = run(ActionHandleReply(), _conversation("web1", QUESTION, ASK_HUMAN, offer, reply))
    if expected is None:
        assert outcome.texts == [DECLINED]
    else:
        assert outcome.events == [
            {"event": "followup", "timestamp": None, "name": "action_talk_to_human"}
        ]


def _after_bot(custom: dict[str, Any] | None, text: str) -> Tracker:
    """The agent's ``text`` (not understood) after a bot turn carrying ``custom``."""
    latest = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.2}, "entities": []}
    events = [
        {"event": "user", "timestamp": TS, "text": "azerty", "parse_data": latest},
        {"event": "bot", "timestamp": TS, "text": "…", "data": {"custom": custom}},
        {"event": "user", "timestamp": TS, "text": text, "parse_data": latest},
    ]
    state = {"sender_id": "web9", "slots": {}, "latest_message": latest, "events": events,
             "active_loop": {}, "latest_action_name": "action_listen"}  # fmt: skip
    return Tracker.from_dict(state)


def test_a_second_misunderstood_message_in_a_row_offers_the_referent(run: Run) -> None:
    from actions.questions import ActionAnswerQuestion

    stuck = run(ActionAnswerQuestion(), _after_bot({"abstained": True, "fallback": True}, "qsdf"))
    assert HANDOFF_QUESTION in stuck.texts[-1]
    assert "Vouliez-vous dire" not in "\n".join(stuck.texts)

    first = run(ActionAnswerQuestion(), _after_bot(None, "qsdf"))
    assert not any(HANDOFF_QUESTION in text for text in first.texts)


def _simulation_with_distance(km: int) -> Tracker:
    """« simule pour 2 jours de tt, j'habite a N km » with N labelled as days by the NLU."""
    return make_tracker(
        "inform",
        text=f"simule pour 2 jours de tt, j'habite a {km} km du bureau",
        entities=[
            {"entity": "telework_days", "value": "2"},
            {"entity": "telework_days", "value": str(km)},
        ],
        slots={"quotite": None},
    )


def test_a_number_in_km_is_the_distance_whatever_its_label(run: Run) -> None:
    """« 1200 km » read as days by the NLU: the distance, explained as out of range."""
    outcome = run(ActionHandleInform(), _simulation_with_distance(1200))
    assert outcome.events == [slot("distance_km", None), slot("telework_days", 2.0)]
    assert "jusqu'à 500" in outcome.texts[0]
    assert "Hypothèses utilisées" not in outcome.text


def test_a_number_of_days_is_the_days_whatever_its_label(run: Run) -> None:
    """« 8 jours » read as a distance by the NLU: the days, explained as out of range."""
    tracker = make_tracker(
        "inform",
        text="simulation des economies avec 8 jours de tt par semaine et 15 km en voiture",
        entities=[
            {"entity": "distance_km", "value": "8"},
            {"entity": "distance_km", "value": "15"},
        ],
        slots={"quotite": None},
    )
    outcome = run(ActionHandleInform(), tracker)
    assert outcome.events == [slot("distance_km", 15.0), slot("telework_days", None)]
    assert "5" in outcome.texts[0] and "Hypothèses utilisées" not in outcome.text


def test_a_plausible_distance_in_km_is_simulated_with_the_days(run: Run) -> None:
    outcome = run(ActionHandleInform(), _simulation_with_distance(35))
    assert "distance aller simple : 35 km (valeur saisie)" in outcome.text


def test_a_distance_in_a_question_on_who_pays_is_answered_not_simulated(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.actions.test_answer_actions import FakeEngine, use_engine

    engine = use_engine(monkeypatch, FakeEngine())
    text = "j'habite à 200 km, si mon chef me rappelle un jour de tt le billet est remboursé ?"
    tracker = make_tracker(
        "inform", text=text, entities=[{"entity": "distance_km", "value": "200"}]
    )
    outcome = run(ActionHandleInform(), tracker)
    assert engine.questions == [text]
    assert outcome.texts[0] == FakeEngine.ANSWER
    assert not any(e.get("name") == "impact_form" for e in outcome.events)
