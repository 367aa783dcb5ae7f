"""Manager mode: how to instruct a request, then a quiz to check what stuck.

Manager mode starts when a manager asks for the guide or the quiz (``start_manager_guide``,
« guide du manager »: :mod:`actions.routing`); a factual question that merely mentions an
agent or a manager is answered from the texts, with the guide offered.

The guide lists the evaluation criteria and the manager's obligations, each with the section
it comes from, and offers the quiz. The quiz state lives in two slots: ``quiz_index`` (the
question being asked, from 0) and ``quiz_score``. ``action_quiz_next`` starts the quiz (or
shows the current question again after an interruption); ``action_quiz_check`` grades the
reply (``/quiz_answer{"quiz_choice": "b"}``), shows the right answer with its source, then
asks the next question or gives the score and clears the quiz slots.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    button,
    latest_entity,
    latest_intent,
    leave_form,
    section_of,
    send_sources,
    source_line,
    sources_payload,
)
from actions.guide import GuidePoint, criteria, obligations
from actions.quiz import LETTERS, QuizQuestion, questions, score_comment
from rules.models import cite

MAX_BUTTON_TITLE = 40
NO_QUIZ = "Aucun quiz n'est en cours. Voulez-vous en commencer un ?"
PICK_A_LETTER = (
    "Je n'ai pas compris votre choix : répondez par la lettre a, b, c ou d (ou par son numéro, "
    "de 1 à 4). Pour arrêter le quiz, dites « stop »."
)


def _points(title: str, points: tuple[GuidePoint, ...]) -> list[str]:
    lines = [title]
    for point in points:
        sources = cite(point.fact)
        lines.append(f"• {point.title} : {point.fact.note} (Source : {section_of(sources)})")
    return lines


def guide_text() -> str:
    """The manager guide: criteria, then obligations, each with its sections."""
    first = cite(criteria()[0].fact)[0]
    lines = [
        "Mode manager : instruire une demande de télétravail.",
        f"D'après « {first.title} » ({first.date}).",
        "",
        *_points("Critères d'appréciation :", criteria()),
        "",
        *_points("Vos obligations :", obligations()),
    ]
    return "\n".join(lines)


def _choice_title(letter: str, choice: str) -> str:
    title = f"{letter}) {choice}"
    return title if len(title) <= MAX_BUTTON_TITLE else title[: MAX_BUTTON_TITLE - 1] + "…"


def ask_question(dispatcher: CollectingDispatcher, index: int) -> None:
    """Send question ``index`` with its choices in the text and as a–d buttons."""
    question = questions()[index]
    lines = [f"Question {index + 1}/{len(questions())} : {question.prompt}"]
    lines += [
        f"{letter}) {choice}" for letter, choice in zip(LETTERS, question.choices, strict=True)
    ]
    buttons = [
        button(_choice_title(letter, choice), f'/quiz_answer{{"quiz_choice":"{letter}"}}')
        for letter, choice in zip(LETTERS, question.choices, strict=True)
    ]
    dispatcher.utter_message(text="\n".join(lines), buttons=buttons)


def _index(tracker: Tracker) -> int | None:
    value = tracker.get_slot("quiz_index")
    if isinstance(value, int | float) and 0 <= value < len(questions()):
        return int(value)
    return None


def _feedback(question: QuizQuestion, choice: str) -> str:
    right = dict(zip(LETTERS, question.choices, strict=True))[question.answer]
    verdict = (
        "Bonne réponse !"
        if choice == question.answer
        else f"Pas tout à fait : la bonne réponse était {question.answer}) {right}."
    )
    return f"{verdict}\n{question.explanation}\n{source_line(question.sources[0])}"


def send_guide(dispatcher: CollectingDispatcher) -> None:
    """Send the guide with its sources, then offer the quiz."""
    dispatcher.utter_message(text=guide_text())
    sources = cite(*(point.fact for point in (*criteria(), *obligations())))
    send_sources(dispatcher, sources, sections=False)
    dispatcher.utter_message(
        text=f"Voulez-vous vérifier vos connaissances avec un quiz de {len(questions())} "
        "questions ? (oui / non)",
        buttons=[button("Faire le quiz", "/start_quiz"), button("Non merci", "/deny")],
    )


class ActionManagerGuide(Action):
    """Explain how to instruct a request, each point cited, and offer the quiz."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_manager_guide"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the guide, its sources payload and the quiz offer."""
        send_guide(dispatcher)
        return leave_form(tracker)


def quiz_index(tracker: Tracker) -> int | None:
    """The question being asked, or None when no quiz is under way."""
    return _index(tracker)


def start_quiz(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Start the quiz from its first question."""
    dispatcher.utter_message(
        text=f"C'est parti : {len(questions())} questions, une réponse par question "
        "(la lettre, son numéro ou le texte du choix). Chaque réponse est suivie de sa source."
    )
    ask_question(dispatcher, 0)
    return [SlotSet("quiz_index", 0.0), SlotSet("quiz_score", 0.0), SlotSet("quiz_choice", None)]


