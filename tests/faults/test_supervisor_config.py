"""The supervisor configuration of ``make run``: what restarts, where it listens, what it logs.

Fast checks (no process started) that run with every ``make test``; ``test_kill.py`` checks
the behaviour with real processes.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

from cli.stack import ROOT

pytestmark = pytest.mark.unit

CONFIG = ROOT / "ops" / "supervisord.conf"
SERVICES = {"redis", "actions", "rasa", "api", "tchap"}
LOCK_LIFETIME_S = 60  # Rasa 3.6's TICKET_LOCK_LIFETIME default


@pytest.fixture
def options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServerOptions:
    """The configuration as supervisord itself reads it, with ``make run``'s variables."""
    for name, value in {
        "TELETRAVAIL_LOG_DIR": str(tmp_path),
        "TELETRAVAIL_RUN_DIR": str(tmp_path),
        "TELETRAVAIL_ACTIONS_PORT": "5055",
        "TELETRAVAIL_RASA_PORT": "5005",
        "TELETRAVAIL_RASA_MODEL": "var/rasa/models/teletravail.tar.gz",
        "TELETRAVAIL_RASA_ENDPOINTS": "bot/endpoints.workers.yml",
        "TELETRAVAIL_RASA_WORKERS": "2",
        "TELETRAVAIL_REDIS_PORT": "6379",
        "TELETRAVAIL_REDIS_AUTOSTART": "true",
        "API_HOST": "127.0.0.1",
        "API_PORT": "8000",
        "TCHAP_AUTOSTART": "false",
    }.items():
        monkeypatch.setenv(name, value)
    parsed = ServerOptions()
    parsed.realize(args=["--configuration", str(CONFIG)])
    return parsed


def _programs(options: ServerOptions) -> dict[str, object]:
    return {group.name: group.process_configs[0] for group in options.process_group_configs}


def test_every_service_is_restarted_and_logs_to_its_own_file(options: ServerOptions) -> None:
    programs = _programs(options)
    assert set(programs) == SERVICES
    for name, program in programs.items():
        assert program.autorestart is RestartUnconditionally, name  # type: ignore[attr-defined]
        assert program.startretries >= 5, name  # type: ignore[attr-defined]
        assert program.stopasgroup and program.killasgroup, name  # type: ignore[attr-defined]
        logfile = Path(program.stdout_logfile)  # type: ignore[attr-defined]
        assert logfile.name == f"{name}.log"
    assert programs["tchap"].autostart is False  # type: ignore[attr-defined]


def test_rasa_and_actions_listen_on_loopback_with_bounded_calls(options: ServerOptions) -> None:
    programs = _programs(options)
    rasa = programs["rasa"].command  # type: ignore[attr-defined]
    assert "--interface 127.0.0.1" in rasa and "--port 5005" in rasa
    assert "ops.rasa_server" in rasa and "--auth-token" not in rasa  # token from the env
    actions = programs["actions"]
    assert "ops.action_server" in actions.command  # type: ignore[attr-defined]
    assert actions.environment["SANIC_HOST"] == "127.0.0.1"  # type: ignore[attr-defined]
    timeout = int(actions.environment["SANIC_RESPONSE_TIMEOUT"])  # type: ignore[attr-defined]
    assert 0 < timeout < LOCK_LIFETIME_S
    assert "--port 8000" in programs["api"].command  # type: ignore[attr-defined]


def test_make_run_starts_this_configuration() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    run = re.search(r"^run:.*?(?=^\S)", makefile, re.MULTILINE | re.DOTALL)
    assert run and "supervisord --configuration ops/supervisord.conf" in run.group(0)
    assert "honcho" not in makefile and not (ROOT / "Procfile").exists()


def test_rasa_refuses_to_start_without_a_token() -> None:
    python = ROOT / ".venv-rasa" / "bin" / "python"
    if not python.exists():
        pytest.skip("environnement Rasa absent (make install-rasa)")
    completed = subprocess.run(
        [str(python), "-m", "ops.rasa_server", "run"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "RASA_AUTH_TOKEN": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert "RASA_AUTH_TOKEN" in completed.stderr


def test_several_rasa_workers_share_a_loopback_redis_lock(options: ServerOptions) -> None:
    programs = _programs(options)
    redis = programs["redis"]
    assert "--bind 127.0.0.1" in redis.command and "--port 6379" in redis.command  # type: ignore[attr-defined]
    assert "--appendonly no" in redis.command  # type: ignore[attr-defined]  # locks only
    assert redis.priority < programs["rasa"].priority  # type: ignore[attr-defined]
    assert programs["rasa"].environment["SANIC_WORKERS"] == "2"  # type: ignore[attr-defined]
    single = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text("utf-8"))
    workers = yaml.safe_load((ROOT / "bot" / "endpoints.workers.yml").read_text("utf-8"))
    lock = workers.pop("lock_store")
    assert workers == single  # the same actions and conversations, plus the lock
    assert (lock["type"], lock["url"], lock["port"]) == (
        "redis",
        "127.0.0.1",
        "${TELETRAVAIL_REDIS_PORT}",
    )


@pytest.mark.parametrize(
    ("workers", "endpoints", "redis"),
    [("2", "bot/endpoints.workers.yml", True), ("1", "bot/endpoints.yml", False)],
)
def test_make_run_chooses_the_lock_by_the_number_of_workers(
    workers: str, endpoints: str, redis: bool
) -> None:
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "status", f"TELETRAVAIL_RASA_WORKERS={workers}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert ("redis" in dry_run.stdout) is redis
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "show"],
        input="show:\n\t@echo $$TELETRAVAIL_RASA_ENDPOINTS $$TELETRAVAIL_REDIS_AUTOSTART\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PATH": "/usr/bin:/bin", "TELETRAVAIL_RASA_WORKERS": workers},
    )
    assert shown.stdout.split() == [endpoints, "true" if redis else "false"]


FORKING_PARENT = """
import multiprocessing, os, sys, time
from ops.rasa_server import die_with_parent, remember_parent
os.register_at_fork(before=remember_parent, after_in_child=die_with_parent)
worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(300,))
worker.start()
print(worker.pid, flush=True)
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_rasa_workers_die_with_a_killed_main_process() -> None:
    """Sanic's forked workers would keep the port after ``kill -9`` of the main process."""
    python = ROOT / ".venv-rasa" / "bin" / "python"
    if not python.exists():
        pytest.skip("environnement Rasa absent (make install-rasa)")
    parent = subprocess.Popen(
        [str(python), "-c", FORKING_PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        parent.kill()
