"""Rasa with ``ops/rasa_speedups.py`` gives Rasa's own results, in the real ``.venv-rasa``."""

from __future__ import annotations

import json

import pytest

from tests.bot.rasa_env import run_in_rasa_env

CHECK = r"""
import json
import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

names = sorted({cls.type_name for cls in all_subclasses(Event)})
original = Event.resolve_by_type
action = RemoteAction("action_demo", None)

def outcome(call):
    try:
        value = call()
        return value.__name__ if isinstance(value, type) else value
    except Exception as error:
        return [type(error).__name__, str(error)]

def probes():
    found = {name: outcome(lambda: Event.resolve_by_type(name)) for name in names}
    odd = {
        "unknown": outcome(lambda: Event.resolve_by_type("pas-un-evenement")),
        "unknown_default": outcome(lambda: Event.resolve_by_type("pas-un-evenement", Event)),
        "topic": outcome(lambda: Event.resolve_by_type("topic")),
        "user_twice": [outcome(lambda: Event.resolve_by_type("user")) for _ in range(2)],
    }
    responses = json.loads(%r)
    checked = [outcome(lambda: action._validate_action_result(r)) for r in responses]
    return {"found": found, "odd": odd, "checked": checked}

before = probes()
from ops import rasa_speedups
rasa_speedups.install()
rasa_speedups.install()  # twice: patched once
after = probes()
patched = Event.resolve_by_type is not original
print(json.dumps({"before": before, "after": after, "patched": patched}))
"""

RESPONSES = [
    {"events": [{"event": "slot", "name": "quotite", "value": 80}], "responses": [{"text": "ok"}]},
    {"events": [], "responses": [{"text": "x", "custom": {"sources": [{"doc_id": "a"}]}}]},
    {"events": [{"event": "slot", "name": 3}], "responses": []},  # a slot name must be a string
    {"events": "pas une liste", "responses": []},
]


@pytest.fixture(scope="module")
def result() -> dict:
    return run_in_rasa_env(CHECK % json.dumps(RESPONSES))


def test_the_speedups_are_installed(result: dict) -> None:
    assert result["patched"]


def test_event_classes_are_those_rasa_finds(result: dict) -> None:
    assert len(result["before"]["found"]) > 20
    assert result["after"]["found"] == result["before"]["found"]
    assert result["after"]["odd"] == result["before"]["odd"]
    assert result["after"]["odd"]["unknown"][0] == "ValueError"
    assert result["after"]["odd"]["unknown_default"] == "Event"
    assert result["after"]["odd"]["topic"] is None


def test_action_responses_are_validated_as_rasa_does(result: dict) -> None:
    before, after = result["before"]["checked"], result["after"]["checked"]
    assert after == before
    assert after[:2] == [True, True]
    assert all(check[0] == "ValidationError" for check in after[2:])
    assert all("Failed to validate Action server response" in check[1] for check in after[2:])
