"""The fuzzer's rules on hand-written replies and trackers: each fires when it should, only then."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz.fuzzer import (
    FLOWS,
    Domain,
    Exchange,
    FuzzRun,
    Generator,
    draft_ids_in,
    load_nlu_examples,
    summary,
)
from tests.fuzz.invariants import (
    SlotRules,
    Violation,
    askable_slots,
    check_buttons,
    check_french,
    check_internal_names,
    check_not_empty,
    check_reply,
    check_slot_value,
    check_tracker,
)

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load()
RULES = SlotRules.from_rules(ROOT / "rules" / "data" / "quota.yaml")


def rules_of(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


GOOD = [
    {
        "text": "À 80 % : 2 jours de télétravail par semaine au plus, soit 8 jours par mois.",
        "buttons": [{"title": "Vérifier mon éligibilité", "payload": "/start_eligibility"}],
    }
]


def test_a_good_french_reply_breaks_no_rule() -> None:
    assert check_reply(200, GOOD, ["80 %"]) == []


def test_transport_failures_are_reported_first() -> None:
    assert rules_of(check_reply(500, [], [])) == {"statut HTTP"}
    assert rules_of(check_reply(None, [], [], error="ReadTimeout")) == {"requête échouée"}


def test_an_empty_reply_is_what_a_failed_action_looks_like() -> None:
    assert rules_of(check_not_empty([])) == {"réponse vide"}
    assert rules_of(check_not_empty([{"text": "  "}])) == {"réponse vide"}
    assert check_not_empty([{"buttons": [{"title": "Oui", "payload": "/affirm"}]}]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Événement : valeur non reconnue ; valeurs acceptées : ponctual_change (…)",
        "utter_ask_quotite",
        "Je lance action_quota",
        "validate_quota_form a échoué",
        "Vous avez dit None",
        "quotite\n  Field required [type=missing]",
        "Input should be a valid number",
        "Traceback (most recent call last):",
        "À {quotite} % vous avez droit à…",
        "Télétravail : True",
    ],
)
def test_internal_names_are_caught(text: str) -> None:
    assert rules_of(check_internal_names([{"text": text}])) == {"nom interne"}


def test_internal_names_in_button_titles_are_caught_but_not_payloads() -> None:
    button = {"title": "calendar_change", "payload": '/inform{"notice_event": "calendar_change"}'}
    assert rules_of(check_internal_names([{"buttons": [button]}])) == {"nom interne"}
    ok = {"title": "Changer le calendrier", "payload": '/inform{"notice_event":"calendar_change"}'}
    assert check_internal_names([{"buttons": [ok]}]) == []


def test_a_word_the_user_typed_and_the_bot_repeats_is_not_the_bots_fault() -> None:
    summary_text = "Récapitulatif : nom None, prénom The Rock"
    assert check_internal_names([{"text": summary_text}], ["None"]) == []
    assert check_french([{"text": summary_text}], ["The Rock"]) == []
    assert check_internal_names([{"text": summary_text}], ["Dupont"]) != []


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, I didn't get that. Can you rephrase?",
        "Invalid value",
        "An error occurred, please try again",
    ],
)
def test_english_is_caught(text: str) -> None:
    assert "anglais" in rules_of(check_french([{"text": text}]))


@pytest.mark.parametrize(
    "text",
    [
        "Vous pouvez télétravailler jusqu'à 3 jours par semaine.",
        "Source : Instruction technique du ministère de l'agriculture, 21/11/2019",
        "Merci !",
        "Le VPN et l'ordinateur portable sont fournis par l'administration.",
        "Quelle est votre quotité de travail ?",
        "Comment faire ma demande ?",
        "c) 12 mois, renouvelable sans limite",
        "Le VPN, la messagerie et l'intranet sont accessibles à distance.",
    ],
)
def test_french_is_not_mistaken_for_english(text: str) -> None:
    assert check_french([{"text": text}]) == []


def test_a_text_made_of_english_function_words_is_not_french() -> None:
    text = "What is the maximum number of days with this contract?"
    assert "pas français" in rules_of(check_french([{"text": text}]))
    assert check_french([{"text": text}], [text]) == []  # the user's own words, repeated


def test_buttons_must_have_a_title_and_a_readable_payload() -> None:
    assert check_buttons(GOOD) == []
    broken = [
        {"title": "", "payload": "/affirm"},
        {"title": "Oui", "payload": ""},
        {"title": "Oui", "payload": "/affirm extra"},
        {"title": "Quotité", "payload": '/inform{"quotite": 80'},
    ]
    assert len(check_buttons([{"buttons": broken}])) == 4
    assert check_buttons([{"buttons": [{"title": "Accord", "payload": "accord"}]}]) == []


def test_quotite_outside_the_rules_table_is_a_violation() -> None:
    assert RULES.quotite_range == (50.0, 100.0)
    assert check_slot_value("quotite", 80.0, DOMAIN.slots, RULES) == []
    assert check_slot_value("quotite", 100, DOMAIN.slots, RULES) == []
    for bad in (5.0, 1.0, 150.0, -3.0, "80"):
        assert rules_of(check_slot_value("quotite", bad, DOMAIN.slots, RULES)) == {
            "valeur hors règles"
        }


def test_slot_values_follow_the_domain_and_the_rules() -> None:
    slots = DOMAIN.slots
    assert check_slot_value("notice_event", "end", slots) == []
    assert check_slot_value("notice_event", "fin", slots) != []
    assert check_slot_value("status", "fonctionnaire", slots) == []
    assert check_slot_value("status", "titulaire", slots) != []
    assert check_slot_value("contract_over_one_year", True, slots) == []
    assert check_slot_value("contract_over_one_year", "oui", slots) != []
    assert check_slot_value("date", "15/03/2027", slots) == []
    assert check_slot_value("date", "31/02/2027", slots) != []
    assert check_slot_value("date", "demain", slots) != []
    assert check_slot_value("distance_km", 0.0, slots) != []
    assert check_slot_value("distance_km", 12.5, slots) == []
    assert check_slot_value("telework_days", 6, slots) != []
    assert check_slot_value("draft_nom", "Dupont", slots) == []


def tracker(form: str | None, requested: str | None, **slots: Any) -> dict[str, Any]:
    return {
        "active_loop": {"name": form} if form else {},
        "slots": {"requested_slot": requested, **slots},
    }


def test_an_active_form_must_ask_one_of_its_own_slots() -> None:
    forms, slots = DOMAIN.forms, DOMAIN.slots
    assert check_tracker(tracker("quota_form", "quotite"), [], forms, slots) == []
    assert check_tracker(tracker(None, None), [], forms, slots) == []
    wrong = check_tracker(tracker("quota_form", "distance_km"), [], forms, slots)
    assert [v.rule for v in wrong] == ["formulaire"]
    assert check_tracker(tracker("quota_form", None), [], forms, slots) != []
    assert check_tracker(tracker(None, "quotite"), [], forms, slots) != []
    assert check_tracker(tracker("unknown_form", "x"), [], forms, slots) != []


def test_draft_and_decision_forms_may_ask_every_slot_of_their_prefix() -> None:
    askable = askable_slots("draft_form", DOMAIN.forms, DOMAIN.slots)
    assert {"draft_nom", "draft_date_debut", "draft_confirmation"} <= askable
    assert "decision_kind" not in askable
    assert askable_slots("quota_form", DOMAIN.forms, DOMAIN.slots) == {"quotite"}


def test_raw_candidates_handed_back_by_a_form_are_not_judged() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "remplis l'annexe 1 avec 2 jours"},
        {"event": "action", "name": "action_extract_slots"},
        {"event": "slot", "name": "telework_days", "value": "2"},
        {"event": "action", "name": "draft_form"},
        {"event": "slot", "name": "telework_days", "value": "2"},
        {"event": "slot", "name": "quotite", "value": 5.0},
    ]
    found = check_tracker(tracker(None, None), events, DOMAIN.forms, DOMAIN.slots, RULES)
    assert [v.detail for v in found] == ["quotite = 5.0 (attendu 50.0–100.0)"]


def test_a_value_set_then_cleared_within_the_turn_is_still_caught() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "5 %"},
        {"event": "action", "name": "action_extract_slots"},
        {"event": "slot", "name": "quotite", "value": "5"},  # raw entity: not judged
        {"event": "action", "name": "action_handle_inform"},
        {"event": "slot", "name": "quotite", "value": 5.0},
        {"event": "slot", "name": "quotite", "value": None},
    ]
    found = check_tracker(tracker(None, None), events, DOMAIN.forms, DOMAIN.slots, RULES)
    assert [v.detail for v in found] == ["quotite = 5.0 (attendu 50.0–100.0)"]


def test_nlu_examples_are_read_without_annotations() -> None:
    examples = load_nlu_examples()
    texts = [text for _, text in examples]
    assert len(examples) > 500
    assert not any("](" in text or "]{" in text for text in texts)
    assert {"greet", "inform", "ask_quota", "request_draft"} <= {i for i, _ in examples}


def test_the_generator_is_reproducible_from_its_seed() -> None:
    nlu = load_nlu_examples()

    def draw(seed: str) -> list[str]:
        generator = Generator(random.Random(seed), nlu)
        last = [{"text": "?", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]
        return [generator.turn(generator.kind(True), last, "quotite", "quota") for _ in range(50)]

    assert draw("7-1") == draw("7-1")
    assert draw("7-1") != draw("7-2")
    assert all(len(text) <= 2000 for text in draw("7-3"))


class FakeBot:
    """A bot that answers French in the quota form, and leaks an enum name on « 5% »."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {}

    def send(self, sender: str, text: str) -> tuple[int | None, list[dict[str, Any]], str]:
        self.events.setdefault(sender, []).append({"event": "user", "text": text})
        if text == "5%":
            return 200, [{"text": "valeur : ponctual_change"}], ""
        return 200, [{"text": "Quelle est votre quotité ?"}], ""

    def tracker(self, sender: str) -> dict[str, Any]:
        return {
            "active_loop": {"name": "quota_form"},
            "slots": {"requested_slot": "quotite"},
            "events": self.events.get(sender, []),
        }


