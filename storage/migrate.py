"""Apply the Alembic migrations kept inside the package, without any ``alembic.ini``.

The configuration is built in code so that the API, the CLI and the tests migrate the same
way from any working directory; ``heads`` is the target because independent features may
each add a revision on the same parent.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from storage.db import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to an engine (used by ``migrations/env.py``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_database(url: str | None = None) -> list[str]:
    """Apply every pending migration and return the revisions the database is now at."""
    engine = get_engine(url)
    command.upgrade(alembic_config(engine), "heads")
    return current_revisions(url)


def current_revisions(url: str | None = None) -> list[str]:
    """The revisions the database is at (empty before the first migration)."""
    with get_engine(url).connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())
