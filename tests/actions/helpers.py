"""Trackers rebuilt from JSON fixtures, and what an action sent, in a form easy to check.

A fixture is the tracker state Rasa posts to the action server (sender_id, slots,
latest_message, events, active_loop). Tests change one thing (the text, an entity, a slot
candidate) and check the exact events an action returns and the key content of its messages.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TS = 1700000000.0


@cache
def _state(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def make_tracker(
    name: str,
    *,
    text: str | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    ranking: list[dict[str, Any]] | None = None,
) -> Tracker:
    """Rebuild a fixture's tracker, with the latest message or slots changed.

    ``candidates`` are the slot values Rasa extracted this turn: they are set and appended as
    ``slot`` events at the end, where form validation looks for them.
    """
    state = copy.deepcopy(_state(name))
    latest = state["latest_message"]
    if text is not None:
        latest["text"] = text
    if intent is not None:
        latest["intent"] = {"name": intent, "confidence": 0.9}
    if entities is not None:
        latest["entities"] = [
            {"entity": e["entity"], "value": e["value"], "extractor": "DIETClassifier"}
            for e in entities
        ]
    if ranking is not None:
        latest["intent_ranking"] = ranking
    if text is not None or intent is not None or entities is not None:
        _replace_last_user_event(state["events"], latest)
    state["slots"].update(slots or {})
    for slot, value in (candidates or {}).items():
        state["slots"][slot] = value
        state["events"].append({"event": "slot", "timestamp": TS, "name": slot, "value": value})
    return Tracker.from_dict(state)


def _replace_last_user_event(events: list[dict[str, Any]], latest: dict[str, Any]) -> None:
    for event in reversed(events):
        if event["event"] == "user":
            event["text"] = latest["text"]
            event["parse_data"] = {
                "text": latest["text"],
                "intent": latest["intent"],
                "entities": latest["entities"],
            }
            return


@dataclass
class Outcome:
    """What an action returned and sent."""

    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.messages for b in m.get("buttons") or []]

    @property
    def sources(self) -> list[dict[str, Any]]:
        return [s for m in self.messages for s in (m.get("custom") or {}).get("sources", [])]

    @property
    def responses(self) -> list[str]:
        return [m["response"] for m in self.messages if m.get("response")]


def slot(name: str, value: Any) -> dict[str, Any]:
    """The event ``SlotSet(name, value)`` as rasa-sdk returns it."""
    return {"event": "slot", "timestamp": None, "name": name, "value": value}
