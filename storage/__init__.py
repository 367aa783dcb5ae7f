"""Durable storage: one SQLAlchemy 2 engine, a declarative ``Base`` and Alembic migrations.

Where: ``DATABASE_URL`` (any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``);
without it, a SQLite file ``var/teletravail.db`` at the project root, so a fresh clone
works with no server. ``postgres://`` and ``postgresql://`` URLs are read as psycopg 3.

Schema: tables are declared on :class:`storage.db.Base` by the package that owns them
(``drafts.store``, the web chat's feedback...), and created **only** by the migrations of
``storage/migrations/versions`` — never by ``create_all`` — so SQLite and PostgreSQL get the
same schema. :func:`upgrade_database` applies every pending migration (all heads: two
packages may each add a revision after the same parent); the API calls it at start-up and
``teletravail db upgrade`` does it by hand.

Adding a table: declare the model on ``Base``, then add a revision file under
``storage/migrations/versions`` (``down_revision`` = the revision your table builds on) and a
test under ``tests/storage``.
"""

from storage.db import Base, database_url, get_engine, reset_engine, session_scope
from storage.migrate import current_revisions, upgrade_database

__all__ = [
    "Base",
    "current_revisions",
    "database_url",
    "get_engine",
    "reset_engine",
    "session_scope",
    "upgrade_database",
]
