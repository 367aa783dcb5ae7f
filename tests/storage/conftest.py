"""Databases for the storage tests: a fresh SQLite file, and a real PostgreSQL server.

The PostgreSQL server is started from Debian's binaries (``postgresql`` package) in a
temporary folder, listening on a Unix socket only (no TCP port to collide with another
run). PostgreSQL refuses to run as root: as root, it runs as the ``postgres`` user when
it exists, else ``nobody``. Without the binaries the tests are skipped, saying why.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    from storage import reset_engine

    yield f"sqlite:///{tmp_path / 'test.db'}"
    reset_engine()


def _pg_bin() -> Path | None:
    for directory in PG_BIN_DIRS:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _runner() -> tuple[list[str], str | None]:
    """Command prefix to run PostgreSQL's programs, and the user they run as."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"], user
    pytest.skip("PostgreSQL ne tourne pas en root et aucun utilisateur non privilégié n'existe")


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A throw-away PostgreSQL server; yields a psycopg URL to its ``postgres`` database."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip(
            "binaires PostgreSQL absents (/usr/lib/postgresql/*/bin) : "
            "`apt-get install postgresql` pour lancer ce test"
        )
    prefix, user = _runner()
    root = Path(tempfile.mkdtemp(prefix="teletravail-pg-"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (root, socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    log = root / "server.log"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, env=env, timeout=120)

    try:
        run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-k {socket_dir} -c listen_addresses='' -p 5432 -F"
        run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
    except subprocess.CalledProcessError as error:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"PostgreSQL n'a pas démarré : {error.stderr.decode(errors='replace')}")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}&port=5432"
    finally:
        from storage import reset_engine

        reset_engine()
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
