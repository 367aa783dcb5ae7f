"""Notice periods: computed when event and date are known, else answered from the texts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk import Action, Tracker

from actions.notice import DATE_HINT, UNKNOWN_DATE, ActionNotice
from tests.actions.helpers import Outcome, make_tracker, slot
from tests.actions.test_answer_actions import FakeEngine, use_engine

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
CLEARED = [slot("date", None), slot("notice_event", None)]
CHANGES_SECTION = (
    "IV – L'organisation et la mise en œuvre du télétravail › 3 – Modification, réversibilité "
    "et renouvellement de l'autorisation d'exercice en télétravail"
)


def test_calendar_change_from_slots(run: Run) -> None:
    outcome = run(ActionNotice(), make_tracker("notice"))
    assert outcome.events == CLEARED
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : mardi 19 mai 2026.")
    assert "délai de prévenance de 15 jours" in outcome.texts[0]
    assert ("maa-instruction-2019-781", CHANGES_SECTION) in {
        (s["doc_id"], s["section"]) for s in outcome.sources
    }
    assert CHANGES_SECTION in outcome.texts[1]


def test_working_days_skip_the_first_of_may(run: Run) -> None:
    tracker = make_tracker(
        "notice", slots={"notice_event": "ponctual_change", "date": "30/04/2026"}
    )
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == CLEARED
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : mardi 5 mai 2026.")
    assert "vendredi 1er mai 2026 (Fête du Travail)" in outcome.texts[0]


def test_date_read_from_the_latest_message_when_no_date_slot(run: Run) -> None:
    tracker = make_tracker(
        "notice",
        text="je veux arrêter, je l'ai notifié le 04/05/2026",
        slots={"notice_event": "end", "date": None},
    )
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == CLEARED
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : samedi 4 juillet 2026.")
    assert "premier jour ouvré concerné est le lundi 6 juillet 2026" in outcome.texts[0]


def test_event_without_date_answers_from_the_texts_and_keeps_the_event(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = use_engine(monkeypatch, FakeEngine())
    tracker = make_tracker(
        "notice", text="quel délai pour changer mes jours ?", slots={"date": None}
    )
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == []
    assert engine.questions == ["quel délai pour changer mes jours ?"]
    assert outcome.texts[0] == FakeEngine.ANSWER
    assert outcome.texts[-1] == DATE_HINT


def test_unreadable_date_is_cleared_and_explained(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, FakeEngine())
    tracker = make_tracker("notice", text="c'était le 31/02/2026", slots={"date": "31/02/2026"})
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == [slot("date", None)]
    assert outcome.texts[-1] == UNKNOWN_DATE


def test_no_event_is_a_question_for_the_texts(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = use_engine(monkeypatch, FakeEngine())
    tracker = make_tracker("notice", slots={"notice_event": None})
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == [slot("date", None)]
    assert len(engine.questions) == 1
    assert DATE_HINT not in outcome.text


def test_date_outside_the_accepted_years_is_refused(run: Run) -> None:
    tracker = make_tracker("notice", slots={"date": "4 mai 1970"})
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == CLEARED
    assert "une date entre 1990 et 2100 est attendue" in outcome.text
