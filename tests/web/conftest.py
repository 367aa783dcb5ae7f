"""The real stack (actions, Rasa, API) and Debian's Chromium driven by Playwright.

Ports differ from the defaults and from the other test suites (several stacks may run on the
same machine). The API gets its own SQLite database and a référent token, in the ``test``
environment (where a default token is refused). Chromium is the Debian package
(``make chromium``): Playwright downloads no browser.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cli.stack import ROOT, LocalStack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REFERENT_TOKEN = "jeton-referent-des-tests-web"
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE_SCRIPT = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}
API_PORT = 48000
DOWN_API_PORT = 48001


@dataclass
class WebStack:
    """The running stack, its API, the API that cannot reach Rasa, and the test database."""

    stack: LocalStack
    url: str
    down_url: str
    database_url: str


def _start_api(stack: LocalStack, name: str, port: int, rasa_url: str) -> str:
    """Start an API process under the stack (stopped with it), without retrieval warm-up.

    The stack's own API would load the retrieval engine at start-up; the page never uses it.
    """
    command = [str(ROOT / ".venv/bin/uvicorn"), "api.main:app", "--host", "127.0.0.1"]
    stack._spawn(
        name, [*command, "--port", str(port)], {"RASA_URL": rasa_url, "TELETRAVAIL_WARMUP": "0"}
    )
    url = f"http://127.0.0.1:{port}"
    stack._wait(name, f"{url}/healthz")
    return url


def _first_question(stack: LocalStack) -> None:
    """Wait until the action server has loaded the retrieval engine (its first question).

    The engine loads in the background when the action server starts; on a busy machine it
    takes longer than the page's timeouts, which the tests would mistake for a failure.
    """
    for _ in range(4):
        try:
            reply = httpx.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": "web-tests-warm-up", "message": "Qui fournit l'ordinateur ?"},
                timeout=180,
            )
            if reply.status_code == 200 and reply.json():  # [] when the action timed out
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(5)


@pytest.fixture(scope="session")
def web() -> Iterator[WebStack]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} absent : lancez « make chromium » (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        pytest.fail("web/node_modules absent : lancez « make install » (npm ci dans web/)")
    workdir = Path(tempfile.mkdtemp(prefix="web-tests-"))
    database_url = f"sqlite:///{workdir / 'web.db'}"
    env = {
        "DATABASE_URL": database_url,
        "TELETRAVAIL_ENV": "test",
        "TELETRAVAIL_REFERENT_TOKEN": REFERENT_TOKEN,
        "TELETRAVAIL_DRAFTS_DIR": str(workdir / "drafts"),
        "TELETRAVAIL_PUBLIC_URL": f"http://127.0.0.1:{API_PORT}",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        stack = LocalStack(actions_port=45055, rasa_port=45005, with_api=False)
        try:
            with stack:
                url = _start_api(stack, "web-api", API_PORT, stack.rasa_url)
                down_url = _start_api(stack, "down-api", DOWN_API_PORT, "http://127.0.0.1:9")
                _first_question(stack)
                yield WebStack(stack, url, down_url, database_url)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
