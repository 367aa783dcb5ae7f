"""The Rasa tracker store forgets a conversation after its retention (run in ``.venv-rasa``)."""

from __future__ import annotations

import pytest

from tests.bot.rasa_env import run_in_rasa_env

pytestmark = pytest.mark.integration

SCRIPT = r"""
import asyncio, json
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

now = [1000.0]
domain = Domain.load("bot/domain.yml")
config = read_endpoint_config("bot/endpoints.yml", "tracker_store")
store = TrackerStore.create(config, domain)
inner = getattr(store, "_tracker_store", store)
inner._clock = lambda: now[0]

async def main():
    for sender, text in (("agent-a", "je suis enceinte, puis-je teletravailler ?"),
                         ("agent-b", "combien de jours ?")):
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(UserUttered(text))
        await store.save(tracker)
    kept_before = sorted(await store.keys())
    now[0] += 59 * 60
    again = DialogueStateTracker("agent-b", domain.slots)
    again.update(UserUttered("et à 80 % ?"))
    await store.save(again)  # agent-b is still talking
    now[0] += 2 * 60  # agent-a has been quiet 61 minutes, agent-b 2 minutes
    gone = await store.retrieve("agent-a")
    full = await store.retrieve_full_tracker("agent-a")
    kept = await store.retrieve("agent-b")
    return {
        "kind": type(inner).__name__,
        "retention": inner.retention_seconds,
        "before": kept_before,
        "after": sorted(await store.keys()),
        "gone": gone is None and full is None,
        "kept_text": kept.latest_message.text if kept else None,
        "raw": sorted(inner.store),
    }

print(json.dumps(asyncio.run(main())))
"""


def test_configured_store_forgets_a_quiet_conversation_and_keeps_an_active_one() -> None:
    result = run_in_rasa_env(SCRIPT)
    assert result["kind"] == "ExpiringInMemoryTrackerStore"
    assert result["retention"] == 3600
    assert result["before"] == ["agent-a", "agent-b"]
    assert result["gone"] is True
    assert result["after"] == ["agent-b"] and result["raw"] == ["agent-b"]
    assert result["kept_text"] == "et à 80 % ?"
