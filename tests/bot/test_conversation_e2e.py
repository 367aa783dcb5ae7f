"""The real assistant: Rasa 3.6 + rasa-sdk actions + API, as processes, through REST.

This is also the check that the rasa-sdk version of ``.venv`` speaks to Rasa 3.6: every
custom action below runs through Rasa's action endpoint.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cli.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


def say(stack: LocalStack, text: str, sender: str | None = None) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender or uuid.uuid4().hex, "message": text},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()
    return messages


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_action_server_lists_the_domain_actions(stack: LocalStack) -> None:
    actions = {a["name"] for a in httpx.get(f"{stack.actions_url}/actions", timeout=10).json()}
    assert {"action_answer_question", "action_quota", "validate_quota_form"} <= actions


def test_greeting_offers_quick_replies(stack: LocalStack) -> None:
    messages = say(stack, "bonjour")
    assert "assistant télétravail" in texts(messages)
    assert any(m.get("buttons") for m in messages)


def payloads(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def sources_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for m in messages for s in (m.get("custom") or {}).get("sources", [])]


def test_quota_question_with_quotite_is_computed_with_its_source(stack: LocalStack) -> None:
    answer = texts(say(stack, "combien de jours de teletravail a 80 % ?"))
    assert "2 jours" in answer and "8 jours" in answer
    assert "Source" in answer


def test_quota_question_is_answered_then_the_calculator_offered(stack: LocalStack) -> None:
    sender = uuid.uuid4().hex
    first = say(stack, "combien de jours de télétravail on peut faire en général ?", sender)
    assert "quotité ?" not in texts(first)  # answered, not trapped in the form
    assert sources_of(first) or any((m.get("custom") or {}).get("abstained") for m in first)
    assert "/start_quota" in payloads(first)
    asked = say(stack, "/start_quota", sender)
    assert "quotité" in texts(asked).lower()
    assert any("/inform" in p for p in payloads(asked))
    second = texts(say(stack, "temps plein", sender))
    assert "3 jours" in second and "12 jours" in second


def test_request_for_ones_own_computation_starts_the_form(stack: LocalStack) -> None:
    sender = uuid.uuid4().hex
    assert "quotité" in texts(say(stack, "calcule mes jours de télétravail", sender)).lower()
    assert "2 jours" in texts(say(stack, "80%", sender))


def test_question_about_the_simulator_is_answered_not_simulated(stack: LocalStack) -> None:
    messages = say(stack, "à quoi sert le simulateur du plan national de télétravail ?")
    assert "distance" not in texts(messages).lower()
    assert "/start_impact" in payloads(messages)


def test_simulation_asked_for_starts_the_simulator(stack: LocalStack) -> None:
    assert "distance" in texts(say(stack, "simule mes économies de trajet")).lower()


def test_factual_question_about_a_manager_is_not_manager_mode(stack: LocalStack) -> None:
    messages = say(stack, "mon chef peut-il refuser ma demande de télétravail sans motif ?")
    assert "Mode manager" not in texts(messages)
    guide = say(stack, "guide du manager")
    assert "Mode manager" in texts(guide)


def test_out_of_scope_shares_the_decision_of_the_api(stack: LocalStack) -> None:
    question = "il fera beau à Nantes samedi ?"
    api = httpx.post(f"{stack.api_url}/api/ask", json={"question": question}, timeout=60)
    chat = say(stack, question)
    abstained = any((m.get("custom") or {}).get("abstained") for m in chat)
    assert abstained is api.json()["abstained"]
    if abstained:
        assert api.json()["answer"] in texts(chat)


def test_form_interrupted_by_a_question_then_resumed(stack: LocalStack) -> None:
    sender = uuid.uuid4().hex
    say(stack, "/start_quota", sender)
    interruption = say(
        stack, "est-ce que l'administration fournit un ordinateur portable ?", sender
    )
    assert sources_of(interruption)
    assert "quotité" in texts(interruption).lower()  # the form asks again
    assert "2 jours" in texts(say(stack, "80%", sender))


def test_retrieval_answer_carries_sources_as_text_and_payload(stack: LocalStack) -> None:
    messages = say(stack, "faut il un detecteur de fumee chez moi pour teletravailler ?")
    sources = sources_of(messages)
    assert sources and sources[0]["doc_id"] == "maa-instruction-2019-781"
    assert set(sources[0]) >= {"doc_id", "title", "section", "date", "excerpt", "score"}
    # Every cited passage has its « Source : » line, not only the first.
    for source in sources:
        assert f"Source : {source['title']}" in texts(messages)


def test_notice_with_event_and_date_is_computed(stack: LocalStack) -> None:
    # Intent and entities given as a payload: this checks the computation path through
    # Rasa and the action server; NLU quality is measured by ``make bench-rasa``.
    message = '/ask_changes{"notice_event": "end", "date": "15/01/2027"}'
    answer = texts(say(stack, message))
    assert "15 mars 2027" in answer


def test_computed_answers_quote_the_rule_they_apply(stack: LocalStack) -> None:
    answer = texts(say(stack, "combien de jours de teletravail a 60 % ?"))
    assert "Ce que dit le texte (tableau de l'instruction)" in answer
    assert "| 60 % | 3 | 1 | 4 |" in answer
    notice = texts(say(stack, '/ask_changes{"notice_event": "end", "date": "15/01/2027"}'))
    assert "Ce que dit le texte : « " in notice and "deux mois" in notice


def test_a_goodbye_with_a_date_computes_the_notice_just_explained(stack: LocalStack) -> None:
    sender = uuid.uuid4().hex
    rule = texts(say(stack, "je veux échanger un jour de tt, quel délai ?", sender))
    assert "48 h" in rule
    answer = texts(say(stack, "ok je previens demain alors", sender))
    assert "Date d'effet au plus tôt" in answer
    assert "Au revoir" not in answer
    assert "Au revoir" in texts(say(stack, "merci, au revoir", sender))


def test_a_thank_you_with_a_question_is_answered_without_a_fallback(stack: LocalStack) -> None:
    """« merci ! et à 90 % ? » is answered in the turn, and its quotité kept for the next."""
    sender = uuid.uuid4().hex
    assert "2 jours" in texts(say(stack, "a 80% j'ai droit a combien de jours de tt ?", sender))
    ninety = texts(say(stack, "merci ! et a 90 % ?", sender))
    assert "À 90 % : 2,5 jours" in ninety
    assert "pas sûr de pouvoir vous aider" not in ninety
    monthly = texts(say(stack, "ca fait bien 10 jours par mois ?", sender))
    assert "À 90 %" in monthly and "10 jours par mois" in monthly


@pytest.mark.parametrize(
    "message",
    ["", "a" * 10_000, "😀😀😀", "<script>alert(1)</script>", "What is the weather in London?"],
)
def test_bad_input_gets_an_answer_and_nothing_crashes(stack: LocalStack, message: str) -> None:
    messages = say(stack, message)
    assert isinstance(messages, list)
    assert stack.is_alive("actions") and stack.is_alive("rasa")
    assert all("Traceback" not in (m.get("text") or "") for m in messages)


def test_api_relays_the_conversation(stack: LocalStack) -> None:
    response = httpx.post(
        f"{stack.api_url}/api/chat",
        json={"sender": "test-" + uuid.uuid4().hex[:8], "message": "tu es un robot ?"},
        timeout=60,
    )
    assert response.status_code == 200
    assert "assistant automatique" in texts(response.json())


def test_api_refuses_bad_chat_input_in_french(stack: LocalStack) -> None:
    bad_sender = httpx.post(
        f"{stack.api_url}/api/chat", json={"sender": "../etc", "message": "x"}, timeout=10
    )
    assert bad_sender.status_code == 422 and "conversation" in bad_sender.json()["detail"]
    too_long = httpx.post(
        f"{stack.api_url}/api/chat", json={"sender": "abc", "message": "x" * 2001}, timeout=10
    )
    assert too_long.status_code == 422 and "2000" in too_long.json()["detail"]
