"""The Rasa tracker store keeps conversations on disk and deletes them after the retention.

Run in ``.venv-rasa`` against a real SQLite file: the store configured in
``bot/endpoints.yml``, pointed at a temporary database by ``TELETRAVAIL_TRACKER_DB_URL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bot.rasa_env import run_in_rasa_env

pytestmark = pytest.mark.integration

PRELUDE = r"""
import asyncio, json, os, sys, time
os.environ["TELETRAVAIL_TRACKER_DB_URL"] = sys.argv[1]
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

domain = Domain.load("bot/domain.yml")

def open_store(**overrides):
    config = read_endpoint_config("bot/endpoints.yml", "tracker_store")
    config.kwargs.update({"purge_interval_seconds": 0, **overrides})
    store = TrackerStore.create(config, domain)
    return store, getattr(store, "_tracker_store", store)

def conversation(sender, text, age_s):
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered(text, timestamp=time.time() - age_s))
    return tracker
"""

RETENTION = (
    PRELUDE
    + r"""
async def main():
    store, inner = open_store()
    await store.save(conversation("agent-a", "je suis enceinte, puis-je teletravailler ?", 61 * 60))
    await store.save(conversation("agent-b", "combien de jours ?", 59 * 60))
    # Between two purges, a retrieve already refuses (and deletes) the expired conversation.
    gone = await store.retrieve("agent-a") is None
    with inner.session_scope() as session:
        rows_a = session.query(inner.SQLEvent).filter_by(sender_id="agent-a").count()
    await store.save(conversation("agent-c", "et a 80 % ?", 90 * 60))
    purged = inner.purge_expired()
    return {
        "kind": type(inner).__name__,
        "retention": inner.retention_seconds,
        "url": str(inner.engine.url),
        "gone": gone and await store.retrieve_full_tracker("agent-a") is None,
        "rows_a": rows_a,
        "purged": purged,
        "after": sorted(await store.keys()),
        "kept_text": (await store.retrieve("agent-b")).latest_message.text,
    }

print(json.dumps(asyncio.run(main())))
"""
)

DURABLE = (
    PRELUDE
    + r"""
async def main():
    store, inner = open_store()
    if sys.argv[2] == "write":
        tracker = conversation("agent-f", "calcule mes jours", 0)
        tracker.update(SlotSet("quotite", 80))
        await store.save(tracker)
        return {"saved": True}
    tracker = await store.retrieve("agent-f")
    return {"slot": tracker.get_slot("quotite"), "text": tracker.latest_message.text}

print(json.dumps(asyncio.run(main())))
"""
)

PERIODIC = (
    PRELUDE
    + r"""
async def main():
    store, inner = open_store(purge_interval_seconds=0.2)
    await store.save(conversation("agent-old", "bonjour", 2 * 3600))
    await store.save(conversation("agent-new", "bonjour", 10))
    await asyncio.sleep(1.0)  # no message meanwhile: the purge thread runs by itself
    with inner.session_scope() as session:
        left = sorted({row[0] for row in session.query(inner.SQLEvent.sender_id)})
    inner.close()
    return {"left": left}

print(json.dumps(asyncio.run(main())))
"""
)


def _run(script: str, tmp_path: Path, *args: str) -> Any:
    """Run ``script`` in ``.venv-rasa`` with the tracker database in ``tmp_path``."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    return run_in_rasa_env(f"import sys; sys.argv[1:] = {[url, *args]!r}\n" + script)


def test_purge_deletes_an_expired_conversation_and_keeps_a_live_one(tmp_path: Path) -> None:
    result = _run(RETENTION, tmp_path)
    assert result["kind"] == "RetainedSQLTrackerStore"
    assert result["retention"] == 3600
    assert result["url"] == f"sqlite:///{tmp_path / 'conversations.db'}"
    assert result["gone"] is True and result["rows_a"] == 0
    assert result["purged"] == 1  # agent-c, quiet for 90 minutes
    assert result["after"] == ["agent-b"]
    assert result["kept_text"] == "combien de jours ?"


def test_conversation_and_slots_survive_a_new_process(tmp_path: Path) -> None:
    _run(DURABLE, tmp_path, "write")
    result = _run(DURABLE, tmp_path, "read")
    assert result == {"slot": 80, "text": "calcule mes jours"}


def test_periodic_purge_runs_without_traffic(tmp_path: Path) -> None:
    result = _run(PERIODIC, tmp_path)
    assert result["left"] == ["agent-new"]
