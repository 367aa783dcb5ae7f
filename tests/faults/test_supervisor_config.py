"""The supervisor configuration of ``make run``: what restarts, where it listens, what it logs.

Fast checks (no process started) that run with every ``make test``; ``test_kill.py`` checks
the behaviour with real processes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

from cli.stack import ROOT

pytestmark = pytest.mark.unit

CONFIG = ROOT / "ops" / "supervisord.conf"
SERVICES = {"actions", "rasa", "api", "tchap"}
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
        "TELETRAVAIL_RASA_ENDPOINTS": "bot/endpoints.yml",
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
