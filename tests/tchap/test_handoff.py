"""Hand-off to the référents, end to end: real Synapse, real encrypted clients, real assistant.

An agent (in Tchap, or in the web chat through Rasa's REST channel, as the API relays it)
agrees to pass a question on; the bot posts the ticket as a thread root in the référents'
encrypted room; a référent answers in the thread (or with a Matrix reply to the root); the
answer reaches the agent — in the Tchap conversation, or through the chat page's polling
route — marked as the référent's; ``!publier`` and ``!clore`` act on the ticket.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from cli.stack import ROOT, LocalStack
from storage import reset_engine
from storage import tickets as store
from tests.tchap.agents import Agent, Received
from tests.tchap.conftest import RASA_PORT, Accounts, BotProcess
from tests.tchap.synapse import Homeserver
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.integration, pytest.mark.slow]
OFFER = "Transmettre ma question à un référent télétravail ?"
QUESTION = "Puis-je télétravailler depuis un camping-car garé en Espagne ?"
TICKET = re.compile(r"demande n° (\d+)")
FALLBACK = "pas sûr de pouvoir vous aider"  # the core fallback: never after the ticket
WAIT_S = 60.0
CHAT_API_PORT = 16080
PAGE_TIMEOUT_MS = 90_000
REPLY_TIMEOUT_MS = 30_000


@dataclass
class Scene:
    """Everything a hand-off test touches: Synapse, accounts, the bot and its rooms."""

    bot: BotProcess
    homeserver: Homeserver
    accounts: Accounts
    workdir: Path
    referent_room: str

    def client(self, user_id: str) -> Agent:
        """A new device of ``user_id``, with a key store of its own."""
        password = self.accounts.passwords[user_id]
        return Agent.new_device(self.homeserver.url, user_id, password, self.workdir)


@pytest.fixture
def scene(
    bot: BotProcess,
    assistant: LocalStack,
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
    referent_room: str,
    tickets_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Scene]:
    """The running bot and assistant; this process reads their database."""
    monkeypatch.setenv("DATABASE_URL", tickets_db)
    yield Scene(bot, homeserver, accounts, workdir, referent_room)
    reset_engine()


async def root_of_ticket(referent: Agent, bot_id: str, room_id: str, number: int) -> Received:
    """Wait for the thread root the bot posts for ticket ``number``."""

    def found() -> list[Received]:
        return [
            m
            for m in referent.messages_from(bot_id, room_id)
            if m.body.startswith(f"Demande n° {number} ")
        ]

    await referent.wait_for(found, WAIT_S, f"ticket {number} never posted")
    return found()[0]


async def answer(
    referent: Agent, room_id: str, root: str, text: str, *, threaded: bool = True
) -> None:
    """Send ``text`` in the thread of ``root`` (or as a plain Matrix reply to it)."""
    relation: dict[str, Any] = {"m.in_reply_to": {"event_id": root}}
    if threaded:
        relation = {"rel_type": "m.thread", "event_id": root, "is_falling_back": True, **relation}
    await referent.client.room_send(
        room_id,
        "m.room.message",
        {"msgtype": "m.text", "body": text, "m.relates_to": relation},
        ignore_unverified_devices=True,
    )


async def notice_containing(referent: Agent, bot_id: str, room_id: str, words: str) -> str:
    """Wait for the bot's confirmation in the thread."""

    def found() -> list[Received]:
        return [m for m in referent.messages_from(bot_id, room_id) if words in m.body]

    await referent.wait_for(found, WAIT_S, f"no notice « {words} »")
    return found()[-1].body