def test_a_run_collects_violations_with_a_readable_transcript() -> None:
    run = FuzzRun(FakeBot(), DOMAIN, RULES, load_nlu_examples(), seed=3, max_turns=30)
    conversations = run.run(turns=400, workers=2)
    assert sum(len(c.exchanges) for c in conversations) >= 400
    assert {c.flow for c in conversations} == set(FLOWS)
    report = summary(conversations, seed=3)
    assert "FUZZ_SEED=3" in report
    leaks = [v for c in conversations for _, v in c.violations if v.rule == "nom interne"]
    if leaks:  # « 5% » was drawn: the group and its transcript are in the report
        assert "nom interne" in report and "'5%'" in report


def test_draft_ids_are_read_from_document_links() -> None:
    link = "http://localhost:8000/api/drafts/3f2b6c1e-8d4a-4b7e-9c1f-2a5d6e7f8a9b/annexe-1.pdf"
    assert draft_ids_in([{"text": f"Votre demande : {link}"}]) == [
        "3f2b6c1e-8d4a-4b7e-9c1f-2a5d6e7f8a9b"
    ]


def test_an_exchange_renders_its_violations() -> None:
    exchange = Exchange(
        2,
        "number",
        "5%",
        200,
        [{"text": "À 5 %…"}],
        0.1,
        "quota_form",
        "quotite",
        [Violation("valeur hors règles", "quotite = 5.0")],
    )
    assert "!! valeur hors règles" in exchange.render()