def stop_quiz(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Stop the quiz where it is, on the user's request."""
    dispatcher.utter_message(
        text="C'est noté, j'arrête le quiz. Posez-moi une autre question quand vous voulez.",
        buttons=[button("Recommencer le quiz", "/start_quiz")],
    )
    return [SlotSet("quiz_score", None), SlotSet("quiz_index", None), SlotSet("quiz_choice", None)]


def ask_again(dispatcher: CollectingDispatcher, index: int) -> list[EventType]:
    """Say how to answer, then ask question ``index`` again with its choices."""
    dispatcher.utter_message(text=PICK_A_LETTER)
    ask_question(dispatcher, index)
    return [SlotSet("quiz_choice", None)]


def grade(
    dispatcher: CollectingDispatcher, tracker: Tracker, index: int, choice: str
) -> list[EventType]:
    """Grade the letter chosen for question ``index``, then ask the next one or give the score."""
    clear_choice = SlotSet("quiz_choice", None)
    question = questions()[index]
    previous = tracker.get_slot("quiz_score")
    score = int(previous if isinstance(previous, int | float) else 0)
    score += choice == question.answer
    dispatcher.utter_message(
        text=_feedback(question, choice), json_message=sources_payload(question.sources)
    )
    if index + 1 < len(questions()):
        ask_question(dispatcher, index + 1)
        return [
            SlotSet("quiz_score", float(score)),
            SlotSet("quiz_index", float(index + 1)),
            clear_choice,
        ]
    total = len(questions())
    dispatcher.utter_message(
        text=f"Quiz terminé : {score}/{total} bonnes réponses. {score_comment(score, total)}",
        buttons=[
            button("Recommencer le quiz", "/start_quiz"),
            button("Revoir le guide", "/start_manager_guide"),
        ],
    )
    return [SlotSet("quiz_score", None), SlotSet("quiz_index", None), clear_choice]


def letter_of(value: object) -> str:
    """The letter of a quiz choice (« B) » → b; « 2 » → b), or an empty string."""
    if not isinstance(value, str):
        return ""
    choice = value.strip().lower().rstrip(").")
    if choice.isdigit() and 1 <= int(choice) <= len(LETTERS):
        return LETTERS[int(choice) - 1]
    return choice if choice in LETTERS else ""


class ActionQuizNext(Action):
    """Start the quiz, or ask the current question again after an interruption."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_quiz_next"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask the current question; on ``start_quiz`` (or no quiz yet), start from the first."""
        index = _index(tracker)
        if index is not None and latest_intent(tracker) != "start_quiz":
            ask_question(dispatcher, index)
            return []
        return [*leave_form(tracker), *start_quiz(dispatcher)]


class ActionQuizCheck(Action):
    """Grade the reply, give the right answer and its source, then go on or give the score."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_quiz_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the feedback, then the next question or the final score."""
        index = _index(tracker)
        if index is None:
            dispatcher.utter_message(
                text=NO_QUIZ,
                buttons=[button("Faire le quiz", "/start_quiz"), button("Non merci", "/deny")],
            )
            return [SlotSet("quiz_choice", None)]
        choice = letter_of(tracker.get_slot("quiz_choice") or latest_entity(tracker, "quiz_choice"))
        if not choice:
            return ask_again(dispatcher, index)
        return grade(dispatcher, tracker, index, choice)