def test_handoff_from_tchap_answered_in_the_thread(scene: Scene) -> None:
    accounts, referent_room = scene.accounts, scene.referent_room

    async def scenario() -> tuple[int, Received, Received]:
        async with (
            scene.client(accounts.agent) as camille,
            scene.client(accounts.referent) as referent,
        ):
            room_id = await camille.open_direct_chat(accounts.bot)
            await camille.ask(room_id, accounts.bot, QUESTION)
            offer = await camille.ask(room_id, accounts.bot, "je veux parler au référent")
            assert OFFER in offer.body and QUESTION in offer.body, offer.body
            done = await camille.ask(room_id, accounts.bot, "oui")
            match = TICKET.search(done.body)
            assert match is not None and FALLBACK not in done.body, done.body
            number = int(match.group(1))
            root = await root_of_ticket(referent, accounts.bot, referent_room, number)
            await answer(referent, referent_room, root.event_id, "Non : le lieu doit être déclaré.")
            await notice_containing(referent, accounts.bot, referent_room, "transmise à l'agent")

            def relayed() -> list[Received]:
                return [
                    m
                    for m in camille.messages_from(accounts.bot, room_id)
                    if m.body.startswith("Réponse du référent télétravail")
                ]

            await camille.wait_for(relayed, WAIT_S, "the answer never reached the agent")
            await answer(referent, referent_room, root.event_id, "!publier")
            await notice_containing(referent, accounts.bot, referent_room, "proposée")
            await answer(referent, referent_room, root.event_id, "!clore")
            await notice_containing(referent, accounts.bot, referent_room, "close")
            return number, root, relayed()[0]

    number, root, relayed = asyncio.run(scenario())
    assert QUESTION in root.body and "(Tchap)" in root.body and root.encrypted
    assert accounts.agent not in root.body  # the référents see the question, not the agent
    assert relayed.encrypted
    assert relayed.body == (
        f"Réponse du référent télétravail (demande n° {number}) :\n\n"
        "Non : le lieu doit être déclaré."
    )
    ticket = store.get_ticket(number)
    assert ticket is not None
    assert (ticket.status, ticket.channel, ticket.question) == ("closed", "tchap", QUESTION)
    assert ticket.conversation_id.startswith("tchap-")
    [proposed] = store.publications()
    assert (proposed.ticket_id, proposed.text) == (number, "Non : le lieu doit être déclaré.")
    assert QUESTION not in scene.bot.logs() and "le lieu doit" not in scene.bot.logs()


@pytest.fixture(scope="module")
def chat_api(assistant: LocalStack, tickets_db: str) -> str:
    """The API of the web chat, on this suite's assistant and ticket database."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} absent : lancez « make chromium » (apt-get install chromium)")
    command = [str(ROOT / ".venv/bin/uvicorn"), "api.main:app", "--host", "127.0.0.1"]
    env = {
        "RASA_URL": f"http://127.0.0.1:{RASA_PORT}",
        "DATABASE_URL": tickets_db,
        "TELETRAVAIL_WARMUP": "0",  # the page never uses the API's own search engine
        "TELETRAVAIL_ENV": "test",
        "TELETRAVAIL_REFERENT_TOKEN": "jeton-referent-des-tests-tchap",
    }
    assistant._spawn("tchap-web-api", [*command, "--port", str(CHAT_API_PORT)], env)
    url = f"http://127.0.0.1:{CHAT_API_PORT}"
    assistant._wait("tchap-web-api", f"{url}/healthz")
    return url


async def bot_turn(page: Any, count: int) -> str:
    """Wait for the page's ``count``-th bot turn and return its text."""
    await page.wait_for_function(
        "n => document.querySelectorAll('#messages .turn--bot').length >= n",
        arg=count,
        timeout=PAGE_TIMEOUT_MS,
    )
    await page.wait_for_selector("#ecriture", state="hidden", timeout=PAGE_TIMEOUT_MS)
    return str(await page.locator("#messages .turn--bot").nth(count - 1).inner_text())


async def type_message(page: Any, text: str) -> str:
    """Type ``text`` in the chat page, press Enter, return the bot turn that answers it."""
    before = await page.locator("#messages .turn--bot").count()
    await page.fill("#message", text)
    await page.press("#message", "Enter")
    return await bot_turn(page, before + 1)


