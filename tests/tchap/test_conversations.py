"""The Tchap bot against a real Synapse, real matrix-nio agents and the real assistant.

Every conversation is an encrypted direct chat opened by the agent, as in Tchap. The bot is
the ``teletravail tchap`` process (``conftest.BotProcess``); Rasa and the actions are the
project's, on ports 16005/16055.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from nio import RoomCreateResponse

from cli.stack import LocalStack
from tchap.rasa import conversation_id
from tests.tchap.agents import ENCRYPTION, Agent
from tests.tchap.conftest import Accounts, BotProcess
from tests.tchap.synapse import Homeserver

pytestmark = [pytest.mark.integration, pytest.mark.slow]
T = TypeVar("T")
QUESTION = "Combien de jours de télétravail à temps plein ?"
# Quick answers from Rasa: replies faster than one a second, the bot's limit in the test.
TEXTS = ("bonjour", "merci", "au revoir", "merci", "bonjour")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario in a fresh event loop (the agent clients live in it)."""
    return asyncio.run(scenario())  # type: ignore[arg-type]


def agent(homeserver: Homeserver, accounts: Accounts, workdir: Path, user_id: str) -> Agent:
    """A new device of ``user_id``, with a key store of its own."""
    store = workdir / "agents" / uuid.uuid4().hex
    return Agent(homeserver.url, user_id, accounts.passwords[user_id], store)


def stored_secret(bot: BotProcess) -> str:
    with sqlite3.connect(bot.store_dir / "state.sqlite") as db:
        row = db.execute("SELECT value FROM secrets WHERE name = 'conversation-id'").fetchone()
    value: str = row[0]
    return value


def test_agent_of_a_foreign_server_gets_a_polite_refusal(
    closed_bot: BotProcess, homeserver: Homeserver, accounts: Accounts, workdir: Path
) -> None:
    async def scenario() -> tuple[str, bool, bool]:
        async with agent(homeserver, accounts, workdir, accounts.agent) as camille:
            response = await camille.client.room_create(
                is_direct=True, invite=[accounts.closed_bot], initial_state=[ENCRYPTION]
            )
            assert isinstance(response, RoomCreateResponse), response
            room_id = response.room_id
            await camille.wait_for(
                lambda: camille.messages_from(accounts.closed_bot, room_id),
                30,
                "no refusal from the bot",
            )
            refusal = camille.messages_from(accounts.closed_bot, room_id)[0]
            await camille.wait_for(
                lambda: accounts.closed_bot not in camille.client.rooms[room_id].users,
                30,
                "the bot stayed in the room",
            )
            return refusal.body, refusal.encrypted, refusal.msgtype == "m.notice"

    body, encrypted, is_notice = run(scenario)
    assert "réservé aux agents" in body
    assert encrypted and is_notice
    assert "Invitation from server agent.finances.tchap.test refused" in closed_bot.logs()


def test_group_room_is_left_with_an_explanation(
    bot: BotProcess, homeserver: Homeserver, accounts: Accounts, workdir: Path
) -> None:
    async def scenario() -> tuple[str, bool]:
        async with agent(homeserver, accounts, workdir, accounts.agent) as camille:
            response = await camille.client.room_create(
                invite=[accounts.bot, accounts.second_agent], initial_state=[ENCRYPTION]
            )
            assert isinstance(response, RoomCreateResponse), response
            room_id = response.room_id
            await camille.wait_for(
                lambda: camille.messages_from(accounts.bot, room_id), 30, "no notice"
            )
            await camille.wait_for(
                lambda: accounts.bot not in camille.client.rooms[room_id].users,
                30,
                "the bot stayed in the group",
            )
            notice = camille.messages_from(accounts.bot, room_id)[0]
            return notice.body, notice.encrypted

    body, encrypted = run(scenario)
    assert "conversation privée" in body and encrypted


