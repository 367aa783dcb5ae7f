"""``GET /metrics``: requests by route template, reply outcomes, Rasa failures, no personal data.

The chat goes to the stub Rasa of ``helpers`` (a named fake that answers what each test
sets), ``/api/ask`` to the real engine. The counters live in the process's registry and other
tests add to them, so each assertion is on the difference between two scrapes.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import classify_chat_reply
from tests.api.helpers import ApiFactory, Reply, StubRasa

WEBHOOK = "/webhooks/rest/webhook"
# Unique strings that must never reach a label: they stand for a message and a sender id.
SENTINEL = "zqxsentinelmessage731"
SENDER = "zqxsentinelsender842"
SOURCE = {
    "doc_id": "maa-instruction-2019-781",
    "title": "Instruction",
    "section": "La quotité",
    "date": "2019-11-21",
    "excerpt": "Trois jours au plus.",
    "score": None,
}
ANSWERED = [{"text": "Trois jours par semaine au plus.", "custom": {"sources": [SOURCE]}}]
FALLBACK = [{"text": "Je n'ai pas compris.", "custom": {"abstained": True, "fallback": True}}]
ABSTAINED = [{"text": "Aucun texte ne répond.", "custom": {"abstained": True}}]
HANDOFF = [{"text": "C'est transmis : demande n° 3.", "custom": {"handoff": {"ticket": 3}}}]
FORM = [{"text": "Quelle est votre quotité ?", "buttons": [{"title": "80 %", "payload": "80"}]}]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> tuple[str, Samples]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("messages", "outcome"),
    [
        (ANSWERED, "answered"),
        (FALLBACK, "fallback"),
        (ABSTAINED + ANSWERED, "abstained"),
        (HANDOFF, "handoff"),
        (FORM, "form"),
        ([{"text": "Bonjour", "custom": "pas le nôtre"}], "form"),
    ],
)
def test_chat_replies_are_classified_from_their_payloads(
    messages: list[dict[str, Any]], outcome: str
) -> None:
    assert classify_chat_reply(messages) == outcome


@pytest.mark.integration
def test_metrics_count_routes_outcomes_and_failures_without_personal_data(
    api: ApiFactory, stub_rasa: StubRasa, engine: object
) -> None:
    client = api(stub_rasa.url)
    _, before = scrape(client)

    assert client.get("/healthz").status_code == 200
    for reply in (ANSWERED, FALLBACK, HANDOFF, FORM):
        stub_rasa.replies[WEBHOOK] = Reply(body=reply)
        response = client.post("/api/chat", json={"sender": SENDER, "message": SENTINEL})
        assert response.status_code == 200
    stub_rasa.replies[WEBHOOK] = Reply(body=[])  # the action server is down
    assert client.post("/api/chat", json={"sender": SENDER, "message": SENTINEL}).status_code == 503
    question = f"Quel temps fera-t-il demain à Lyon ? {SENTINEL}"
    assert client.post("/api/ask", json={"question": question}).json()["abstained"] is True
    answered = client.post("/api/ask", json={"question": "Combien de jours à temps plein ?"})
    assert answered.json()["abstained"] is False
    assert client.get(f"/api/drafts/{SENTINEL}").status_code == 404
    assert client.get(f"/{SENTINEL}").status_code == 404

    text, after = scrape(client)
    requests = "teletravail_http_requests_total"
    assert delta(before, after, requests, method="GET", route="/healthz", status="200") == 1
    assert delta(before, after, requests, method="POST", route="/api/chat", status="200") == 4
    assert delta(before, after, requests, method="POST", route="/api/chat", status="503") == 1
    assert delta(before, after, requests, method="POST", route="/api/ask", status="200") == 2
    drafts = {"method": "GET", "route": "/api/drafts/{draft_id}", "status": "404"}
    assert delta(before, after, requests, **drafts) == 1
    assert delta(before, after, requests, method="GET", route="autre", status="404") == 1
    chat_latency = {"method": "POST", "route": "/api/chat", "status_class": "2xx"}
    latency = "teletravail_http_request_duration_seconds"
    assert delta(before, after, f"{latency}_count", **chat_latency) == 4
    assert delta(before, after, f"{latency}_bucket", le="10.0", **chat_latency) == 4

    replies = "teletravail_replies_total"
    for outcome in ("answered", "fallback", "handoff", "form", "error"):
        assert delta(before, after, replies, channel="chat", outcome=outcome) == 1, outcome
    assert delta(before, after, replies, channel="chat", outcome="abstained") == 0
    assert delta(before, after, replies, channel="ask", outcome="abstained") == 1
    assert delta(before, after, replies, channel="ask", outcome="answered") == 1
    failures = "teletravail_rasa_failures_total"
    assert delta(before, after, failures, kind="empty_reply") == 1
    assert (failures, frozenset({("kind", "timeout")})) in after  # defined before any failure

    assert SENTINEL not in text
    assert SENDER not in text
    assert "Lyon" not in text
