"""``POST /api/chat`` when the assistant is down, and its input checks (no Rasa needed)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import DEAD_URL, ApiFactory

pytestmark = pytest.mark.unit


@pytest.fixture
def client(api: ApiFactory) -> TestClient:
    return api(DEAD_URL)


def test_unreachable_assistant_is_a_french_503(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender": "abc", "message": "bonjour"})
    assert response.status_code == 503
    assert "ne répond pas" in response.json()["detail"]
    assert "bonjour" not in response.text


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"sender": "abc", "message": "   "}, "vide"),
        ({"sender": "a b", "message": "x"}, "conversation"),
        ({"sender": "abc"}, "manquant"),
        ({"sender": "abc", "message": "é" * 2001}, "2000"),
    ],
)
def test_bad_messages_are_refused(
    client: TestClient, payload: dict[str, str], expected: str
) -> None:
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 422
    assert expected in response.json()["detail"].replace("\u202f", "").replace(" 000", "000")
