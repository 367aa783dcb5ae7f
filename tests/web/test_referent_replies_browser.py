"""The référent's answer in the web chat page, without a reload (issue 13).

The agent asks, asks for a référent and clicks « Oui »: the real action server creates the
ticket in the stack's database. The référent's answer is then recorded as the Tchap bot
records it (``storage.tickets.add_reply``; the Tchap side has its own tests against a real
Synapse in ``tests/tchap/test_handoff.py``), and the open page must show it, marked as the
référent's, as text (never HTML).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from storage import reset_engine
from storage import tickets as store
from tests.web.conftest import DESKTOP, WebStack
from tests.web.test_chat_browser import Chat

pytestmark = [pytest.mark.integration, pytest.mark.slow]
POLL_TIMEOUT_MS = 25_000  # the page asks every 10 s


@pytest.fixture
def agent_page(web: WebStack, browser: Any) -> Iterator[Chat]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    yield Chat(context.new_page())
    context.close()


def test_referent_answer_appears_in_the_open_page(web: WebStack, agent_page: Chat) -> None:
    chat = agent_page.open(web.url)
    chat.ask("Puis-je télétravailler depuis un camping-car garé en Espagne ?")
    offer = chat.ask("je veux parler au référent")
    assert "Transmettre ma question à un référent télétravail ?" in offer.inner_text()
    before = chat.bot_turns.count()
    offer.locator(".quick-replies button", has_text="Oui").click()
    done = chat.wait_for_turns(before + 1).inner_text()
    match = re.search(r"votre demande n° (\d+)", done)
    assert match is not None and "pas sûr de pouvoir vous aider" not in done, done
    number = int(match.group(1))
    try:
        ticket = store.get_ticket(number, url=web.database_url)
        assert ticket is not None and ticket.channel == "web"
        store.add_reply(number, "$reponse", "Non <b>hors</b> de France.", url=web.database_url)
    finally:
        reset_engine()
    answer = chat.page.locator("#messages .turn--referent")
    answer.first.wait_for(timeout=POLL_TIMEOUT_MS)
    text = answer.first.inner_text()
    assert f"Réponse du référent télétravail (demande n° {number})" in text
    assert "Non <b>hors</b> de France." in text  # shown as typed, not as HTML
    assert answer.count() == 1  # each answer is returned once (tests/api/test_handoff_api.py)
    assert chat.errors == [] and chat.dialogs == []
