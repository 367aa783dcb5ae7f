"""A real, throw-away Synapse homeserver for the Tchap bot's tests.

Synapse (``matrix-synapse`` from PyPI) lives in its own environment, ``.venv-synapse``
(``make install-synapse``): its pinned Twisted and cryptography stacks must not meet the
project's. Each run writes a config into a temporary folder — SQLite database, one HTTP
listener on 127.0.0.1 on a free port, registration by shared secret only, rate limits raised
so that tests measure the bot and not the limiter — and Synapse generates its signing key
there on first start (``--generate-missing-and-run``, its default mode).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import yaml

from cli.stack import terminate_group

ROOT = Path(__file__).resolve().parents[2]
SYNAPSE_PYTHON = ROOT / ".venv-synapse" / "bin" / "python"
GENEROUS = {"per_second": 1000, "burst_count": 1000}


class HomeserverError(RuntimeError):
    """Synapse did not start or refused an administrative request."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _config(directory: Path, server_name: str, port: int, shared_secret: str) -> dict[str, object]:
    """Synapse settings for a local test server (no federation, no outbound requests)."""
    return {
        "server_name": server_name,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log.yaml"),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "enable_registration": False,
        "report_stats": False,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "encryption_enabled_by_default_for_room_type": "all",
        "rc_message": GENEROUS,
        "rc_registration": GENEROUS,
        "rc_login": {"address": GENEROUS, "account": GENEROUS, "failed_attempts": GENEROUS},
        "rc_joins": {"local": GENEROUS, "remote": GENEROUS},
        "rc_joins_per_room": GENEROUS,
        "rc_invites": {"per_room": GENEROUS, "per_user": GENEROUS, "per_issuer": GENEROUS},
        "rc_key_requests": GENEROUS,
        "rc_3pid_validation": GENEROUS,
        "rc_admin_redaction": GENEROUS,
        "rc_room_creation": GENEROUS,
    }


def _log_config(directory: Path) -> dict[str, object]:
    """Warnings only, to a file: the tests print it when the server misbehaves."""
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "filename": str(directory / "homeserver.log"),
                "formatter": "plain",
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


@dataclass
class Homeserver:
    """One Synapse process on 127.0.0.1; ``register`` creates users with the shared secret."""

    server_name: str = "agent.finances.tchap.test"
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="synapse-")))
    port: int = field(default_factory=free_port)
    shared_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    startup_timeout: float = 60.0
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Client-server API base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        """The generated ``homeserver.yaml``."""
        return self.directory / "homeserver.yaml"

    def start(self) -> Homeserver:
        """Write the config (first time only) and start Synapse; return once it answers."""
        if not SYNAPSE_PYTHON.exists():
            raise HomeserverError("Synapse absent : lancez « make install-synapse ».")
        if not self.config_path.exists():
            settings = _config(self.directory, self.server_name, self.port, self.shared_secret)
            self.config_path.write_text(yaml.safe_dump(settings), "utf-8")
            (self.directory / "log.yaml").write_text(yaml.safe_dump(_log_config(self.directory)))
        output = (self.directory / "stdout.log").open("ab")
        self._process = subprocess.Popen(
            [str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=self.directory,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SYNAPSE_ASYNC_IO_REACTOR": "0"},
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise HomeserverError(f"Synapse s'est arrêté au démarrage : {self.logs()}")
            try:
                if httpx.get(f"{self.url}/_matrix/client/versions", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise HomeserverError(f"Synapse n'a pas répondu en {self.startup_timeout:.0f} s")

    def stop(self) -> None:
        """Stop Synapse (SIGTERM, then SIGKILL after 10 s); its data stays for a restart."""
        if self._process is None:
            return
        terminate_group(self._process, grace_s=10)
        self._process = None

    def remove(self) -> None:
        """Stop Synapse and delete its folder."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def logs(self) -> str:
        """The end of Synapse's output and log, for failure messages."""
        parts = []
        for name in ("stdout.log", "homeserver.log"):
            path = self.directory / name
            if path.exists():
                parts.append(path.read_text("utf-8", errors="replace")[-3000:])
        return "\n".join(parts)

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Create a user through the shared-secret admin API; return its Matrix id.

        The HMAC covers nonce, user, password and admin flag (Synapse's documented scheme),
        which is what ``register_new_matrix_user`` does, without a process per user.
        """
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint, timeout=10).json()["nonce"]
        message = b"\x00".join(
            [
                nonce.encode(),
                localpart.encode(),
                password.encode(),
                b"admin" if admin else b"notadmin",
            ]
        )
        mac = hmac.new(self.shared_secret.encode(), message, hashlib.sha1).hexdigest()
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac,
        }
        response = httpx.post(endpoint, json=body, timeout=10)
        if response.status_code != 200:
            raise HomeserverError(f"inscription de {localpart} refusée : {response.text}")
        user_id: str = response.json()["user_id"]
        return user_id

    def __enter__(self) -> Homeserver:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.remove()
