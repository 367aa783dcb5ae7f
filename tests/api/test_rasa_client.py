"""The Rasa client and what the API makes of a down or silent Rasa (issue 14).

Rasa down is a port where nothing listens; Rasa that answers ``[]`` (what its REST channel
does when the action server is down), an error status or too slowly is ``StubRasa``, a tiny
real HTTP server (tests/api/helpers.py). The real stack is in test_rasa_stack.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from api.rasa_client import RasaClient, RasaUnavailable
from api.routes.chat import UNAVAILABLE_MESSAGE
from tests.api.helpers import DEAD_URL, ApiFactory, Reply, StubRasa

pytestmark = pytest.mark.unit
T = TypeVar("T")
WEBHOOK = "/webhooks/rest/webhook"
SECRET_TEXT = "ma situation médicale confidentielle"
GREETING = [{"recipient_id": "c1", "text": "Bonjour !", "buttons": [{"title": "Aide"}]}]


def with_client(url: str, call: Callable[[RasaClient], Awaitable[T]], **options: Any) -> T:
    """Run one call on a fresh client (its own event loop), then close it."""

    async def scenario() -> T:
        rasa = RasaClient(url, **options)
        try:
            return await call(rasa)
        finally:
            await rasa.aclose()

    return asyncio.run(scenario())


def failure_of(url: str, **options: Any) -> str:
    with pytest.raises(RasaUnavailable) as caught:
        with_client(url, lambda rasa: rasa.send("c1", "bonjour"), **options)
    return caught.value.kind


def test_reply_is_returned_as_rasa_sent_it(stub_rasa: StubRasa) -> None:
    stub_rasa.replies[WEBHOOK] = Reply(body=[*GREETING, "not a message"])
    assert with_client(stub_rasa.url, lambda rasa: rasa.send("c1", "bonjour")) == GREETING
    [seen] = stub_rasa.seen
    assert seen.body == {"sender": "c1", "message": "bonjour"}


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(body=[]), "réponse vide"),
        (Reply(body=["not a message"]), "réponse vide"),
        (Reply(status=500, body={"error": "boom"}), "erreur"),
        (Reply(body={"not": "a list"}), "réponse invalide"),
        (Reply(body=b"<html>"), "réponse invalide"),
    ],
)
def test_silent_or_failing_rasa_is_a_failure(stub_rasa: StubRasa, reply: Reply, kind: str) -> None:
    stub_rasa.replies[WEBHOOK] = reply
    assert failure_of(stub_rasa.url) == kind


def test_down_and_slow_rasa_are_failures(stub_rasa: StubRasa) -> None:
    assert failure_of(DEAD_URL) == "injoignable"
    stub_rasa.replies[WEBHOOK] = Reply(body=GREETING, delay_s=1.0)
    assert failure_of(stub_rasa.url, timeout_seconds=0.2) == "délai dépassé"


def test_token_goes_to_the_http_api_only(stub_rasa: StubRasa) -> None:
    stub_rasa.replies[WEBHOOK] = Reply(body=GREETING)
    stub_rasa.replies["/conversations/c1/tracker"] = Reply(body={"sender_id": "c1"})

    async def calls(rasa: RasaClient) -> None:
        await rasa.send("c1", "bonjour")
        assert await rasa.tracker("c1") == {"sender_id": "c1"}
        assert (await rasa.probe_rasa()).status == "down"  # /status: not served by the stub

    with_client(stub_rasa.url, calls, auth_token="s3cret")
    assert [(s.path, s.query) for s in stub_rasa.seen] == [
        (WEBHOOK, {}),
        ("/conversations/c1/tracker", {"token": ["s3cret"]}),
        ("/status", {"token": ["s3cret"]}),
    ]


def test_unreadable_tracker_is_none() -> None:
    assert with_client(DEAD_URL, lambda rasa: rasa.tracker("c1")) is None


# -- POST /api/chat ---------------------------------------------------------------------


def test_empty_reply_is_a_french_503_logged_without_the_text(
    api: ApiFactory, stub_rasa: StubRasa, caplog: pytest.LogCaptureFixture
) -> None:
    client = api(stub_rasa.url)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/chat", json={"sender": "c1", "message": SECRET_TEXT})
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE_MESSAGE}
    assert "réessayez" in UNAVAILABLE_MESSAGE and "conservée" in UNAVAILABLE_MESSAGE
    assert "réponse vide" in caplog.text
    assert SECRET_TEXT not in caplog.text and SECRET_TEXT not in response.text


@pytest.mark.parametrize("reply", [Reply(status=502, body={}), Reply(body={"a": 1})])
def test_rasa_errors_are_the_same_503(api: ApiFactory, stub_rasa: StubRasa, reply: Reply) -> None:
    stub_rasa.replies[WEBHOOK] = reply
    response = api(stub_rasa.url).post("/api/chat", json={"sender": "c1", "message": "bonjour"})
    assert (response.status_code, response.json()) == (503, {"detail": UNAVAILABLE_MESSAGE})


def test_a_reply_is_relayed(api: ApiFactory, stub_rasa: StubRasa) -> None:
    stub_rasa.replies[WEBHOOK] = Reply(body=GREETING)
    response = api(stub_rasa.url).post("/api/chat", json={"sender": "c1", "message": "salut"})
    assert response.status_code == 200
    assert response.json() == GREETING


# -- GET /healthz -----------------------------------------------------------------------


def test_health_is_degraded_but_200_when_rasa_and_actions_are_down(api: ApiFactory) -> None:
    response = api(DEAD_URL, DEAD_URL).get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    dependencies = body["dependencies"]
    assert dependencies["rasa"]["status"] == "down"
    assert dependencies["rasa"]["detail"] == "injoignable"
    assert dependencies["actions"]["status"] == "down"
    assert dependencies["database"] == {"status": "ok", "latency_ms": pytest.approx(0, abs=2000)}


def test_health_is_ok_when_every_dependency_answers(api: ApiFactory, stub_rasa: StubRasa) -> None:
    stub_rasa.replies["/status"] = Reply(body={"model_file": "m.tar.gz"})
    stub_rasa.replies["/health"] = Reply(body={"status": "ok"})
    client = api(stub_rasa.url, stub_rasa.url, RASA_AUTH_TOKEN="jeton-rasa")
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert {name: probe["status"] for name, probe in body["dependencies"].items()} == {
        "rasa": "ok",
        "actions": "ok",
        "database": "ok",
    }
    status = next(s for s in stub_rasa.seen if s.path == "/status")
    assert status.query == {"token": ["jeton-rasa"]}


def test_slow_dependency_is_down_within_the_health_timeout(
    api: ApiFactory, stub_rasa: StubRasa
) -> None:
    stub_rasa.replies["/status"] = Reply(body={}, delay_s=2.0)
    stub_rasa.replies["/health"] = Reply(body={"status": "ok"})
    client = api(stub_rasa.url, stub_rasa.url, TELETRAVAIL_HEALTH_TIMEOUT_SECONDS="0.3")
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["dependencies"]["rasa"]["detail"] == "pas de réponse en 0,3 s"
    assert body["dependencies"]["actions"]["status"] == "ok"


def test_addresses_come_from_the_settings() -> None:
    from pydantic import ValidationError

    from api.settings import WebSettings

    assert WebSettings(actions_url=None, actions_port=17055).action_server_url == (
        "http://127.0.0.1:17055"  # the supervisor's port when no URL is given
    )
    settings = WebSettings(rasa_url="http://rasa:5005/", actions_url="http://actions:5055/")
    assert (settings.rasa_url, settings.action_server_url) == (
        "http://rasa:5005",
        "http://actions:5055",
    )
    with pytest.raises(ValidationError, match="http://"):
        WebSettings(rasa_url="rasa:5005")
