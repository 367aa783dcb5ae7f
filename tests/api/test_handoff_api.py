"""``GET /api/chat/{sender}/referent-replies``: a référent's answer reaches the web chat once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from knowledge.chunking import chunk_document
from knowledge.corpus import load_document
from storage import tickets
from tests.api.helpers import DEAD_URL, ApiFactory

pytestmark = pytest.mark.unit
URL = "/api/chat/{}/referent-replies"


def test_answer_is_returned_once_to_its_conversation_only(api: ApiFactory) -> None:
    client = api(DEAD_URL)
    web = tickets.create_ticket(
        conversation_id="tab-1", question="q ?", turns=[], intent=None, sources=[]
    )
    tchap = tickets.create_ticket(
        conversation_id="tchap-" + "a" * 40, question="q ?", turns=[], intent=None, sources=[]
    )
    tickets.add_reply(web, "$a", "Voici la réponse.")
    tickets.add_reply(tchap, "$b", "Pour Tchap.")
    assert client.get(URL.format("tab-2")).json() == {"replies": []}
    [reply] = client.get(URL.format("tab-1")).json()["replies"]
    assert (reply["ticket"], reply["text"]) == (web, "Voici la réponse.")
    assert reply["label"] == "Réponse du référent télétravail"
    assert client.get(URL.format("tab-1")).json() == {"replies": []}
    # The Tchap bot's deliveries are never taken by a page.
    assert client.get(URL.format("tchap-" + "a" * 40)).json() == {"replies": []}
    assert [d.text for d in tickets.undelivered("tchap")] == ["Pour Tchap."]


def test_bad_sender_is_refused_in_french(api: ApiFactory) -> None:
    client = api(DEAD_URL)
    response = client.get(URL.format("a.b"))
    assert response.status_code == 422
    assert "identifiant de conversation invalide" in response.text
    assert client.get(URL.format("x" * 65)).status_code == 422


def test_referent_page_lists_tickets_and_publishes_an_answer(
    api: ApiFactory, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    token = "jeton-de-test-assez-long"
    client = api(DEAD_URL, TELETRAVAIL_REFERENT_TOKEN=token, TELETRAVAIL_SOURCES_DIR=str(sources))
    bearer = {"Authorization": f"Bearer {token}"}
    number = tickets.create_ticket(
        conversation_id="tab-1",
        question="Puis-je télétravailler depuis la Bretagne ?",
        turns=[],
        intent="ask_home_requirements",
        sources=[],
    )
    reply = tickets.add_reply(number, "$a", "Oui, si le lieu est déclaré.\n# pas un titre")
    assert reply is not None
    tickets.request_publication(number)
    assert (
        client.post(f"/referent/publications/{reply}", data={"decision": "publier"}).status_code
        == 401
    )
    page = client.get("/referent", headers=bearer).text
    assert "Demandes transmises aux référents (1)" in page
    assert "Puis-je télétravailler depuis la Bretagne ?" in page and "répondue" in page
    assert "Réponses à publier (1)" in page and "Oui, si le lieu est déclaré." in page

    done = client.post(
        f"/referent/publications/{reply}",
        data={"decision": "publier", "question": "Télétravailler depuis la Bretagne ?"},
        headers=bearer,
        follow_redirects=False,
    )
    assert done.status_code == 303
    [written] = sources.glob("referent-*.md")
    assert written.name in done.headers["location"]
    # The corpus loader reads it as it reads the texts, labelled as a référent's answer.
    document = load_document(written)
    day = datetime.now(UTC).strftime("%d/%m/%Y")
    assert document.meta.title == f"Réponse du référent télétravail, {day}"
    assert "pas un texte officiel" in document.meta.kind
    assert "## Question : Télétravailler depuis la Bretagne ?" in document.body  # reworded
    assert "\\# pas un titre" in document.body
    [chunk] = chunk_document(document)
    assert chunk.section.endswith("Question : Télétravailler depuis la Bretagne ?")
    assert "Oui, si le lieu est déclaré." in chunk.text
    assert "Réponses à publier (0)" in client.get("/referent", headers=bearer).text
    again = client.post(
        f"/referent/publications/{reply}", data={"decision": "publier"}, headers=bearer
    )
    assert again.status_code == 200  # already decided: nothing written twice
    assert len(list(sources.glob("referent-*.md"))) == 1
