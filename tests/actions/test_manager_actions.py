"""Manager mode: the cited guide, and the quiz (start, right and wrong answers, score)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Action, Tracker

from actions.manager import (
    NO_QUIZ,
    PICK_A_LETTER,
    ActionManagerGuide,
    ActionQuizCheck,
    ActionQuizNext,
)
from actions.quiz import LETTERS, questions
from tests.actions.helpers import Outcome, make_tracker, slot

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
APPEAL = "III – La procédure de demande › 5 – Les voies de recours"
FOLLOW_UP = (
    "V – L'accompagnement du télétravail › 3 – Le suivi individuel de l'agent en télétravail"
)
ANSWER_PAYLOADS = [f'/quiz_answer{{"quiz_choice":"{letter}"}}' for letter in LETTERS]


def answering(index: int, score: int, choice: str | None) -> Tracker:
    """The quiz at question ``index`` with ``score`` so far, the user having picked ``choice``."""
    return make_tracker(
        "quiz_answer",
        slots={"quiz_index": float(index), "quiz_score": float(score)},
        candidates={"quiz_choice": choice},
        entities=[] if choice is None else [{"entity": "quiz_choice", "value": choice}],
        text=f'/quiz_answer{{"quiz_choice":"{choice}"}}',
    )


def test_guide_cites_criteria_and_obligations_then_offers_the_quiz(run: Run) -> None:
    outcome = run(ActionManagerGuide(), make_tracker("manager"))
    assert outcome.events == []
    guide = outcome.texts[0]
    for title in ("Aptitude de l'agent", "Entretien", "Refus motivé", "Acte individuel"):
        assert f"• {title} : " in guide
    assert "• Délais de prévenance : Modification ponctuelle d'un jour télétravaillé : 2 jours" in (
        guide
    )
    assert f"(Source : {APPEAL} ; " in guide
    assert f"(Source : {FOLLOW_UP})" in guide
    sections = {s["section"] for s in outcome.sources}
    assert {APPEAL, FOLLOW_UP} <= sections
    assert outcome.messages[-1]["buttons"] == [
        {"title": "Faire le quiz", "payload": "/start_quiz"},
        {"title": "Non merci", "payload": "/deny"},
    ]


def test_quiz_has_at_least_eight_questions_with_four_choices() -> None:
    assert len(questions()) >= 8
    for question in questions():
        assert len(set(question.choices)) == 4
        assert question.answer in LETTERS
        assert question.sources and question.explanation


def test_start_quiz_asks_the_first_question_with_buttons(run: Run) -> None:
    tracker = make_tracker("manager", text="/start_quiz", intent="start_quiz")
    outcome = run(ActionQuizNext(), tracker)
    assert outcome.events == [
        slot("quiz_index", 0.0),
        slot("quiz_score", 0.0),
        slot("quiz_choice", None),
    ]
    assert outcome.payloads == ANSWER_PAYLOADS
    assert f"Question 1/{len(questions())} : {questions()[0].prompt}" in outcome.text


def test_restart_wins_over_a_quiz_in_progress(run: Run) -> None:
    tracker = make_tracker(
        "quiz_answer", slots={"quiz_index": 5.0}, text="/start_quiz", intent="start_quiz"
    )
    assert run(ActionQuizNext(), tracker).events[0] == slot("quiz_index", 0.0)


def test_starting_the_quiz_in_a_form_ends_the_form(run: Run) -> None:
    """Otherwise Rasa asks the form's question again and reads « b » as the form's answer."""
    tracker = make_tracker("quota_form_asking", text="lance le quiz", intent="start_quiz")
    events = run(ActionQuizNext(), tracker).events
    assert events[:2] == [
        {"event": "active_loop", "timestamp": None, "name": None},
        slot("requested_slot", None),
    ]
    assert slot("quiz_index", 0.0) in events


def test_after_an_interruption_the_current_question_is_asked_again(run: Run) -> None:
    tracker = make_tracker("quiz_answer", slots={"quiz_index": 3.0}, text="ok", intent="affirm")
    outcome = run(ActionQuizNext(), tracker)
    assert outcome.events == []
    assert outcome.texts[0].startswith(f"Question 4/{len(questions())} : {questions()[3].prompt}")


def test_right_answer(run: Run) -> None:
    first = questions()[0]
    assert first.answer == "b"  # the fixture's click
    outcome = run(ActionQuizCheck(), make_tracker("quiz_answer"))
    assert outcome.events == [
        slot("quiz_score", 1.0),
        slot("quiz_index", 1.0),
        slot("quiz_choice", None),
    ]
    assert outcome.texts[0].startswith("Bonne réponse !")
    assert "Source : Modalités pratiques" in outcome.texts[0]
    assert outcome.sources[0]["doc_id"] == "maa-instruction-2019-781"
    assert "La quotité de télétravail" in outcome.sources[0]["section"]
    assert outcome.texts[1].startswith("Question 2/")
    assert outcome.payloads == ANSWER_PAYLOADS


def test_wrong_answer_gives_the_right_one_and_its_source(run: Run) -> None:
    outcome = run(ActionQuizCheck(), answering(0, 0, "a"))
    assert outcome.events == [
        slot("quiz_score", 0.0),
        slot("quiz_index", 1.0),
        slot("quiz_choice", None),
    ]
    assert outcome.texts[0].startswith(
        "Pas tout à fait : la bonne réponse était b) 3 jours par semaine."
    )
    assert outcome.sources


def test_letter_outside_a_to_d_asks_again_without_moving_on(run: Run) -> None:
    outcome = run(ActionQuizCheck(), answering(2, 1, "e"))
    assert outcome.events == [slot("quiz_choice", None)]
    assert outcome.texts[0] == PICK_A_LETTER
    assert outcome.texts[1].startswith("Question 3/")


def test_answer_without_a_quiz(run: Run) -> None:
    tracker = make_tracker("quiz_answer", slots={"quiz_index": None, "quiz_score": None})
    outcome = run(ActionQuizCheck(), tracker)
    assert outcome.events == [slot("quiz_choice", None)]
    assert outcome.texts == [NO_QUIZ]
    assert outcome.payloads == ["/start_quiz", "/deny"]


def test_last_answer_gives_the_score_and_clears_the_quiz(run: Run) -> None:
    last = len(questions()) - 1
    outcome = run(ActionQuizCheck(), answering(last, 7, questions()[last].answer))
    assert outcome.events == [
        slot("quiz_score", None),
        slot("quiz_index", None),
        slot("quiz_choice", None),
    ]
    assert outcome.texts[-1].startswith(f"Quiz terminé : 8/{len(questions())} bonnes réponses.")
    assert outcome.payloads == ["/start_quiz", "/start_manager_guide"]


@pytest.mark.parametrize("wrong_every", [None, 2])
def test_whole_quiz_counts_the_score(run: Run, wrong_every: int | None) -> None:
    slots: dict[str, Any] = {}
    start = run(ActionQuizNext(), make_tracker("manager", text="/start_quiz", intent="start_quiz"))
    slots.update({e["name"]: e["value"] for e in start.events})
    expected = 0
    outcome = start
    for index, question in enumerate(questions()):
        wrong = wrong_every is not None and index % wrong_every == 0
        choice = next(x for x in LETTERS if x != question.answer) if wrong else question.answer
        expected += not wrong
        outcome = run(ActionQuizCheck(), answering(index, int(slots["quiz_score"]), choice))
        slots.update({e["name"]: e["value"] for e in outcome.events})
    assert slots == {"quiz_index": None, "quiz_score": None, "quiz_choice": None}
    assert f"Quiz terminé : {expected}/{len(questions())} bonnes réponses." in outcome.texts[-1]