QUOTA_QUESTION = [
    {
        "text": "Quelle est votre quotité de travail ?",
        "buttons": [
            {"title": "Temps plein", "payload": '/inform{"quotite": "100"}'},
            {"title": "80 %", "payload": '/inform{"quotite": "80"}'},
        ],
    }
]
QUIZ_QUESTION = [
    {
        "text": "Question 1 : qui décide ?",
        "buttons": [
            {"title": "a) L'agent", "payload": '/quiz_answer{"quiz_choice":"a"}'},
            {"title": "b) Le chef de service", "payload": '/quiz_answer{"quiz_choice":"b"}'},
        ],
    }
]
OFFER = [
    {
        "text": "Voulez-vous vérifier votre situation en quelques questions ?",
        "buttons": [
            {"title": "Oui, vérifier", "payload": "/start_eligibility"},
            {"title": "Non merci", "payload": "/deny"},
        ],
    }
]

QUIZ_OFFER = [
    {
        "text": "Voulez-vous vérifier vos connaissances avec un quiz ? (oui / non)",
        "buttons": [
            {"title": "Faire le quiz", "payload": "/start_quiz"},
            {"title": "Non merci", "payload": "/deny"},
        ],
    }
]
SINGLE_OFFER = [
    {
        "text": "Voulez-vous estimer ce que le télétravail vous ferait économiser ?",
        "buttons": [
            {"title": "Simuler mes économies", "payload": "/start_impact"},
            {"title": "Que pouvez-vous faire ?", "payload": "/help"},
        ],
    }
]
WHAT_NEXT = [
    {
        "text": "Que voulez-vous faire ?",
        "buttons": [
            {"title": "Mes jours de télétravail", "payload": "/start_quota"},
            {"title": "Vérifier mon éligibilité", "payload": "/start_eligibility"},
        ],
    }
]


@pytest.mark.parametrize(
    ("text", "previous", "index"),
    [
        ("2", QUOTA_QUESTION, 1),
        ("2)", QUOTA_QUESTION, 1),
        ("3", QUOTA_QUESTION, None),
        ("temps plein", QUOTA_QUESTION, 0),
        ("b", QUIZ_QUESTION, 1),
        ("la B", QUIZ_QUESTION, 1),
        ("c", QUIZ_QUESTION, None),
        ("b", QUOTA_QUESTION, None),
        ("oui", OFFER, 0),
        ("volontiers", OFFER, 0),
        ("non merci", OFFER, 1),
        ("oui", QUOTA_QUESTION, None),
        ("80 %", QUOTA_QUESTION, 1),
        ("je suis à 80 %", QUOTA_QUESTION, None),
        ("oui oui", QUIZ_OFFER, 0),
        ("non", QUIZ_OFFER, 1),
        ("oui", SINGLE_OFFER, 0),
        ("non", SINGLE_OFFER, None),
        ("ok", WHAT_NEXT, None),
    ],
)
def test_a_typed_choice_picks_its_button(
    text: str, previous: list[dict[str, Any]], index: int | None
) -> None:
    from tests.fuzz.invariants import buttons_of, selected_button

    assert selected_button(text, buttons_of(previous)) == index


