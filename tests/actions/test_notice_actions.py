"""Notice periods: computed from the event and the date, asked by ``notice_form`` if missing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Action, Tracker

from actions import dates
from actions.notice import (
    UNKNOWN_EVENT,
    ActionAskDate,
    ActionNotice,
    ValidateNoticeForm,
    parse_event,
    rule_text,
    unknown_date,
)
from actions.notice_deadline import other_reading
from tests.actions.helpers import Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
CLEARED = [slot("date", None), slot("notice_event", None)]


def computed(event: str, date: str) -> list[dict[str, object]]:
    """The events of a computed notice: the inputs cleared, event and date kept for follow-ups."""
    kept = {"kind": "notice", "event": event, "date": date}
    return [*CLEARED, slot("last_computation", kept)]


CHANGES_SECTION = (
    "IV – L'organisation et la mise en œuvre du télétravail › 3 – Modification, réversibilité "
    "et renouvellement de l'autorisation d'exercice en télétravail"
)


def asking_the_date(text: str, event: str) -> Tracker:
    """The form holding ``event`` (set in an earlier turn) and asking the date."""
    tracker = form_asking("date", text, notice_event=event)
    tracker.events = [e for e in tracker.events if e.get("name") != "notice_event"]
    return tracker


def form_asking(requested: str, text: str, **slots: Any) -> Tracker:
    """The notice form asking ``requested``, the user having typed ``text``."""
    return make_tracker(
        "notice",
        text=text,
        intent="inform",
        entities=[],
        slots={"notice_event": None, "date": None, "requested_slot": requested, **slots},
    )


def test_calendar_change_from_slots(run: Run) -> None:
    outcome = run(ActionNotice(), make_tracker("notice"))
    assert outcome.events == computed("calendar_change", "2026-05-04")
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
    assert outcome.events == computed("ponctual_change", "2026-04-30")
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : mardi 5 mai 2026.")
    assert "vendredi 1er mai 2026 (Fête du Travail)" in outcome.texts[0]


def test_unreadable_date_is_cleared_and_explained(run: Run) -> None:
    tracker = make_tracker("notice", slots={"date": "31/02/2026"})
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == [slot("date", None)]
    assert outcome.texts == [unknown_date()]


def test_date_outside_the_accepted_years_is_refused(run: Run) -> None:
    tracker = make_tracker("notice", slots={"date": "4 mai 1970"})
    outcome = run(ActionNotice(), tracker)
    assert outcome.events == CLEARED
    assert "une date entre 1990 et 2100 est attendue" in outcome.text


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("end", "end"),
        ("je veux échanger un jour cette semaine", "ponctual_change"),
        ("changer durablement mes jours", "calendar_change"),
        ("arrêter pendant la période d'adaptation", "end_during_adaptation"),
        ("mettre fin au télétravail", "end"),
        ("je ne suis plus en période d'adaptation", "end"),
        ("après la période d'adaptation, je veux changer de jour", "calendar_change"),
        ("mon adaptation est terminée, j'arrête", "end"),
        ("bof", None),
    ],
)
def test_event_read_from_a_button_or_words(text: str, event: str | None) -> None:
    assert parse_event(text) == event


def test_form_takes_a_typed_date_and_keeps_it_readable(run: Run) -> None:
    tracker = form_asking("date", "le 4 mai 2026", notice_event="end")
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot("date", "04/05/2026") in outcome.events
    assert outcome.messages == []


def test_form_takes_a_date_stated_with_its_reason_whatever_the_intent(run: Run) -> None:
    tracker = make_tracker(
        "notice",
        text="le 4 mai 2026, g un rdv medical",
        intent="ask_medical",
        entities=[],
        slots={"notice_event": "ponctual_change", "date": None, "requested_slot": "date"},
    )
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot("date", "04/05/2026") in outcome.events


def test_form_asks_again_for_an_unreadable_date(run: Run) -> None:
    tracker = form_asking("date", "bientôt sans doute", notice_event="end")
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot("date", None) in outcome.events
    assert outcome.texts == [unknown_date()]


def test_form_takes_the_change_in_words(run: Run) -> None:
    outcome = run(ValidateNoticeForm(), form_asking("notice_event", "arrêter le télétravail"))
    assert slot("notice_event", "end") in outcome.events


def test_form_asks_again_for_an_unknown_change(run: Run) -> None:
    outcome = run(ValidateNoticeForm(), form_asking("notice_event", "je ne sais pas"))
    assert slot("notice_event", None) in outcome.events
    assert outcome.texts == [UNKNOWN_EVENT]


def test_form_lists_the_changes_again_after_i_dont_know(run: Run) -> None:
    tracker = form_asking("notice_event", "alors la je sais vraiment pas")
    tracker.latest_message["intent"] = {"name": "dont_know", "confidence": 0.99}
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot("notice_event", None) in outcome.events
    assert outcome.texts == [UNKNOWN_EVENT]


def test_form_leaves_a_question_to_the_dialogue(run: Run) -> None:
    tracker = make_tracker(
        "notice",
        text="au fait, la période d'adaptation dure combien de temps ?",
        intent="ask_changes",
        entities=[],
        slots={"notice_event": "end", "date": None, "requested_slot": "date"},
    )
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot("date", None) not in outcome.events
    assert outcome.messages == []


def test_a_stray_entity_does_not_replace_the_event_already_given(run: Run) -> None:
    """« le 1er février 2027 » to the date question: « février » tagged as the event."""
    tracker = make_tracker(
        "notice",
        text="le 1er février 2027",
        intent="inform",
        slots={"requested_slot": "date"},
        candidates={"notice_event": "fevrier", "date": "le 1er février 2027"},
    )
    tracker.events.insert(0, {"event": "slot", "name": "notice_event", "value": "end"})
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot("notice_event", "end") in outcome.events
    assert slot("date", "01/02/2027") in outcome.events
    assert outcome.messages == []


@pytest.mark.parametrize(
    ("requested", "text", "expected"),
    [
        (
            "notice_event",
            "arrêter le tt, je suis encore en période d'adaptation",
            "end_during_adaptation",
        ),
        ("date", "je le dirai à ma cheffe le 1er février 2027", "01/02/2027"),
    ],
)
def test_a_statement_answering_the_question_is_taken_whatever_its_intent(
    run: Run, requested: str, text: str, expected: str
) -> None:
    """The NLU reads these as questions (ask_changes): they answer the form's question."""
    tracker = make_tracker(
        "notice",
        text=text,
        intent="ask_changes",
        entities=[],
        slots={
            "notice_event": "end" if requested == "date" else None,
            "date": None,
            "requested_slot": requested,
        },
    )
    outcome = run(ValidateNoticeForm(), tracker)
    assert slot(requested, expected) in outcome.events
    assert outcome.messages == []


