"""Start the real services (actions, Rasa, API) as processes, for tests and benchmarks.

``make run`` starts them under supervisord (``ops/supervisord.conf``); tests and benchmarks
need the same processes on ports of their own, each with its own conversation database (so
that stacks running side by side never share a file), with readiness checks and a clean
stop, hence this small launcher.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA_MODEL = ROOT / "var" / "rasa" / "models" / "teletravail.tar.gz"
# One thread per process for OpenMP and TensorFlow (DIET in Rasa), as in ops/supervisord.conf:
# on 2 shared cores, thread pools spinning against the other services made a message ten
# times slower (docs/rasa.md); the e5 encoder (onnxruntime) is set to one thread in code.
SINGLE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}
READY_QUESTION = "Combien de jours de télétravail à temps plein ?"
# The action server listens on loopback and answers each call within 30 s, below the 60 s
# lifetime of a conversation's lock in Rasa (ops/supervisord.conf).
ACTION_SERVER_ENV = {"SANIC_HOST": "127.0.0.1", "SANIC_RESPONSE_TIMEOUT": "30"}
# Read by bot/tracker_store.py (in the Rasa process): where this stack keeps conversations.
TRACKER_DB_VARIABLE = "TELETRAVAIL_TRACKER_DB_URL"


def port_in_use(port: int) -> bool:
    """Whether something already listens on ``port`` of the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def terminate_group(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM a process group (as supervisord does), SIGKILL it if alive after ``grace_s``."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class StackError(RuntimeError):
    """A service did not start."""


@dataclass
class LocalStack:
    """Actions server, Rasa server and API on the given ports, started together."""

    actions_port: int = 15055
    rasa_port: int = 15005
    api_port: int = 18000
    with_api: bool = True
    # Wait until a question gets an answer from the texts: the action server says /health
    # at once, then loads its search engine in the background (a minute on a busy machine).
    wait_for_answers: bool = True
    startup_timeout: float = 240.0
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="stack-logs-")))
    # Token of Rasa's HTTP API (``--auth-token``), as ``make run`` sets it; None leaves the
    # API open on loopback for the tests that read trackers without one.
    auth_token: str | None = None
    _processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def tracker_db(self) -> Path:
        """The conversation database (SQLite) of this stack, in its log directory."""
        return self.log_dir / "conversations.db"

    @property
    def actions_url(self) -> str:
        """Base URL of the action server."""
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def api_url(self) -> str:
        """Base URL of the API."""
        return f"http://127.0.0.1:{self.api_port}"

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **(env or {})},
            start_new_session=True,
        )
        self._processes.append((name, process))

    def _wait(self, name: str, url: str) -> None:
        deadline = time.monotonic() + self.startup_timeout
        process = dict(self._processes)[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(f"{name} s'est arrêté au démarrage (journal : {self.log_dir})")
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        raise StackError(f"{name} n'a pas répondu en {self.startup_timeout:.0f} s ({self.log_dir})")

    def start(self) -> LocalStack:
        """Start every service and wait until each answers."""
        # A server left on a port would answer the health checks in place of this stack's.
        ports = [self.actions_port, self.rasa_port, *([self.api_port] if self.with_api else [])]
        taken = [port for port in ports if port_in_use(port)]
        if taken:
            raise StackError(f"Port(s) déjà utilisé(s) : {', '.join(map(str, taken))}.")
        if not RASA_MODEL.exists():
            raise StackError(f"Modèle Rasa absent ({RASA_MODEL}) : lancez « make train ».")
        # The project's endpoints (its tracker store included), with this stack's action port.
        settings = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text("utf-8")) or {}
        settings["action_endpoint"] = {"url": f"{self.actions_url}/webhook"}
        endpoints = self.log_dir / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
        self._spawn(
            "actions",
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "ops.action_server",
                "--actions",
                "actions",
                "--port",
                str(self.actions_port),
            ],
            env={**SINGLE_THREAD, **ACTION_SERVER_ENV},
        )
        token = ["--auth-token", self.auth_token] if self.auth_token else []
        self._spawn(
            "rasa",
            [
                str(ROOT / ".venv-rasa/bin/rasa"),
                "run",
                "--model",
                str(RASA_MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "bot/credentials.yml",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--enable-api",
                *token,
            ],
            env={**SINGLE_THREAD, TRACKER_DB_VARIABLE: f"sqlite:///{self.tracker_db}"},
        )
        if self.with_api:
            self._spawn(
                "api",
                [
                    str(ROOT / ".venv/bin/uvicorn"),
                    "api.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.api_port),
                ],
                env={
                    "RASA_URL": self.rasa_url,
                    **({"RASA_AUTH_TOKEN": self.auth_token} if self.auth_token else {}),
                    **SINGLE_THREAD,
                },
            )
        try:
            self._wait("actions", f"{self.actions_url}/health")
            query = f"?token={self.auth_token}" if self.auth_token else ""
            self._wait("rasa", f"{self.rasa_url}/status{query}")
            if self.with_api:
                self._wait("api", f"{self.api_url}/healthz")
            if self.wait_for_answers:
                self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_answering(self) -> None:
        try:
            wait_until_answering(self.rasa_url, max(self.startup_timeout, 600.0))
        except StackError as error:
            raise StackError(f"{error} ({self.log_dir})") from None

    def stop(self) -> None:
        """Stop every service (SIGTERM, then SIGKILL after 15 s)."""
        for _, process in reversed(self._processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self._processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self._processes.clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def is_alive(self, name: str) -> bool:
        """Whether a service process is still running."""
        return dict(self._processes)[name].poll() is None

    def cpu_seconds(self, name: str) -> float:
        """CPU time (user + system) used so far by a service and its child processes.

        The action server's HTTP server (Sanic) answers from a child process: counting the
        whole tree is what a service costs. Read from ``/proc`` (Linux); 0 elsewhere.
        """
        return process_tree_cpu_seconds(dict(self._processes)[name].pid)


def wait_until_answering(rasa_url: str, timeout: float = 600.0) -> None:
    """Ask Rasa until a question is answered from the texts, with its sources.

    The action server says /health at once, then loads its search engine in the background
    (and rebuilds the index first when its inputs changed): minutes on a busy machine.

    Raises:
        StackError: no answer with sources within ``timeout`` seconds.

    """
    deadline = time.monotonic() + timeout
    question = {"sender": "stack-warm-up", "message": READY_QUESTION}
    while time.monotonic() < deadline:
        try:
            reply = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json=question, timeout=60)
            if any((m.get("custom") or {}).get("sources") for m in reply.json()):
                return
        except (httpx.HTTPError, ValueError, AttributeError):
            pass
        time.sleep(3.0)
    raise StackError("le serveur d'actions ne répond pas depuis les textes")


def _stat_fields(pid: int) -> list[str]:
    """Fields of ``/proc/<pid>/stat`` after the command name (which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree_cpu_seconds(root: int) -> float:
    """CPU seconds of ``root`` and all its live descendants (0 if ``/proc`` is unreadable)."""
    if not Path("/proc").is_dir():
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    seconds: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry.name))
        except OSError:  # the process ended meanwhile
            continue
        # Counted from the state field: ppid is the 2nd, utime the 12th, stime the 13th.
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, pending = 0.0, [root]
    while pending:
        pid = pending.pop()
        total += seconds.get(pid, 0.0)
        pending.extend(children.get(pid, []))
    return total


@contextmanager
def running_stack(actions_port: int, rasa_port: int) -> Iterator[LocalStack]:
    """A stack for a CLI command (actions and Rasa, no API), stopped at the end.

    A stack that cannot start (a port taken by a server left over, no model) is a French
    message and exit code 1, not a traceback.
    """
    import typer

    stack = LocalStack(actions_port=actions_port, rasa_port=rasa_port, with_api=False)
    try:
        stack.start()
    except StackError as error:
        typer.echo(f"Impossible de démarrer la pile : {error}", err=True)
        raise typer.Exit(1) from None
    try:
        yield stack
    finally:
        stack.stop()
