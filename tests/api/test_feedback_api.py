"""Feedback, unanswered questions and the référent page, on a real SQLite database.

Rasa is not running here (its address is a closed port): the intent look-up fails softly and
is stored as unknown; the browser tests (tests/web) cover the path through the real stack.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from pydantic import ValidationError

from api.routes.feedback import record_if_unanswered, unanswered_kind
from api.settings import DEFAULT_REFERENT_TOKEN, WebSettings, get_web_settings
from storage import feedback as store
from storage import reset_engine, session_scope

pytestmark = pytest.mark.unit
TOKEN = "jeton-de-test-assez-long"
DEAD_RASA = "http://127.0.0.1:9"
GOOD: dict[str, Any] = {
    "sender": "conv-1",
    "rating": "down",
    "reason": "source_manquante",
    "question": "Puis-je télétravailler depuis l'étranger ?",
    "answer": "Je n'ai pas trouvé de texte qui réponde à cette question.",
    "sources": [
        {
            "doc_id": "maa-instruction-2019-781",
            "title": "Instruction",
            "section": "II – Lieux",
            "date": "2019-11-21",
        }
    ],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RASA_URL", DEAD_RASA)
    monkeypatch.setenv("TELETRAVAIL_WARMUP", "0")
    monkeypatch.setenv("TELETRAVAIL_REFERENT_TOKEN", TOKEN)
    get_web_settings.cache_clear()
    yield url
    get_web_settings.cache_clear()
    reset_engine()


@pytest.fixture
def client(database: str) -> Iterator[TestClient]:
    from api.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as running:
        yield running  # the lifespan has applied the migrations


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_feedback_is_stored_with_question_answer_and_sources(client: TestClient) -> None:
    response = client.post("/api/feedback", json=GOOD)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Merci pour votre avis."
    [row] = store.feedback_rows(30)
    assert (row.rating, row.reason, row.intent) == ("down", "source_manquante", None)
    assert row.question == GOOD["question"] and row.answer == GOOD["answer"]
    assert row.sources == GOOD["sources"]
    assert "conv-1" not in str(store.as_dict(row))  # the conversation id is not kept


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"rating": "up"}, "négatif"),
        ({"reason": "hors sujet"}, "valeur non reconnue"),
        ({"rating": "bof"}, "valeur non reconnue"),
        ({"sender": "../etc"}, "conversation"),
        ({"question": "   "}, "vide"),
        ({"answer": "x" * 4001}, "trop long"),
        ({"sources": [GOOD["sources"][0]] * 11}, "10 sources"),
        ({"question": None}, "texte"),
    ],
)
def test_bad_feedback_is_refused_in_french_without_echo(
    client: TestClient, change: dict[str, Any], expected: str
) -> None:
    response = client.post("/api/feedback", json={**GOOD, **change})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert expected in detail
    assert "étranger" not in detail and "../etc" not in detail
    assert store.feedback_rows(30) == []


def test_unanswered_reply_is_recorded_and_payloads_or_answers_are_not(database: str) -> None:
    from storage import upgrade_database

    upgrade_database()
    abstention = [{"text": "Je n'ai pas trouvé."}, {"custom": {"abstained": True}}]
    fallback = [{"text": "Vouliez-vous dire… ?", "buttons": []}, {"custom": {"fallback": True}}]
    answered = [{"text": "2 jours."}, {"custom": {"sources": [{"doc_id": "x"}]}}]
    assert unanswered_kind(abstention) == "abstention"
    assert unanswered_kind(fallback) == "fallback"
    assert unanswered_kind(answered) is None

    def record(question: str, messages: list[dict[str, Any]]) -> None:
        asyncio.run(record_if_unanswered(question, messages))

    record("Et à l'étranger ?", abstention)
    record("blablabla", fallback)
    record("/ask_rights", abstention)
    record("combien à 80 % ?", answered)
    rows = store.unanswered_questions(30)
    assert [(r.kind, r.question, r.intent) for r in rows] == [
        ("fallback", "blablabla", None),
        ("abstention", "Et à l'étranger ?", None),
    ]


def test_unanswered_question_keeps_the_intent_of_its_own_reply(database: str) -> None:
    """The intent comes with the reply: a faster next message cannot change it."""
    from storage import upgrade_database

    upgrade_database()
    marked = [
        {"text": "Je n'ai pas trouvé."},
        {"custom": {"abstained": True, "intent": "ask_rights"}},
    ]
    misread = [{"custom": {"abstained": True, "fallback": True, "intent": "nlu_fallback"}}]
    asyncio.run(record_if_unanswered("Et mes congés ?", marked))
    asyncio.run(record_if_unanswered("zzz", misread))
    rows = store.unanswered_questions(30)
    assert {(r.question, r.intent) for r in rows} == {
        ("Et mes congés ?", "ask_rights"),
        ("zzz", "nlu_fallback"),
    }


def test_old_rows_are_purged(client: TestClient) -> None:
    client.post("/api/feedback", json=GOOD)
    store.record_unanswered(kind="fallback", question="vieux", intent=None, retention_days=30)
    with session_scope() as session:
        for row in session.query(store.Feedback).all():
            row.created_at = datetime.now(UTC) - timedelta(days=400)
    assert len(store.unanswered_questions(30)) == 1
    assert store.feedback_rows(180) == []  # older than the retention period: deleted


def test_referent_page_needs_the_token(client: TestClient) -> None:
    client.post("/api/feedback", json=GOOD)
    anonymous = client.get("/referent")
    assert anonymous.status_code == 401
    assert "Jeton d'accès" in anonymous.text and "étranger" not in anonymous.text
    assert client.get("/referent", headers=bearer("mauvais-jeton")).status_code == 401
    assert client.get("/referent/export/avis.csv").status_code == 401
    page = client.get("/referent", headers=bearer())
    assert page.status_code == 200
    assert str(escape(GOOD["question"])) in page.text
    assert "source manquante : 1" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_login_form_opens_a_session_and_logout_closes_it(client: TestClient) -> None:
    wrong = client.post("/referent/connexion", data={"jeton": "non"}, follow_redirects=False)
    assert wrong.status_code == 401 and "incorrect" in wrong.text
    right = client.post("/referent/connexion", data={"jeton": TOKEN}, follow_redirects=False)
    assert right.status_code == 303
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
    assert client.get("/referent").status_code == 200
    client.post("/referent/deconnexion")
    assert client.get("/referent").status_code == 401


def test_wrong_tokens_are_throttled_then_the_right_one_still_waits(client: TestClient) -> None:
    for _ in range(5):
        wrong = client.post("/referent/connexion", data={"jeton": "essai"})
        assert wrong.status_code == 401
    blocked = client.post("/referent/connexion", data={"jeton": TOKEN}, follow_redirects=False)
    assert blocked.status_code == 429
    assert "Trop de jetons incorrects" in blocked.text and "minutes" in blocked.text
    assert "set-cookie" not in blocked.headers
    assert client.get("/referent", headers=bearer()).status_code == 200  # scripts unaffected


def test_a_successful_login_forgets_earlier_mistakes(client: TestClient) -> None:
    for _ in range(4):
        client.post("/referent/connexion", data={"jeton": "essai"})
    right = client.post("/referent/connexion", data={"jeton": TOKEN}, follow_redirects=False)
    assert right.status_code == 303
    for _ in range(4):
        assert client.post("/referent/connexion", data={"jeton": "x"}).status_code == 401


def test_referent_page_escapes_what_agents_typed(client: TestClient) -> None:
    client.post("/api/feedback", json={**GOOD, "question": "<script>alert(1)</script>"})
    page = client.get("/referent", headers=bearer())
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_csv_exports(client: TestClient) -> None:
    client.post("/api/feedback", json={**GOOD, "question": '=HYPERLINK("http://x")'})
    store.record_unanswered(
        kind="abstention", question="Et le samedi ?", intent="ask_rights", retention_days=30
    )
    feedback = client.get("/referent/export/avis.csv", headers=bearer())
    assert feedback.status_code == 200 and feedback.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(feedback.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["date", "avis", "raison", "intention", "question", "reponse", "sources"]
    assert rows[1][1:3] == ["pas utile", "source_manquante"]
    assert rows[1][4].startswith("'=")  # a spreadsheet shows it, does not run it
    assert rows[1][6] == "maa-instruction-2019-781 § II – Lieux"
    unanswered = client.get("/referent/export/questions-sans-reponse.csv", headers=bearer())
    rows = list(csv.reader(io.StringIO(unanswered.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][1:] == ["abstention", "ask_rights", "Et le samedi ?"]


def test_summaries_by_source_and_intent() -> None:
    def row(rating: str, reason: str | None, intent: str | None, sections: list[str]) -> Any:
        sources = [{"doc_id": "d", "title": "T", "section": s, "date": ""} for s in sections]
        return store.Feedback(
            rating=rating,
            reason=reason,
            intent=intent,
            question="q",
            answer="a",
            sources=sources,
            created_at=datetime.now(UTC),
        )

    rows = [
        row("down", "incorrect", "ask_quota", ["A", "A", "B"]),
        row("up", None, "ask_quota", ["A"]),
        row("down", None, None, []),
    ]
    sources = {t.label: (t.up, t.down, t.reasons) for t in store.by_source(rows)}
    assert sources == {
        "T — A": (1, 1, {"incorrect": 1}),
        "T — B": (0, 1, {"incorrect": 1}),
        "(aucune source citée)": (0, 1, {}),
    }
    intents = {t.label: (t.up, t.down) for t in store.by_intent(rows)}
    assert intents == {"ask_quota": (1, 1), store.UNKNOWN_INTENT: (0, 1)}


def test_default_token_is_refused_outside_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    assert WebSettings(env="dev").referent_token.get_secret_value() == DEFAULT_REFERENT_TOKEN
    with pytest.raises(ValidationError, match="valeur par défaut"):
        WebSettings(env="production")
    with pytest.raises(ValidationError, match="trop court"):
        WebSettings(env="production", referent_token="court")
    assert WebSettings(env="production", referent_token=TOKEN).env == "production"
    monkeypatch.setenv("TELETRAVAIL_ENV", "production")
    monkeypatch.delenv("TELETRAVAIL_REFERENT_TOKEN", raising=False)
    get_web_settings.cache_clear()
    from api.main import create_app

    try:
        with pytest.raises(ValidationError):
            create_app()
    finally:
        get_web_settings.cache_clear()
