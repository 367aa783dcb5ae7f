"""Fixtures of the Tchap bot's tests: a real Synapse, the real assistant, the real bot process.

- ``homeserver``: Synapse from ``.venv-synapse`` on a free port of 127.0.0.1, SQLite, users
  registered with the shared secret (``tests/tchap/synapse.py``), once per session.
- ``assistant``: actions + Rasa on 16055/16005 (``cli.stack.LocalStack``, as the other
  suites start them, on ports of their own), waited for until it answers from the texts.
- ``bot``: ``.venv/bin/teletravail tchap`` as a process with its ``TCHAP_*`` environment,
  restartable on the same store (``BotProcess.restart``), with a référents' room (encrypted,
  created by the ``referent`` account) for the hand-off.
- ``tickets_db``: the SQLite file shared, as in production, by the action server (which
  creates the tickets) and the bot (which posts them and records the answers).

Agents are matrix-nio clients with encryption (``tests/tchap/agents.py``). No part of Synapse
or matrix-nio is faked.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from nio import RoomCreateResponse

from cli.stack import ROOT, LocalStack, terminate_group
from tests.tchap.agents import ENCRYPTION, Agent
from tests.tchap.synapse import Homeserver, HomeserverError

TELETRAVAIL = ROOT / ".venv" / "bin" / "teletravail"
READY_MESSAGE = "Tchap bot ready"
ACTIONS_PORT = 16055
RASA_PORT = 16005
OTHER_SERVER = "agent.autre-ministere.tchap.test"


@dataclass
class BotProcess:
    """The bot as deployments run it: the CLI command, configured by its environment."""

    env: dict[str, str]
    store_dir: Path
    log_path: Path
    startup_timeout: float = 60.0
    _process: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)
    _offset: int = 0

    def start(self) -> BotProcess:
        """Start the bot and wait for its « ready » line (first sync done)."""
        self.launch()
        return self.wait_until_ready()

    def launch(self) -> bool:
        """Start the process without waiting; True once it runs."""
        self.starts += 1
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [str(TELETRAVAIL), "tchap"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env, "TCHAP_STORE_DIR": str(self.store_dir)},
            start_new_session=True,
        )
        return self._process.poll() is None

    def wait_until_ready(self) -> BotProcess:
        """Wait for the « ready » line written since the last launch."""
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"le bot s'est arrêté au démarrage :\n{self.logs()}")
            with self.log_path.open("rb") as handle:
                handle.seek(self._offset)
                if READY_MESSAGE.encode() in handle.read():
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"le bot n'a pas été prêt en {self.startup_timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM (as supervisord sends it), SIGKILL after 15 s."""
        if self._process is None:
            return
        terminate_group(self._process, grace_s=15)
        self._process = None

    def restart(self) -> None:
        """Stop and start again on the same store (token, device, keys, handled events)."""
        self.stop()
        self.start()

    @property
    def return_code(self) -> int | None:
        """The exit status once stopped by itself, None while running."""
        return None if self._process is None else self._process.poll()

    def logs(self) -> str:
        """Everything the bot has logged so far."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text("utf-8", errors="replace")


@dataclass
class Accounts:
    """Users registered on the test homeserver, with their passwords."""

    bot: str
    closed_bot: str
    agent: str
    second_agent: str
    referent: str
    passwords: dict[str, str]
    admin_token: str


@pytest.fixture(scope="session")
def homeserver() -> Iterator[Homeserver]:
    server = Homeserver()
    try:
        server.start()
    except HomeserverError as error:
        pytest.fail(str(error))
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def accounts(homeserver: Homeserver) -> Accounts:
    passwords: dict[str, str] = {}
    ids = {}
    names = (
        "assistant",
        "assistant-ferme",
        "camille.martin-finances.gouv.fr",
        "dominique",
        "referent",
    )
    for name in names:
        password = secrets.token_urlsafe(12)
        user_id = homeserver.register(name, password)
        passwords[user_id] = password
        ids[name] = user_id
    admin_password = secrets.token_urlsafe(12)
    admin = homeserver.register("admin", admin_password, admin=True)
    login = httpx.post(
        f"{homeserver.url}/_matrix/client/v3/login",
        json={
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": admin},
            "password": admin_password,
        },
        timeout=10,
    )
    return Accounts(
        bot=ids["assistant"],
        closed_bot=ids["assistant-ferme"],
        agent=ids["camille.martin-finances.gouv.fr"],
        second_agent=ids["dominique"],
        referent=ids["referent"],
        passwords=passwords,
        admin_token=login.json()["access_token"],
    )


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    """Stores and logs of the bot processes; kept for reading when TCHAP_TESTS_KEEP=1."""
    path = Path(tempfile.mkdtemp(prefix="tchap-tests-"))
    yield path
    if os.environ.get("TCHAP_TESTS_KEEP") != "1":
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def tickets_db(workdir: Path) -> str:
    """The database URL of the hand-off tickets, shared by the action server and the bot."""
    return f"sqlite:///{workdir / 'tickets.db'}"


def _start_with_database(stack: LocalStack, url: str) -> LocalStack:
    """Start the stack with ``DATABASE_URL`` in its processes' environment only.

    ``LocalStack`` passes this process's environment on: it is set for the start, then put
    back, so that the suites after this one keep their own database.
    """
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        return stack.start()
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


@pytest.fixture(scope="session", autouse=True)
def assistant_starting(
    request: pytest.FixtureRequest, tickets_db: str
) -> Iterator[Future[LocalStack] | None]:
    """Start Rasa and the actions in the background as soon as this suite begins.

    They take one to two minutes (the action server loads the search engine); Synapse, the
    bots and the tests that never reach Rasa (refusals, undecryptable message) run meanwhile.
    Nothing starts when no selected test needs the assistant (``pytest -k units``).
    """
    needed = any("assistant" in getattr(item, "fixturenames", ()) for item in request.session.items)
    if not needed:
        yield None
        return
    stack = LocalStack(actions_port=ACTIONS_PORT, rasa_port=RASA_PORT, with_api=False)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant")
    starting = executor.submit(_start_with_database, stack, tickets_db)
    try:
        yield starting
    finally:
        wait([starting])
        stack.stop()
        executor.shutdown()


@pytest.fixture(scope="session")
def assistant(assistant_starting: Future[LocalStack] | None) -> LocalStack:
    """The running assistant, once it answers from the texts."""
    assert assistant_starting is not None
    return assistant_starting.result()


@pytest.fixture(scope="session")
def referent_room(homeserver: Homeserver, accounts: Accounts, workdir: Path) -> str:
    """The référents' room: encrypted, created by a référent, the bot invited."""

    async def create() -> str:
        store = workdir / "agents" / "referent-creator"
        password = accounts.passwords[accounts.referent]
        async with Agent(homeserver.url, accounts.referent, password, store) as referent:
            response = await referent.client.room_create(
                name="Référents télétravail", invite=[accounts.bot], initial_state=[ENCRYPTION]
            )
            assert isinstance(response, RoomCreateResponse), response
            return str(response.room_id)

    return asyncio.run(create())


