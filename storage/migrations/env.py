"""Alembic environment: migrate the engine handed over by :mod:`storage.migrate`."""

from __future__ import annotations

from alembic import context

import storage.models  # noqa: F401  (every table on Base.metadata, for autogenerate)
from storage.db import Base, get_engine

config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