def test_handoff_from_the_web_chat_page_answered_in_the_thread(scene: Scene, chat_api: str) -> None:
    """The agent's page in Chromium, the référent in Tchap: the threaded answer shows up."""
    from playwright.async_api import async_playwright

    accounts, referent_room = scene.accounts, scene.referent_room

    async def scenario() -> tuple[int, Received, str, list[str]]:
        # The référent's device is logged in first: the bot encrypts the thread root for it.
        async with scene.client(accounts.referent) as referent, async_playwright() as driver:
            browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(chat_api)
            await bot_turn(page, 1)  # the greeting
            await type_message(page, QUESTION)
            assert OFFER in await type_message(page, "je veux parler à un référent")
            before = await page.locator("#messages .turn--bot").count()
            offer = page.locator("#messages .turn--bot").nth(before - 1)
            await offer.locator(".quick-replies button", has_text="Oui").click()
            done = await bot_turn(page, before + 1)
            match = TICKET.search(done)
            assert match is not None and FALLBACK not in done, done
            number = int(match.group(1))
            root = await root_of_ticket(referent, accounts.bot, referent_room, number)
            await answer(referent, referent_room, root.event_id, "Non <b>hors</b> de France.")
            await notice_containing(referent, accounts.bot, referent_room, "page de chat")
            shown = page.locator("#messages .turn--referent")
            await shown.first.wait_for(timeout=REPLY_TIMEOUT_MS)  # the page asks every 10 s
            text = str(await shown.first.inner_text())
            assert await shown.count() == 1
            await browser.close()
            return number, root, text, errors

    number, root, text, errors = asyncio.run(scenario())
    assert "(chat web)" in root.body and QUESTION in root.body
    assert f"Réponse du référent télétravail (demande n° {number})" in text
    assert "Non <b>hors</b> de France." in text  # shown as typed, never as HTML
    assert errors == []
    ticket = store.get_ticket(number)
    assert ticket is not None and (ticket.status, ticket.channel) == ("answered", "web")


def test_handoff_from_the_web_chat_reaches_the_polling_route(scene: Scene) -> None:
    """A plain Matrix reply counts like a threaded one; the page's route returns it once."""
    accounts, referent_room = scene.accounts, scene.referent_room
    sender = f"web-{uuid.uuid4().hex[:12]}"
    webhook = f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook"

    from api.main import create_app

    page = TestClient(create_app())  # no lifespan: this route needs neither Rasa nor the index
    url = f"/api/chat/{sender}/referent-replies"

    async def scenario() -> tuple[int, Received]:
        # The référent's device is logged in first: the bot encrypts the thread root for it.
        async with (
            scene.client(accounts.referent) as referent,
            httpx.AsyncClient(timeout=60) as http,
        ):

            async def say(text: str) -> str:
                response = await http.post(webhook, json={"sender": sender, "message": text})
                response.raise_for_status()
                return "\n".join(str(m.get("text") or "") for m in response.json())

            await say(QUESTION)
            assert OFFER in await say("je veux parler à un référent")
            done = await say("Oui")
            match = TICKET.search(done)
            assert match is not None and FALLBACK not in done, done
            number = int(match.group(1))
            assert page.get(url).json() == {"replies": []}
            root = await root_of_ticket(referent, accounts.bot, referent_room, number)
            # A plain Matrix reply to the root counts as an answer, like a threaded one.
            await answer(referent, referent_room, root.event_id, "Voyez la charte.", threaded=False)
            await notice_containing(referent, accounts.bot, referent_room, "page de chat")
            return number, root

    number, root = asyncio.run(scenario())
    assert "(chat web)" in root.body and QUESTION in root.body
    [reply] = page.get(url).json()["replies"]
    assert reply["ticket"] == number and reply["text"] == "Voyez la charte."
    assert reply["label"] == "Réponse du référent télétravail"
    assert page.get(url).json() == {"replies": []}  # shown once
    ticket = store.get_ticket(number)
    assert ticket is not None and (ticket.status, ticket.channel) == ("answered", "web")
