"""The storage foundation on real databases: URL handling, migrations, sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from storage import current_revisions, database_url, get_engine, session_scope, upgrade_database
from storage.migrate import MIGRATIONS_DIR

pytestmark = pytest.mark.integration


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    return set(ScriptDirectory.from_config(alembic_config(get_engine("sqlite://"))).get_heads())


def test_default_url_is_a_sqlite_file_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_url()
    assert url.startswith("sqlite:///") and url.endswith("var/teletravail.db")


def test_postgres_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/tt")
    assert database_url() == "postgresql+psycopg://u:p@db.example/tt"
    assert database_url("postgresql://h/x") == "postgresql+psycopg://h/x"


def test_migrations_live_in_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").exists()
    assert any((MIGRATIONS_DIR / "versions").glob("0001_*.py"))


def test_upgrade_creates_the_file_and_reaches_every_head(sqlite_url: str, tmp_path: Path) -> None:
    assert current_revisions(sqlite_url) == []
    revisions = upgrade_database(sqlite_url)
    assert set(revisions) == _heads()
    assert (tmp_path / "test.db").exists()
    # A second run is a no-op, not an error.
    assert upgrade_database(sqlite_url) == revisions
    assert "alembic_version" in inspect(get_engine(sqlite_url)).get_table_names()


def test_sqlite_enforces_foreign_keys(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_session_rolls_back_on_error(sqlite_url: str) -> None:
    with get_engine(sqlite_url).begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(RuntimeError), session_scope(sqlite_url) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError
    with session_scope(sqlite_url) as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
    with get_engine(sqlite_url).connect() as connection:
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [2]


def test_cli_upgrade_and_status(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.main import app

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    runner = CliRunner()
    before = runner.invoke(app, ["db", "status"])
    assert before.exit_code == 0 and "non migrée" in before.output
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Migrations appliquées" in result.output
    after = runner.invoke(app, ["db", "status"])
    assert all(head in after.output for head in _heads())


def test_postgresql_migrations(postgresql_url: str) -> None:
    revisions = upgrade_database(postgresql_url)
    assert set(revisions) == _heads()
    with get_engine(postgresql_url).connect() as connection:
        assert connection.dialect.name == "postgresql"
        assert "alembic_version" in inspect(connection).get_table_names()
