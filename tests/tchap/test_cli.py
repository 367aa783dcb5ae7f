"""``teletravail tchap`` as an operator meets it: bad settings, wrong password, services down."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.tchap.agents import Agent
from tests.tchap.conftest import TELETRAVAIL, Accounts, BotProcess
from tests.tchap.synapse import Homeserver, free_port

pytestmark = pytest.mark.integration


def run_cli(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TCHAP_")}
    return subprocess.run(
        [str(TELETRAVAIL), "tchap"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_missing_settings_are_named_in_french() -> None:
    result = run_cli({"TCHAP_BOT_USER": "assistant"})
    assert result.returncode == 2
    assert "TCHAP_HOMESERVER : Field required" in result.stderr
    assert "TCHAP_BOT_USER" in result.stderr and "identifiant complet" in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_password_stops_with_a_french_message(
    homeserver: Homeserver, accounts: Accounts, tmp_path: Path
) -> None:
    result = run_cli(
        {
            "TCHAP_HOMESERVER": homeserver.url,
            "TCHAP_BOT_USER": accounts.second_agent,
            "TCHAP_BOT_PASSWORD": "pas le bon mot de passe",
            "TCHAP_STORE_DIR": str(tmp_path / "store"),
        }
    )
    assert result.returncode == 1
    assert "connexion refusée" in result.stderr and "M_FORBIDDEN" in result.stderr
    assert "pas le bon mot de passe" not in result.stderr + result.stdout


async def ask_once(server: Homeserver, bot_id: str, store: Path) -> str:
    agent_id = f"@agent:{server.server_name}"
    async with Agent(server.url, agent_id, "mot-de-passe-agent", store) as agent:
        room_id = await agent.open_direct_chat(bot_id)
        return (await agent.ask(room_id, bot_id, "bonjour", timeout=60)).body


def test_bot_waits_for_its_homeserver_and_says_when_rasa_is_down(tmp_path: Path) -> None:
    server = Homeserver(port=free_port())
    user_id = f"@assistant:{server.server_name}"
    env = {
        "TCHAP_HOMESERVER": server.url,
        "TCHAP_BOT_USER": user_id,
        "TCHAP_BOT_PASSWORD": "mot-de-passe-du-bot",
        "TCHAP_ALLOWED_DOMAINS": server.server_name,
        "RASA_URL": "http://127.0.0.1:9",
    }
    bot = BotProcess(env, tmp_path / "store", tmp_path / "bot.log", startup_timeout=90)
    try:
        server.start()
        server.register("assistant", "mot-de-passe-du-bot")
        server.stop()
        # Started while nothing listens: it must wait (with backoff), not crash.
        assert bot.launch()
        time.sleep(4)
        server.start()
        bot.wait_until_ready()
        assert "Homeserver unreachable at login" in bot.logs()
        # Its Rasa is down too (port 9): the agent is told so, not left without an answer.
        server.register("agent", "mot-de-passe-agent")
        reply = asyncio.run(ask_once(server, user_id, tmp_path / "agent"))
        assert "momentanément indisponible" in reply
    finally:
        bot.stop()
        server.remove()
