"""The payload markers the API reads to record unanswered questions for the référents.

An abstention carries ``{"abstained": true}`` in its custom payload, and also ``{"fallback":
true}`` when the NLU did not understand the message either; a real answer carries neither (it
carries its sources). The markers carry the intent of the message they answer, which the API
stores with the question.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk import Action, Tracker

from actions.questions import ActionAnswerQuestion
from tests.actions.helpers import Outcome, make_tracker
from tests.actions.test_answer_actions import FakeEngine, use_engine

Run = Callable[[Action, Tracker], Outcome]
pytestmark = pytest.mark.unit


def customs(outcome: Outcome) -> list[dict[str, object]]:
    return [m["custom"] for m in outcome.messages if m.get("custom")]


def test_abstention_is_marked(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, FakeEngine(abstain=True))
    outcome = run(ActionAnswerQuestion(), make_tracker("question"))
    assert customs(outcome) == [{"abstained": True, "intent": "ask_equipment"}]


def test_answer_is_not_marked(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, FakeEngine())
    payloads = customs(run(ActionAnswerQuestion(), make_tracker("question")))
    assert payloads and all("abstained" not in p and "fallback" not in p for p in payloads)
    assert payloads[0]["sources"]


@pytest.mark.parametrize("ranking", [None, []])
def test_unsure_nlu_and_no_text_is_marked_fallback(
    run: Run, monkeypatch: pytest.MonkeyPatch, ranking: list[dict[str, object]] | None
) -> None:
    use_engine(monkeypatch, FakeEngine(abstain=True))
    outcome = run(ActionAnswerQuestion(), make_tracker("fallback", ranking=ranking))
    assert customs(outcome) == [{"abstained": True, "fallback": True, "intent": "nlu_fallback"}]


def test_unsure_nlu_answered_by_the_texts_is_not_marked(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, FakeEngine())
    payloads = customs(run(ActionAnswerQuestion(), make_tracker("fallback")))
    assert payloads and all("abstained" not in p and "fallback" not in p for p in payloads)
