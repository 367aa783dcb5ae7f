"""``POST /api/ask`` through the real app, the real index and the real model."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(engine: object) -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def test_full_time_question_cites_the_part_time_section(client: TestClient) -> None:
    response = client.post(
        "/api/ask", json={"question": "Combien de jours de télétravail à temps plein ?"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["abstained"] is False
    first = body["sources"][0]
    assert first["doc_id"] == "maa-instruction-2019-781"
    assert "La quotité de télétravail" in first["section"]
    assert set(first) == {"doc_id", "title", "section", "date", "excerpt", "score"}
    assert first["date"] == "2019-11-21"
    assert "trois jours" in body["answer"]


def test_answer_is_made_of_the_texts_own_sentences(client: TestClient) -> None:
    from knowledge.corpus import get_document
    from knowledge.sentences import clean_markup

    body = client.post("/api/ask", json={"question": "qui fournit l'ordinateur portable ?"}).json()
    assert not body["abstained"]
    cited = {source["doc_id"] for source in body["sources"]}
    body_lines = [line for doc in cited for line in get_document(doc).body.splitlines()]
    # List markers removed on every line: an answer may quote list items (ending in « ; »),
    # shown as « - » bullets on lines of their own.
    source_text = " ".join(clean_markup(line) for line in body_lines if line.strip())
    pieces = [
        piece
        for line in body["answer"].splitlines()
        for piece in re.split(r"(?<=[.;!?:])\s+", clean_markup(line))
        if piece
    ]
    # A list without its introduction is introduced by its section's title (« Décisions
    # COSINUM proposées : »): a heading of the text, followed by a colon.
    assert pieces and all(piece.removesuffix(" :") in source_text for piece in pieces)
    assert "portable" in body["answer"]


def test_question_outside_the_texts_abstains_and_points_to_a_person(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "Quel temps fera-t-il demain à Lyon ?"}).json()
    assert body["abstained"] is True
    assert "référent" in body["answer"]


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_a_french_422(client: TestClient, question: str) -> None:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 422
    assert "vide" in response.json()["detail"]


def test_too_long_question_is_refused_without_echoing_it(client: TestClient) -> None:
    question = "télétravail " * 200
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "2000" in detail.replace(" ", "").replace("\u202f", "")
    assert "télétravail télétravail" not in detail


def test_body_over_64_kib_is_refused_before_parsing(client: TestClient) -> None:
    response = client.post(
        "/api/ask",
        content=b'{"question": "' + b"a" * 70_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "volumineuse" in response.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [b"not json", b'{"question": 12}', b"[]", b'{"autre": "x"}', b'{"question": "\\ud800"}'],
)
def test_malformed_bodies_are_422_in_french(client: TestClient, payload: bytes) -> None:
    response = client.post(
        "/api/ask", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["detail"].startswith("Requête invalide")


@pytest.mark.parametrize(
    "question",
    [
        "🏠💻❓",
        "<script>alert(1)</script> télétravail",
        "'; DROP TABLE agents; --",
        "\x00\x01 jours ?",
        "دورکاری چند روز",
        "a" * 2000,
    ],
)
def test_odd_questions_get_an_answer_or_an_abstention(client: TestClient, question: str) -> None:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["abstained"], bool) and body["answer"]


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200  # the API is up, whatever its dependencies say
    assert health.json()["status"] in {"ok", "degraded"}
    assert set(health.json()["dependencies"]) == {"rasa", "actions", "database"}
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]
