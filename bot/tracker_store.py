"""Durable conversation store that deletes a conversation after a quiet hour.

A conversation must survive a restart of the Rasa server (an agent half-way through the
quota form keeps its slots), so it is written to a database: SQLite under ``var/rasa/`` by
default, PostgreSQL (or any SQLAlchemy URL) through configuration. But the events hold what
agents typed — health details and the texts of a draft request included — and the project
promises to keep a conversation only while it is going on (the domain starts a new session
after ``session_expiration_time`` minutes without a message, carrying nothing over). Rasa's
``SQLTrackerStore`` has no delete path, so this subclass adds one: every conversation whose
last event is older than ``retention_minutes`` is deleted, by a purge that runs inside the
Rasa process every ``purge_interval_seconds`` (a daemon thread, so it runs even when nobody
talks) and on demand with ``python -m bot.tracker_store purge`` (``.venv-rasa``). A retrieve
never returns an expired conversation, even between two purges.

Where the database is, first match wins:

- ``TELETRAVAIL_TRACKER_DB_URL``: a full SQLAlchemy URL, e.g.
  ``postgresql://rasa:…@db.example/rasa`` or ``sqlite:////tmp/stack/conversations.db``
  (test stacks use it to get a file of their own);
- ``url`` in ``bot/endpoints.yml`` (a full URL, as Rasa's ``sql`` store accepts);
- ``db`` in ``bot/endpoints.yml``: an SQLite file, relative to the repository root.

``TELETRAVAIL_CONVERSATION_RETENTION_MINUTES`` overrides ``retention_minutes``.

Loaded by Rasa from ``bot/endpoints.yml`` (``tracker_store: type: bot.tracker_store.…``);
runs in ``.venv-rasa`` (Python 3.10, SQLAlchemy 1.4).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RETENTION_MINUTES = 60.0
DEFAULT_PURGE_INTERVAL_SECONDS = 60.0
DEFAULT_DATABASE = "var/rasa/conversations.db"
DATABASE_URL_VARIABLE = "TELETRAVAIL_TRACKER_DB_URL"
RETENTION_VARIABLE = "TELETRAVAIL_CONVERSATION_RETENTION_MINUTES"
# Deleted per statement: SQLite allows 999 bound parameters in old builds.
DELETE_BATCH = 500
logger = logging.getLogger(__name__)


def database_url(url: str | None, db: str) -> str:
    """The database to use: the environment variable, else ``url``, else SQLite ``db``."""
    chosen = os.environ.get(DATABASE_URL_VARIABLE) or url
    if chosen and "://" in chosen:
        return chosen
    path = Path(db) if Path(db).is_absolute() else ROOT / db
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class RetainedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose conversations are deleted after ``retention_minutes``."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        retention_minutes: float = DEFAULT_RETENTION_MINUTES,
        purge_interval_seconds: float = DEFAULT_PURGE_INTERVAL_SECONDS,
        db: str = DEFAULT_DATABASE,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        """Open (and create) the database; start the periodic purge unless the interval is 0.

        ``clock`` must tell the same time as event timestamps (seconds since the epoch).
        """
        retention = float(os.environ.get(RETENTION_VARIABLE) or retention_minutes)
        if retention <= 0:
            raise ValueError("retention_minutes doit être strictement positif")
        self.retention_seconds = retention * 60
        self._clock = clock
        # ``dialect``, ``db`` and friends are folded into the URL: drop Rasa's own.
        for key in ("dialect", "port", "username", "password", "login_db", "query"):
            kwargs.pop(key, None)
        super().__init__(domain, host=database_url(host, db), event_broker=event_broker, **kwargs)
        self._stop = threading.Event()
        self._purger: threading.Thread | None = None
        if float(purge_interval_seconds) > 0:
            self._purger = threading.Thread(
                target=self._purge_periodically,
                args=(float(purge_interval_seconds),),
                name="tracker-retention-purge",
                daemon=True,
            )
            self._purger.start()

    def _purge_periodically(self, interval: float) -> None:
        """Purge now, then every ``interval`` seconds, until :meth:`close`."""
        while True:
            try:
                self.purge_expired()
            except Exception:  # a database hiccup must not end the purging for good
                logger.exception("Purge des conversations expirées impossible")
            if self._stop.wait(interval):
                return

    def close(self) -> None:
        """Stop the periodic purge and release the database connections."""
        self._stop.set()
        self.engine.dispose()

    def _cutoff(self) -> float:
        return self._clock() - self.retention_seconds

    def purge_expired(self) -> int:
        """Delete the conversations whose last event is older than the retention.

        Returns:
            How many conversations were deleted.

        """
        events = self.SQLEvent.__table__
        quiet = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < self._cutoff())
        )
        with self.session_scope() as session:
            senders = [sender for (sender,) in session.execute(quiet)]
            for start in range(0, len(senders), DELETE_BATCH):
                batch = senders[start : start + DELETE_BATCH]
                session.execute(events.delete().where(events.c.sender_id.in_(batch)))
            session.commit()
        if senders:
            # Counts only: a conversation id may be a pseudonym, never log the messages.
            logger.info("%d conversation(s) expirée(s) effacée(s)", len(senders))
        return len(senders)

    def _delete(self, sender_id: str) -> None:
        events = self.SQLEvent.__table__
        with self.session_scope() as session:
            session.execute(events.delete().where(events.c.sender_id == sender_id))
            session.commit()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The conversation, unless it expired since the last purge (then it is deleted)."""
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is None or not tracker.events:
            return tracker
        if tracker.events[-1].timestamp < self._cutoff():
            self._delete(sender_id)
            return None
        return tracker

    async def keys(self) -> Iterable[str]:
        """The conversations still kept (expired ones are purged first)."""
        self.purge_expired()
        return await super().keys()


def _load_store(endpoints: str) -> RetainedSQLTrackerStore:
    """The store configured in ``endpoints``, without its periodic purge."""
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(endpoints, "tracker_store")
    if config is None:
        raise SystemExit(f"Pas de « tracker_store » dans {endpoints}")
    settings = {**config.kwargs, "purge_interval_seconds": 0}
    return RetainedSQLTrackerStore(host=config.url, **settings)


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.tracker_store purge``: delete the expired conversations now."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.tracker_store",
        description="Efface les conversations Rasa restées sans message plus que la rétention.",
    )
    parser.add_argument("command", choices=["purge"])
    parser.add_argument("--endpoints", default=str(ROOT / "bot" / "endpoints.yml"))
    args = parser.parse_args(argv)
    store = _load_store(args.endpoints)
    started = time.perf_counter()
    deleted = store.purge_expired()
    elapsed = time.perf_counter() - started
    store.close()
    print(f"{deleted} conversation(s) effacée(s) en {elapsed:.3f} s", file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