def test_undecryptable_message_gets_a_notice(
    bot: BotProcess, homeserver: Homeserver, accounts: Accounts, workdir: Path
) -> None:
    async def scenario() -> str:
        async with agent(homeserver, accounts, workdir, accounts.agent) as camille:
            room_id = await camille.open_direct_chat(accounts.bot)
            since = int(time.time() * 1000) - 1000
            # A Megolm event whose session the bot never received (as when a client failed
            # to share its keys): sent raw, since nio would encrypt it properly.
            bogus = {
                "algorithm": "m.megolm.v1.aes-sha2",
                "sender_key": "x" * 43,
                "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
                "session_id": "y" * 43,
                "device_id": camille.client.device_id,
            }
            url = (
                f"{homeserver.url}/_matrix/client/v3/rooms/{room_id}"
                f"/send/m.room.encrypted/{uuid.uuid4().hex}"
            )
            async with httpx.AsyncClient() as http:
                sent = await http.put(
                    url,
                    json=bogus,
                    headers={"Authorization": f"Bearer {camille.client.access_token}"},
                )
            assert sent.status_code == 200, sent.text
            await camille.wait_for(
                lambda: camille.messages_from(accounts.bot, room_id, since),
                30,
                "no notice for an undecryptable message",
            )
            return camille.messages_from(accounts.bot, room_id, since)[0].body

    assert "pas pu déchiffrer" in run(scenario)


