"""Shared fixtures of the action tests: the real domain and an action runner."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Loading the retrieval engine when ``actions`` is imported is for the server, not the tests
# (this switch concerns the action server only, not the API's own warm-up).
os.environ.setdefault("TELETRAVAIL_ACTIONS_WARMUP", "0")

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.actions.helpers import Outcome

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain.yml"


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The real domain (the contract between the bot and the actions)."""
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def run(domain: dict[str, Any]) -> Callable[[Action, Tracker], Outcome]:
    """Run an action on a tracker with a collecting dispatcher."""

    def _run(action: Action, tracker: Tracker) -> Outcome:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, domain))
        return Outcome(events=events, messages=dispatcher.messages)

    return _run
