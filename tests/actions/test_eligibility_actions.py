"""The eligibility form (status, contract skipped for fonctionnaires, free yes/no) and verdict."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import eligibility
from actions.eligibility import (
    ASK_AGAIN,
    HOME_NOT_ALL,
    STATUS_HINT,
    UNAVAILABLE,
    YES_NO_HINT,
    ActionEligibility,
    ValidateEligibilityForm,
)
from rules import EligibilityRequest, EligibilityResult
from rules.models import RulesDataError
from tests.actions.helpers import Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
RESET = [
    slot("status", None),
    slot("contract_over_one_year", None),
    slot("activities_teleworkable", None),
    slot("home_conditions_ok", None),
]
TASKS_SECTION = (
    "II – Les critères d'éligibilité › 2 – La nature des tâches (télétravaillables ou non)"
)


def asking(slot_name: str, status: str | None = "fonctionnaire", **changes: Any) -> Tracker:
    """The eligibility form asking ``slot_name``, earlier answers given."""
    slots: dict[str, Any] = {"requested_slot": slot_name, "status": status}
    if slot_name == "home_conditions_ok":
        slots["activities_teleworkable"] = True
    return make_tracker("eligibility_form_asking", slots=slots, **changes)


def test_fonctionnaire_is_not_asked_the_contract(domain: dict[str, Any]) -> None:
    form = ValidateEligibilityForm()
    slots = form.domain_slots(domain)
    required = asyncio.run(
        form.required_slots(
            slots, CollectingDispatcher(), asking("activities_teleworkable"), domain
        )
    )
    assert required == ["status", "activities_teleworkable", "home_conditions_ok"]
    contractuel = asking("contract_over_one_year", status="contractuel")
    assert (
        asyncio.run(form.required_slots(slots, CollectingDispatcher(), contractuel, domain))
        == slots
    )


def test_status_from_free_text_skips_to_activities(run: Run) -> None:
    outcome = run(ValidateEligibilityForm(), make_tracker("eligibility_form_asking"))
    assert outcome.events == [
        slot("status", "fonctionnaire"),
        slot("requested_slot", "activities_teleworkable"),
    ]
    assert outcome.messages == []


def test_status_entity_contractuel_leaves_the_next_question_to_rasa(run: Run) -> None:
    tracker = make_tracker(
        "eligibility_form_asking",
        text="contractuel",
        entities=[{"entity": "status", "value": "contractuel"}],
        candidates={"status": "contractuel"},
    )
    assert run(ValidateEligibilityForm(), tracker).events == [slot("status", "contractuel")]


def test_cdi_answers_status_and_contract_at_once(run: Run) -> None:
    tracker = make_tracker("eligibility_form_asking", text="je suis en CDI")
    outcome = run(ValidateEligibilityForm(), tracker)
    assert outcome.events == [slot("status", "contractuel"), slot("contract_over_one_year", True)]


def test_cdi_in_the_message_that_starts_the_form_answers_the_contract(run: Run) -> None:
    tracker = make_tracker(
        "eligibility_form_asking",
        text="vérifie si je suis éligible, je suis contractuelle en cdi",
        intent="start_eligibility",
        slots={"requested_slot": None, "status": "contractuel"},
    )
    outcome = run(ValidateEligibilityForm(), tracker)
    assert slot("contract_over_one_year", True) in outcome.events


def test_unknown_status_is_explained(run: Run) -> None:
    tracker = make_tracker("eligibility_form_asking", text="je ne sais pas", intent="inform")
    outcome = run(ValidateEligibilityForm(), tracker)
    assert outcome.events == [slot("status", None)]
    assert outcome.texts == [f"Je n'ai pas reconnu votre statut. {STATUS_HINT}"]


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [
        ("ouais", "inform", True),
        ("pas vraiment", "nlu_fallback", False),
        ("bien sûr", "affirm", True),
    ],
)
def test_free_yes_no(run: Run, text: str, intent: str, value: bool) -> None:
    outcome = run(
        ValidateEligibilityForm(), asking("activities_teleworkable", text=text, intent=intent)
    )
    assert outcome.events == [
        slot("activities_teleworkable", value),
        slot("requested_slot", "home_conditions_ok"),
    ]


def test_mapped_affirm_is_kept(run: Run) -> None:
    tracker = asking(
        "home_conditions_ok", text="oui", intent="affirm", candidates={"home_conditions_ok": True}
    )
    outcome = run(ValidateEligibilityForm(), tracker)
    assert outcome.events == [slot("home_conditions_ok", True), slot("requested_slot", None)]


@pytest.mark.parametrize(
    ("text", "intent"), [("bof", "inform"), ("euh je sais pas trop en fait", "dont_know")]
)
def test_unclear_yes_no_is_asked_again(run: Run, text: str, intent: str) -> None:
    outcome = run(
        ValidateEligibilityForm(), asking("activities_teleworkable", text=text, intent=intent)
    )
    assert outcome.events == [
        slot("activities_teleworkable", None),
        slot("requested_slot", "activities_teleworkable"),
    ]
    assert outcome.texts == [YES_NO_HINT]


@pytest.mark.parametrize(
    ("slot_asked", "text", "intent"),
    [
        (
            "home_conditions_ok",
            "c'est quoi la norme NF C 15-100 exactement ?",
            "ask_home_requirements",
        ),
        # « pas » in a question is not a « non »
        (
            "activities_teleworkable",
            "c'est quoi les activités qu'on peut pas faire en télétravail ?",
            "inform",
        ),
    ],
)
def test_question_mid_form_is_left_to_the_dialogue(
    run: Run, slot_asked: str, text: str, intent: str
) -> None:
    outcome = run(ValidateEligibilityForm(), asking(slot_asked, text=text, intent=intent))
    # Only requested_slot: Rasa sees no validated slot and lets other policies answer.
    assert outcome.events == [slot("requested_slot", slot_asked)]
    assert outcome.messages == []


def test_contract_no_for_contractuel(run: Run) -> None:
    tracker = asking("contract_over_one_year", status="contractuel", text="non", intent="deny")
    tracker.slots["contract_over_one_year"] = False
    tracker.events.append(
        {"event": "slot", "timestamp": None, "name": "contract_over_one_year", "value": False}
    )
    assert run(ValidateEligibilityForm(), tracker).events == [slot("contract_over_one_year", False)]


def test_fonctionnaire_all_yes_is_eligible_with_documents(run: Run) -> None:
    outcome = run(ActionEligibility(), make_tracker("eligibility_done"))
    assert outcome.events == RESET
    text = outcome.texts[0]
    assert text.startswith("Verdict : éligible.")
    assert "• Rempli — Fonctionnaire : vous pouvez prétendre au télétravail." in text
    assert f"(Source : {TASKS_SECTION})" in text
    assert "À examiner" not in text
    assert "• Annexe 2 : attestation de conformité du domicile" in text
    assert "• Attestation d'assurance habitation" in text
    assert outcome.texts[1].startswith("Source : Modalités pratiques de mise en oeuvre")
    assert outcome.payloads == ["/request_draft", "/talk_to_human"]
    assert {s["doc_id"] for s in outcome.sources} == {"maa-instruction-2019-781"}


def test_short_contract_is_not_eligible(run: Run) -> None:
    tracker = make_tracker(
        "eligibility_done", slots={"status": "contractuel", "contract_over_one_year": False}
    )
    outcome = run(ActionEligibility(), tracker)
    assert outcome.events == RESET
    assert outcome.texts[0].startswith("Verdict : non éligible en l'état.")
    assert "• Non rempli — Contrat de 12 mois ou moins" in outcome.texts[0]


def test_long_contract_says_what_the_user_answered(run: Run) -> None:
    tracker = make_tracker(
        "eligibility_done", slots={"status": "contractuel", "contract_over_one_year": True}
    )
    outcome = run(ActionEligibility(), tracker)
    assert "• Rempli — Contrat de plus de 12 mois : condition remplie." in outcome.texts[0]
    assert "13 mois" not in outcome.texts[0]


def test_no_teleworkable_activity_and_home_not_ready(run: Run) -> None:
    tracker = make_tracker(
        "eligibility_done", slots={"activities_teleworkable": False, "home_conditions_ok": False}
    )
    outcome = run(ActionEligibility(), tracker)
    assert outcome.texts[0].startswith("Verdict : non éligible en l'état.")
    assert "• Non rempli — Sans tâches télétravaillables" in outcome.texts[0]
    assert HOME_NOT_ALL in outcome.texts[0]


def test_missing_status_asks_for_it(run: Run) -> None:
    outcome = run(ActionEligibility(), make_tracker("eligibility_done", slots={"status": None}))
    assert outcome.events == []
    assert outcome.responses == ["utter_ask_status"]


def test_answers_the_engine_refuses_are_asked_again(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(slots: dict[str, Any]) -> EligibilityRequest:
        return EligibilityRequest.model_validate({"status": "martien"})

    monkeypatch.setattr(eligibility, "build_request", refused)
    outcome = run(ActionEligibility(), make_tracker("eligibility_done"))
    assert outcome.events == RESET
    assert outcome.texts[0].endswith(ASK_AGAIN)
    assert outcome.payloads == ["/start_eligibility"]


def test_broken_rules_are_logged_with_their_stack_and_told_in_french(
    run: Run, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(request: EligibilityRequest) -> EligibilityResult:
        raise RulesDataError("eligibility.yaml illisible")

    monkeypatch.setattr(eligibility, "evaluate_eligibility", broken)
    with caplog.at_level(logging.ERROR, logger="actions.eligibility"):
        outcome = run(ActionEligibility(), make_tracker("eligibility_done"))
    assert outcome.texts == [UNAVAILABLE]
    assert outcome.events == RESET
    [record] = [r for r in caplog.records if r.name == "actions.eligibility"]
    assert record.levelno == logging.ERROR and record.exc_info is not None


def test_a_programming_error_is_logged_as_such_and_the_agent_still_gets_a_reply(
    run: Run, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Not swallowed (ERROR with its stack trace, its own message), never a blank reply."""

    def buggy(request: EligibilityRequest) -> EligibilityResult:
        raise KeyError("status")

    monkeypatch.setattr(eligibility, "evaluate_eligibility", buggy)
    with caplog.at_level(logging.ERROR, logger="actions.eligibility"):
        outcome = run(ActionEligibility(), make_tracker("eligibility_done"))
    assert outcome.texts == [UNAVAILABLE]
    [record] = [r for r in caplog.records if r.name == "actions.eligibility"]
    assert "inattendue" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is KeyError