def test_bot_leaves_a_conversation_the_agent_left(
    bot: BotProcess, homeserver: Homeserver, accounts: Accounts, workdir: Path
) -> None:
    async def scenario() -> str:
        async with agent(homeserver, accounts, workdir, accounts.second_agent) as dominique:
            room_id = await dominique.open_direct_chat(accounts.bot)
            await dominique.client.room_leave(room_id)
            return room_id

    room_id = run(scenario)
    token = json.loads((bot.store_dir / "session.json").read_text())["access_token"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        joined = httpx.get(
            f"{homeserver.url}/_matrix/client/v3/joined_rooms",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()["joined_rooms"]
        if room_id not in joined:
            return
        time.sleep(0.5)
    raise AssertionError("the bot stayed alone in the room")


def test_agent_gets_a_sourced_answer_in_an_encrypted_dm(
    bot: BotProcess,
    homeserver: Homeserver,
    accounts: Accounts,
    assistant: LocalStack,
    workdir: Path,
) -> None:
    async def scenario() -> tuple[str, str, str | None, bool, str]:
        async with agent(homeserver, accounts, workdir, accounts.agent) as camille:
            room_id = await camille.open_direct_chat(accounts.bot)
            assert camille.client.rooms[room_id].encrypted
            reply = await camille.ask(room_id, accounts.bot, QUESTION)
            return room_id, reply.body, reply.formatted_body, reply.encrypted, reply.msgtype

    room_id, body, formatted, encrypted, msgtype = run(scenario)
    assert encrypted, "the bot answered in clear in an encrypted room"
    assert msgtype == "m.text"
    assert "Source :" in body
    assert "3 jours" in body
    assert formatted is not None and formatted.startswith("<p>")
    # The conversation Rasa knows is the keyed hash, not the Matrix id.
    sender = conversation_id(stored_secret(bot), accounts.agent, room_id)
    tracker = httpx.get(f"{assistant.rasa_url}/conversations/{sender}/tracker", timeout=30).json()
    assert any(e.get("text") == QUESTION for e in tracker["events"] if e["event"] == "user")
    # Nothing of the text in the bot's log; the agent's Matrix id in none of the bot's own
    # lines (matrix-nio's crypto warnings name devices and their users, not messages).
    assert "télétravail à temps plein" not in bot.logs()
    own_lines = [line for line in bot.logs().splitlines() if " tchap." in line]
    assert own_lines and not any(accounts.agent in line for line in own_lines)


def test_buttons_become_numbered_choices_answerable_by_number(
    assistant: LocalStack,
    bot: BotProcess,
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
) -> None:
    async def scenario() -> tuple[str, str | None, str]:
        async with agent(homeserver, accounts, workdir, accounts.second_agent) as dominique:
            room_id = await dominique.open_direct_chat(accounts.bot)
            greeting = await dominique.ask(room_id, accounts.bot, "bonjour")
            chosen = await dominique.ask(room_id, accounts.bot, "1")
            return greeting.body, greeting.formatted_body, chosen.body

    greeting, formatted, chosen = run(scenario)
    assert "\n1. " in greeting and "\n2. " in greeting
    assert formatted is not None and "<br>1. " in formatted
    assert chosen and "Je n'ai pas de réponse" not in chosen


def forget_sync_token(bot: BotProcess) -> None:
    """Drop the sync token nio saved, as if the bot had crashed before saving it."""
    for database in (bot.store_dir / "crypto").glob("*.db"):
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM synctokens")


def test_restart_answers_once_and_still_decrypts(
    assistant: LocalStack,
    bot: BotProcess,
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
) -> None:
    async def scenario() -> tuple[int, int, int, str]:
        async with agent(homeserver, accounts, workdir, accounts.agent) as camille:
            room_id = await camille.open_direct_chat(accounts.bot)
            await camille.ask(room_id, accounts.bot, QUESTION)
            await asyncio.to_thread(bot.restart)
            await asyncio.sleep(3)  # time for the restarted bot to (wrongly) answer again
            after_restart = len(camille.messages_from(accounts.bot, room_id))
            # Same Megolm session as before the restart: the bot must still decrypt it.
            second = await camille.ask(room_id, accounts.bot, "Qui fournit l'ordinateur ?")
            await asyncio.sleep(2)
            total = len(camille.messages_from(accounts.bot, room_id))
            # Without its sync token, the first sync brings the history back: still no
            # second answer to any of it.
            await asyncio.to_thread(bot.stop)
            forget_sync_token(bot)
            await asyncio.to_thread(bot.start)
            await asyncio.sleep(3)
            after_history = len(camille.messages_from(accounts.bot, room_id))
            return after_restart, total, after_history, second.body

    after_restart, total, after_history, second = run(scenario)
    assert after_restart == 1, "the restarted bot answered an old message again"
    assert total == 2
    assert after_history == 2, "old messages were answered again after a full sync"
    assert "pas pu déchiffrer" not in second and "Source :" in second
    logs = bot.logs()
    assert logs.count("Logged in (new device") == 1, "the bot logged in again: new device"
    assert "Session restored" in logs


def test_bot_survives_a_homeserver_restart(
    assistant: LocalStack,
    bot: BotProcess,
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
) -> None:
    async def scenario() -> str:
        async with agent(homeserver, accounts, workdir, accounts.second_agent) as dominique:
            room_id = await dominique.open_direct_chat(accounts.bot)
            await asyncio.to_thread(homeserver.stop)
            await asyncio.sleep(2)  # the bot's sync fails meanwhile: it must back off, not die
            await asyncio.to_thread(homeserver.start)
            reply = await dominique.ask(room_id, accounts.bot, QUESTION, timeout=120)
            return reply.body

    assert "Source :" in run(scenario)
    assert bot.return_code is None, "the bot stopped when the homeserver went away"
    logs = bot.logs()
    assert "Homeserver unreachable" in logs and "Homeserver reachable again" in logs


def test_rate_limited_replies_are_retried_not_dropped(
    assistant: LocalStack,
    bot: BotProcess,
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
) -> None:
    """The bot's own sending limit lowered by Synapse's admin API: every reply still arrives."""
    override = f"{homeserver.url}/_synapse/admin/v1/users/{accounts.bot}/override_ratelimit"
    admin = {"Authorization": f"Bearer {accounts.admin_token}"}
    limit = {"messages_per_second": 1, "burst_count": 1}  # Synapse takes integers only
    assert httpx.post(override, json=limit, headers=admin, timeout=10).status_code == 200
    try:

        async def scenario() -> list[str]:
            async with agent(homeserver, accounts, workdir, accounts.agent) as camille:
                room_id = await camille.open_direct_chat(accounts.bot)
                since = int(time.time() * 1000) - 1000
                for text in TEXTS:
                    await camille.say(room_id, text)
                await camille.wait_for(
                    lambda: len(camille.messages_from(accounts.bot, room_id, since)) >= len(TEXTS),
                    60,
                    "a rate-limited reply was dropped",
                )
                return [m.body for m in camille.messages_from(accounts.bot, room_id, since)]

        replies = run(scenario)
    finally:
        httpx.delete(override, headers=admin, timeout=10)
    assert len(replies) == len(TEXTS)
    assert "Got 429 response" in bot.logs()
