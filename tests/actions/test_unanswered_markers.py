"""The payload markers the API reads to record unanswered questions for the référents.

An abstention carries ``{"abstained": true}`` and the first fallback stage ``{"fallback":
true}`` in its custom payload; a real answer carries neither (it carries its sources).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk import Action, Tracker

from actions.answers import ActionAnswerQuestion
from actions.handoff import ActionDefaultAskAffirmation
from tests.actions.helpers import Outcome, make_tracker
from tests.actions.test_answer_actions import FakeEngine, use_engine

Run = Callable[[Action, Tracker], Outcome]
pytestmark = pytest.mark.unit


def customs(outcome: Outcome) -> list[dict[str, object]]:
    return [m["custom"] for m in outcome.messages if m.get("custom")]


def test_abstention_is_marked(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, FakeEngine(abstain=True))
    outcome = run(ActionAnswerQuestion(), make_tracker("question"))
    assert customs(outcome) == [{"abstained": True}]


def test_answer_is_not_marked(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, FakeEngine())
    payloads = customs(run(ActionAnswerQuestion(), make_tracker("question")))
    assert payloads and all("abstained" not in p and "fallback" not in p for p in payloads)
    assert payloads[0]["sources"]


@pytest.mark.parametrize("ranking", [None, []])
def test_fallback_is_marked(run: Run, ranking: list[dict[str, object]] | None) -> None:
    outcome = run(ActionDefaultAskAffirmation(), make_tracker("fallback", ranking=ranking))
    assert customs(outcome) == [{"fallback": True}]