@pytest.mark.parametrize(
    ("held", "text", "said"),
    [
        (
            "end",
            "je suis toujours en période d'adaptation et je préviens le 4 janvier 2027",
            "end_during_adaptation",
        ),
        (
            "end_during_adaptation",
            "je ne suis plus en période d'adaptation, je préviens le 4 janvier 2027",
            "end",
        ),
    ],
)
def test_the_adaptation_period_said_with_the_date_corrects_the_end(
    run: Run, held: str, text: str, said: str
) -> None:
    """The end taken from the offer is not computed against what the agent says."""
    outcome = run(ValidateNoticeForm(), asking_the_date(text, held))
    assert slot("date", "04/01/2027") in outcome.events
    assert slot("notice_event", said) in outcome.events


def test_a_date_alone_keeps_the_end_given(run: Run) -> None:
    outcome = run(
        ValidateNoticeForm(), form_asking("date", "le 4 janvier 2027", notice_event="end")
    )
    assert slot("date", "04/01/2027") in outcome.events
    assert slot("notice_event", "end_during_adaptation") not in outcome.events


def test_the_date_question_gives_an_example_to_come_that_the_form_reads(run: Run) -> None:
    outcome = run(ActionAskDate(), make_tracker("notice"))
    today = dates.current_day()
    written, numeric = re.findall(r"« ([^»]+) »", outcome.text)
    assert dates.read_date(written, today) == dates.read_date(numeric, today)
    assert dates.read_date(written, today) > today


@pytest.mark.parametrize(
    ("text", "other"),
    [
        # « mes jours changent le 5 mars » may name the day the change takes effect.
        (
            "mes jours changent définitivement le 5 mars 2027",
            "Si le vendredi 5 mars 2027 est plutôt le jour où le changement doit prendre "
            "effet : à notifier au plus tard le jeudi 18 février 2027.",
        ),
        # Said as the day of the notice: no other reading.
        ("je préviens le 5 mars 2027 pour changer mes jours", None),
    ],
)
def test_a_date_that_may_be_the_wished_one_also_gets_its_deadline(
    run: Run, monkeypatch: pytest.MonkeyPatch, text: str, other: str | None
) -> None:
    monkeypatch.setenv("TELETRAVAIL_REFERENCE_DATE", "2026-12-07")
    tracker = make_tracker(
        "notice",
        text=text,
        slots={"notice_event": "calendar_change", "date": "05/03/2027"},
    )
    outcome = run(ActionNotice(), tracker)
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : samedi 20 mars 2027.")
    if other is None:
        assert "plutôt le jour où le changement doit prendre effet" not in outcome.texts[0]
    else:
        assert outcome.texts[0].split("\n\n")[1] == other


def test_a_past_deadline_for_the_other_reading_is_said_too_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELETRAVAIL_REFERENCE_DATE", "2026-12-07")
    said = other_reading("end", dt.date(2027, 1, 15), "le 15 janvier")
    assert said.startswith("Si le vendredi 15 janvier 2027 est plutôt le jour")
    assert "c'est trop tard : il fallait notifier au plus tard le dimanche 15 novembre 2026" in said
    assert "(en jour ouvré : le vendredi 13 novembre 2026)" in said  # the Sunday, as a deadline
    assert other_reading("end", dt.date(2026, 12, 7), "aujourd'hui") == ""


def test_a_month_without_its_day_is_asked_precisely() -> None:
    text = rule_text(
        ("end", "end_during_adaptation"), vague=dates.vague_date("arrêter début février")
    )
    assert "« début février » ne donne pas le jour : quelle date exacte ?" in text
    assert "quelle date exacte" not in rule_text(("end",), vague=dates.vague_date("le 3 février"))