def test_a_typed_choice_must_be_taken() -> None:
    from tests.fuzz.invariants import check_choice

    refused = [{"text": "Je n'ai pas reconnu de quotité : indiquez un pourcentage."}]
    assert rules_of(check_choice("2", QUOTA_QUESTION, refused)) == {"choix tapé non compris"}
    assert check_choice("2", QUOTA_QUESTION, QUOTA_QUESTION) != []  # asked again, unchanged
    assert check_choice("2", QUOTA_QUESTION, [{"text": "À 80 % : 2 jours par semaine."}]) == []
    generic = [{"text": "Merci pour cette précision. Que voulez-vous faire ?"}]
    assert check_choice("b", QUIZ_QUESTION, generic) != []
    anything_else = [{"text": "Puis-je vous aider sur autre chose ?"}]
    assert check_choice("oui", OFFER, anything_else) != []
    assert check_choice("non merci", OFFER, anything_else) == []
    assert check_choice("bonjour", OFFER, anything_else) == []  # not a choice: not judged


def test_a_short_answer_never_switches_forms() -> None:
    from tests.fuzz.invariants import check_form_switch

    assert check_form_switch(True, "eligibility_form", "quota_form", "1") != []
    assert check_form_switch(True, "quota_form", None, "80") == []  # answered: form done
    assert check_form_switch(False, "quota_form", "draft_form", "remplir ma demande") == []


ACTIONS_LOG = """Exception occurred during execution of request <Request: POST /webhook>
Traceback (most recent call last):
  File "/work/main/.venv/lib/python3.11/site-packages/rasa_sdk/endpoint.py", line 147, in webhook
    result = await action_executor.run(action_call)
  File "/work/main/actions/draft_dialogue.py", line 212, in _answer
    if not (BY_NAME[requested].whole or BY_NAME[requested].alone):
KeyError: 'decision_draft_id'
"""
RASA_LOG = (
    "2026-12-05 13:37:28 INFO     rasa.core.processor  - fine\n"
    "2026-12-05 13:37:28 ERROR    rasa.core.processor  - Encountered an exception while "
    "running action 'decision_form'.\n"
    'aiohttp.client_exceptions.ClientResponseError: 500, body=\'{"request_body":'
    '{"next_action":"validate_decision_form","sender_id":"fuzz-7-105-0123456789ab"}}\n'
)


def test_errors_in_the_logs_are_violations(tmp_path: Path) -> None:
    from tests.fuzz.fuzzer import LogWatch

    actions, rasa = tmp_path / "actions.log", tmp_path / "rasa.log"
    actions.write_text("start-up warning\n")
    rasa.write_text("")
    watch = LogWatch([actions, rasa]).start()
    assert watch.errors() == []
    with actions.open("a") as log:
        log.write(ACTIONS_LOG)
    with rasa.open("a") as log:
        log.write(RASA_LOG)
    found = watch.errors()
    assert [v.rule for v in found] == ["exception dans actions", "erreur dans le journal rasa"]
    assert (
        found[0].detail
        == "KeyError: 'decision_draft_id' (actions/draft_dialogue.py:212 dans _answer)"
    )
    assert "decision_form" in found[1].detail and found[1].detail.endswith("[fuzz-7-105]")
    assert watch.errors() == []  # read once


def test_one_conversation_of_a_run_can_be_replayed_alone() -> None:
    nlu = load_nlu_examples()
    full = FuzzRun(FakeBot(), DOMAIN, RULES, nlu, seed=5).run(turns=120, workers=2)
    again = FuzzRun(FakeBot(), DOMAIN, RULES, nlu, seed=5).run(turns=0, only=[3])
    assert [e.user for e in again[0].exchanges] == [e.user for e in full[3].exchanges]
    assert again[0].flow == full[3].flow


def test_every_form_question_has_fitting_answers() -> None:
    """A slot added to a form without answers here would only ever get noise."""
    from tests.fuzz.fuzzer import FITTING

    required = {s for form in DOMAIN.forms.values() for s in form.get("required_slots") or []}
    # The request id of the decision form comes from a draft made before the run.
    assert required - set(FITTING) <= {"decision_draft_id"}
    assert {"draft_date_debut", "draft_email", "draft_confirmation"} <= set(FITTING)
