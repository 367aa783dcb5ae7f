"""Settings of the storage layer, from the environment: which database to use.

A small class of its own (the style of ``api/settings.py``) so that the API, the action
server, the Tchap bot and the CLI, which all store through this package, read
``DATABASE_URL`` the same way, with its name and type in one place.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class StorageSettings(BaseSettings):
    """``DATABASE_URL``: a SQLAlchemy URL (``postgres://`` accepted); unset, the SQLite file."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None


def get_storage_settings() -> StorageSettings:
    """The settings as the environment holds them now.

    Not cached: a process (a test, a command given ``--url``) may point ``DATABASE_URL``
    elsewhere and call :func:`storage.reset_engine`; the engines themselves are cached per
    URL, so reading the variable costs microseconds per session.
    """
    return StorageSettings()
