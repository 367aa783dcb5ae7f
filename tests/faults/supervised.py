"""The real stack under the real supervisor (``ops/supervisord.conf``), on test ports.

The fault tests kill services with ``kill -9`` and check that supervisord brings each back
by itself. They start supervisord exactly as ``make run`` does — two Rasa processes and their
Redis lock, as by default — with its own ports (17055 actions, 17005 Rasa, 17000 API, 17379
Redis, all on 127.0.0.1), its own conversation database, logs, drafts database and socket in
a temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from cli.stack import RASA_MODEL, ROOT, wait_until_answering

ACTIONS_PORT, RASA_PORT, API_PORT, REDIS_PORT = 17055, 17005, 17000, 17379
RASA_WORKERS = 2
SUPERVISORD = ROOT / ".venv" / "bin" / "supervisord"
SUPERVISORCTL = ROOT / ".venv" / "bin" / "supervisorctl"
CONFIG = ROOT / "ops" / "supervisord.conf"
# Rasa loads its model in ~30 s on a quiet machine, several minutes when 2 cores are shared.
BACK_TIMEOUT_S = 420.0


@dataclass
class SupervisedStack:
    """supervisord and its services, with helpers to find, kill and await them."""

    directory: Path
    env: dict[str, str]
    token: str
    process: subprocess.Popen[bytes] | None = None

    rasa_url = f"http://127.0.0.1:{RASA_PORT}"
    actions_url = f"http://127.0.0.1:{ACTIONS_PORT}"
    api_url = f"http://127.0.0.1:{API_PORT}"

    def start(self) -> None:
        """Start supervisord in the foreground of its own session."""
        self.process = subprocess.Popen(
            [str(SUPERVISORD), "--configuration", str(CONFIG)],
            cwd=ROOT,
            env=self.env,
            stdout=(self.directory / "supervisord.out").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def ctl(self, *args: str) -> str:
        """Run supervisorctl against this supervisord; return its output."""
        completed = subprocess.run(
            [str(SUPERVISORCTL), "--configuration", str(CONFIG), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return completed.stdout.strip()

    def pid(self, name: str) -> int:
        """The pid supervisord runs ``name`` under (0 when not running)."""
        try:
            return int(self.ctl("pid", name))
        except ValueError:
            return 0

    def kill9(self, name: str) -> int:
        """SIGKILL the service ``name``; return the pid killed."""
        pid = self.pid(name)
        assert pid > 0, f"{name} ne tourne pas : {self.ctl('status')}"
        os.kill(pid, signal.SIGKILL)
        return pid

    def healthy(self, name: str) -> bool:
        """Whether the service answers its health check."""
        if name == "redis":
            with socket.socket() as probe:
                probe.settimeout(5)
                try:
                    probe.connect(("127.0.0.1", REDIS_PORT))
                    probe.sendall(b"PING\r\n")
                    return probe.recv(16).startswith(b"+PONG")
                except OSError:
                    return False
        url = {
            "actions": f"{self.actions_url}/health",
            "rasa": f"{self.rasa_url}/status?token={self.token}",
            "api": f"{self.api_url}/healthz",
        }[name]
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_back(self, name: str, killed: int = 0, timeout: float = BACK_TIMEOUT_S) -> float:
        """Wait until ``name`` runs under a pid other than ``killed`` and answers; seconds."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pid = self.pid(name)
            if pid and pid != killed and self.healthy(name):
                return time.monotonic() - started
            time.sleep(1.0)
        raise AssertionError(f"{name} n'est pas revenu en {timeout:.0f} s : {self.ctl('status')}")

    def chat(self, sender: str, message: str) -> httpx.Response:
        """``POST /api/chat`` through the public API."""
        return httpx.post(
            f"{self.api_url}/api/chat", json={"sender": sender, "message": message}, timeout=120
        )

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation as Rasa's HTTP API returns it (with the token)."""
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        tracker: dict[str, Any] = response.json()
        return tracker

    def stop(self) -> None:
        """SIGTERM supervisord (it stops every service), SIGKILL what is left after 60 s."""
        if self.process is None or self.process.poll() is not None:
            return
        pids = [self.pid(name) for name in ("actions", "rasa", "api")]
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in pids:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)  # each service leads its own group


def ports_free() -> bool:
    """Whether nothing listens on the test ports."""
    for port in (ACTIONS_PORT, RASA_PORT, API_PORT, REDIS_PORT):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return False
    return True


def start_supervised(directory: Path) -> SupervisedStack:
    """Start the stack with its files in ``directory``; wait until it answers from the texts."""
    for sub in ("log", "run", "drafts"):
        (directory / sub).mkdir()
    settings = yaml.safe_load((ROOT / "bot" / "endpoints.workers.yml").read_text("utf-8"))
    settings["lock_store"]["port"] = REDIS_PORT
    settings["action_endpoint"] = {"url": f"http://127.0.0.1:{ACTIONS_PORT}/webhook"}
    endpoints = directory / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "TELETRAVAIL_LOG_DIR": str(directory / "log"),
        "TELETRAVAIL_RUN_DIR": str(directory / "run"),
        "TELETRAVAIL_ACTIONS_PORT": str(ACTIONS_PORT),
        "TELETRAVAIL_RASA_PORT": str(RASA_PORT),
        "TELETRAVAIL_RASA_MODEL": str(RASA_MODEL),
        "TELETRAVAIL_RASA_ENDPOINTS": str(endpoints),
        "TELETRAVAIL_RASA_WORKERS": str(RASA_WORKERS),
        "TELETRAVAIL_REDIS_PORT": str(REDIS_PORT),
        "TELETRAVAIL_REDIS_AUTOSTART": "true",
        "TELETRAVAIL_TRACKER_DB_URL": f"sqlite:///{directory / 'conversations.db'}",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(API_PORT),
        "RASA_URL": f"http://127.0.0.1:{RASA_PORT}",
        "RASA_AUTH_TOKEN": token,
        "RASA_TELEMETRY_ENABLED": "false",
        "TCHAP_AUTOSTART": "false",
        "DATABASE_URL": f"sqlite:///{directory / 'teletravail.db'}",
        "TELETRAVAIL_DRAFTS_DIR": str(directory / "drafts"),
    }
    stack = SupervisedStack(directory=directory, env=env, token=token)
    stack.start()
    try:
        for name in ("redis", "actions", "rasa", "api"):
            stack.wait_back(name)
        wait_until_answering(stack.rasa_url)
    except BaseException:
        stack.stop()
        raise
    return stack