def _bot_env(homeserver: Homeserver, user_id: str, password: str, allowed: str) -> dict[str, str]:
    return {
        "TCHAP_HOMESERVER": homeserver.url,
        "TCHAP_BOT_USER": user_id,
        "TCHAP_BOT_PASSWORD": password,
        "TCHAP_ALLOWED_DOMAINS": allowed,
        "TCHAP_REFERENT_ROOM": "",
    }


@pytest.fixture(scope="session")
def bot(
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
    referent_room: str,
    tickets_db: str,
) -> Iterator[BotProcess]:
    """The bot serving agents of the test server (and of another, absent one).

    It starts without waiting for Rasa: it only calls Rasa when an agent writes. It serves
    the référents' room and looks for new tickets every second.
    """
    env = _bot_env(
        homeserver,
        accounts.bot,
        accounts.passwords[accounts.bot],
        f"{OTHER_SERVER}, {homeserver.server_name}",
    )
    env["RASA_URL"] = f"http://127.0.0.1:{RASA_PORT}"
    env["TCHAP_REFERENT_ROOM"] = referent_room
    env["TCHAP_HANDOFF_POLL_SECONDS"] = "1"
    env["DATABASE_URL"] = tickets_db
    process = BotProcess(env, workdir / "bot-store", workdir / "bot.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def closed_bot(homeserver: Homeserver, accounts: Accounts, workdir: Path) -> Iterator[BotProcess]:
    """A bot that serves another server only: every user of the test server is foreign to it.

    One homeserver cannot hold users of two server names without federation; the rule under
    test compares the sender's server name with the list, so an allowed list that excludes
    the test server is the same check. It needs no Rasa: a refused agent never reaches it.
    """
    env = _bot_env(
        homeserver, accounts.closed_bot, accounts.passwords[accounts.closed_bot], OTHER_SERVER
    )
    env["RASA_URL"] = "http://127.0.0.1:9"
    process = BotProcess(env, workdir / "closed-bot-store", workdir / "closed-bot.log")
    process.start()
    yield process
    process.stop()
