"""One payload model (``knowledge.payload.BotPayload``) for what the actions send and who reads it.

The messages come from the real actions (with the fake engine of the answer tests); each
``custom`` is read back by the model and must round-trip to the same JSON; then the three
readers — the API (questions for the référents), the Tchap formatter and the web page's
``readPayload`` (run by Node on the function's own text) — must read the same thing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker

from actions.common import sources_payload
from actions.questions import ActionAnswerQuestion
from api.routes.feedback import unanswered_kind
from drafts.service import document_urls
from knowledge.models import Source
from knowledge.payload import BotPayload, message_payloads
from tchap.formatting import render
from tests.actions.helpers import Outcome, make_tracker
from tests.actions.test_answer_actions import FakeEngine, use_engine

Run = Callable[[Action, Tracker], Outcome]
pytestmark = pytest.mark.unit
QUESTION_INTENT = "ask_equipment"  # the intent of the ``question`` fixture
CHAT_JS = Path(__file__).resolve().parents[2] / "web" / "static" / "chat.js"
RULE_SOURCE = Source(
    doc_id="maa-instruction-2019-781",
    title="Instruction",
    section="Quotité",
    date="2019-11-21",
    excerpt="Trois jours au plus.",
)


def replies(run: Run, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict[str, Any]]]:
    """The messages of an answer, an abstention and a misunderstood message, as sent."""
    outcomes = {}
    for name, engine, fixture in [
        ("answer", FakeEngine(), "question"),
        ("abstention", FakeEngine(abstain=True), "question"),
        ("fallback", FakeEngine(abstain=True), "fallback"),
    ]:
        use_engine(monkeypatch, engine)
        outcomes[name] = run(ActionAnswerQuestion(), make_tracker(fixture)).messages
    draft_id = uuid.UUID("3f2b6c1e-8d4a-4b7e-9c1f-2a5d6e7f8a9b")
    outcomes["documents"] = [
        {"custom": BotPayload(documents=document_urls(draft_id, ["annexe-1"])).to_custom()}
    ]
    outcomes["rule"] = [{"text": "Source : Instruction.", "custom": sources_payload([RULE_SOURCE])}]
    return outcomes


def test_every_payload_sent_round_trips(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = replies(run, monkeypatch)
    customs = [m["custom"] for messages in sent.values() for m in messages if m.get("custom")]
    assert len(customs) >= 5
    for custom in customs:
        assert BotPayload.read(custom).to_custom() == custom
    # The shape the page and the tests have always seen.
    # The markers carry the intent of the message they answer (recorded by the API).
    assert [m["custom"] for m in sent["abstention"] if m.get("custom")] == [
        {"abstained": True, "intent": QUESTION_INTENT}
    ]
    assert [m["custom"] for m in sent["fallback"] if m.get("custom")] == [
        {"abstained": True, "fallback": True, "intent": "nlu_fallback"}
    ]
    [rule] = sent["rule"][0]["custom"]["sources"]
    assert rule["score"] is None and set(rule) == set(Source.model_fields)


def test_foreign_or_broken_payloads_read_as_empty() -> None:
    for custom in [None, "texte", [1], {"sources": "x"}, {"documents": [1]}, {"autre": 1}]:
        assert BotPayload.read(custom) == BotPayload()
    assert BotPayload().to_custom() == {}
    # A foreign intent never voids the markers beside it (the page reads it the same way).
    assert BotPayload.read({"abstained": True, "intent": 5}) == BotPayload(abstained=True)
    assert BotPayload.read({"intent": "x" * 80}).intent == "x" * 64
    assert unanswered_kind([{"custom": {"abstained": "oui"}}, {"text": "x"}]) is None


def js_read_payload(messages: list[object]) -> list[dict[str, Any]]:
    """Run chat.js's own ``readPayload`` on each message with Node."""
    source = CHAT_JS.read_text(encoding="utf-8")
    match = re.search(r"\n  function readPayload\(message\) \{\n.*?\n  \}\n", source, re.DOTALL)
    assert match, "readPayload is no longer in web/static/chat.js"
    script = (
        f"{match.group(0)}\n"
        f"const messages = {json.dumps(messages)};\n"
        "process.stdout.write(JSON.stringify(messages.map(readPayload)));\n"
    )
    node = shutil.which("node")
    assert node, "Node is needed (it serves the page's tests too)"
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    read: list[dict[str, Any]] = json.loads(done.stdout)
    return read


def test_the_readers_agree(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = replies(run, monkeypatch)
    kinds = {name: unanswered_kind(messages) for name, messages in sent.items()}
    assert kinds == {
        "answer": None,
        "abstention": "abstention",
        "fallback": "fallback",
        "documents": None,
        "rule": None,
    }
    assert "annexe-1 — DOCX : " in render(sent["documents"]).body

    everything: list[object] = [m for messages in sent.values() for m in messages]
    everything += [{"custom": "texte"}, {"custom": [1]}, None, {"text": "sans charge"}]
    everything += [{"custom": {"abstained": True, "intent": 5}}, {"custom": {"intent": "x" * 80}}]
    python = [p.model_dump(mode="json") for p in message_payloads(everything)]
    page = js_read_payload(everything)
    assert [{**p, "sources": len(p["sources"])} for p in page] == [
        {**p, "sources": len(p["sources"])} for p in python
    ]
    assert [[s["doc_id"] for s in p["sources"]] for p in page] == [
        [s["doc_id"] for s in p["sources"]] for p in python
    ]
