"""The quota form (entity or free text, invalid values) and the quota answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk import Action, Tracker

from actions.quota import ActionQuota, ValidateQuotaForm
from tests.actions.helpers import Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
QUOTITE_SECTION = "I – Le télétravail c'est quoi ? › 2 – La quotité de télétravail"
MEDICAL_SECTION = "VI – Le cas particulier des dérogations pour raisons médicales"


def test_entity_value_is_kept_as_a_number(run: Run) -> None:
    outcome = run(ValidateQuotaForm(), make_tracker("quota_form_entity"))
    assert outcome.events == [slot("quotite", 80.0)]
    assert outcome.messages == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80 %", 80.0), ("80", 80.0), ("temps plein", 100.0), ("mi-temps", 50.0), ("4/5", 80.0)],
)
def test_free_text_quotite_is_read(run: Run, text: str, expected: float) -> None:
    outcome = run(ValidateQuotaForm(), make_tracker("quota_form_asking", text=text))
    assert outcome.events == [slot("quotite", expected)]
    assert outcome.messages == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("0", "inform"),
        ("150", "inform"),
        ("abc", "nlu_fallback"),
        ("je sais pas trop en fait", "dont_know"),  # not a refusal: the question again
    ],
)
def test_invalid_quotite_says_what_is_accepted_and_asks_again(
    run: Run, text: str, intent: str
) -> None:
    outcome = run(ValidateQuotaForm(), make_tracker("quota_form_asking", text=text, intent=intent))
    assert outcome.events == [slot("quotite", None)]
    assert len(outcome.texts) == 1
    message = outcome.text
    assert "temps plein" in message and "mi-temps" in message and "80" in message
    assert "abc" not in message  # the user's input is never echoed


def test_invalid_entity_value_is_refused(run: Run) -> None:
    tracker = make_tracker(
        "quota_form_entity",
        entities=[{"entity": "quotite", "value": "150"}],
        text="150 %",
        candidates={"quotite": "150"},
    )
    outcome = run(ValidateQuotaForm(), tracker)
    assert outcome.events == [slot("quotite", None)]
    assert "100" in outcome.text


def test_quotite_cleared_when_the_form_starts_is_not_read_as_an_answer(run: Run) -> None:
    """« Calculer pour ma situation » typed: the dialogue clears the old quotité, then the
    form starts; Rasa validates that clearing, which must not be refused as a quotité."""
    tracker = make_tracker(
        "quota_form_entity",
        text="Calculer pour ma situation",
        slots={"requested_slot": None},
        candidates={"quotite": None},
    )
    outcome = run(ValidateQuotaForm(), tracker)
    assert outcome.events == [slot("quotite", None)]
    assert outcome.messages == []


def test_question_asked_mid_form_is_left_to_the_dialogue(run: Run) -> None:
    tracker = make_tracker(
        "quota_form_asking",
        text="et l'administration me fournit un écran ?",
        intent="ask_equipment",
    )
    assert run(ValidateQuotaForm(), tracker).events == []


def test_quota_answer_per_week_and_month_with_sources(run: Run) -> None:
    outcome = run(ActionQuota(), make_tracker("quota_done"))
    assert outcome.events == [slot("last_computation", {"kind": "quota"})]
    first = outcome.texts[0]
    assert first.startswith("À 80 % : 2 jours de télétravail par semaine au plus, soit 8 jours")
    assert "Pour raison de santé" in first
    assert "Source : " in outcome.texts[1]
    assert QUOTITE_SECTION in outcome.texts[1]
    sections = {(s["doc_id"], s["section"]) for s in outcome.sources}
    assert ("maa-instruction-2019-781", QUOTITE_SECTION) in sections
    assert ("maa-instruction-2019-781", MEDICAL_SECTION) in sections
    assert set(outcome.sources[0]) == {"doc_id", "title", "section", "date", "excerpt", "score"}


def test_union_discharge_in_the_conversation_is_deducted_and_restated(run: Run) -> None:
    tracker = make_tracker(
        "quota_done",
        text="temps plein + 20 % de décharge syndicale",
        slots={"quotite": 100.0},
    )
    first = run(ActionQuota(), tracker).texts[0]
    assert first.startswith("À 100 % avec 20 % de décharge syndicale, soit 80 % : 2 jours")


def test_health_in_the_conversation_details_the_medical_derogation(run: Run) -> None:
    tracker = make_tracker("quota_done", text="j'ai une RQTH, je suis à 80 %")
    outcome = run(ActionQuota(), tracker)
    assert "Dérogation pour raison médicale" in outcome.texts[0]
    assert "6 mois au plus" in outcome.texts[0]


def test_monthly_base_and_no_telework_left(run: Run) -> None:
    monthly = run(ActionQuota(), make_tracker("quota_done", slots={"base": "mensuelle"}))
    assert (
        "Sur base mensuelle, vous pouvez télétravailler au plus 8 jours par mois"
        in (monthly.texts[0])
    )
    low = run(ActionQuota(), make_tracker("quota_done", slots={"quotite": 40.0}))
    assert low.texts[0].startswith("40 % n'est pas une quotité possible")
    assert "le temps partiel va de 50 à 90 %" in low.texts[0]
    # The form asks again and stays open for the answer.
    assert {"event": "followup", "timestamp": None, "name": "quota_form"} in low.events


def test_missing_quotite_asks_for_it(run: Run) -> None:
    outcome = run(ActionQuota(), make_tracker("quota_done", slots={"quotite": None}))
    assert {"event": "followup", "timestamp": None, "name": "quota_form"} in outcome.events
    assert outcome.texts == []
