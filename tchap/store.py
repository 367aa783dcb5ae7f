"""What the bot keeps between runs, in ``TCHAP_STORE_DIR``.

- ``session.json``: user id, device id and access token from the one password login. A bot
  that logs in at every start gets a new device each time, and the agents' clients must
  then share their room keys with a device they have never seen: messages sent around a
  restart become undecryptable. So the password is used once, the token reused after.
- ``crypto/``: matrix-nio's key store (Olm account, Megolm sessions, device lists) and the
  sync token, written by nio itself (``store_sync_tokens``).
- ``state.sqlite``: ids of the events already handled (so a restart never answers twice),
  the secret that turns a Matrix user and room into a conversation id for Rasa, and which
  room each conversation id lives in (so that a référent's answer to a ticket, which only
  knows the pseudonymous id, reaches the agent's room: the shared database never holds a
  Matrix id or room).

Everything here is written owner-only (0600 / 0700): the token and the keys are the bot's
identity.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# Handled event ids older than this are forgotten: the start-up cut-off (events older than
# the process) already covers them, the table only has to bridge a restart.
HANDLED_RETENTION_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Session:
    """A login to reuse: the token belongs to one device, whose keys are in the store."""

    user_id: str
    device_id: str
    access_token: str


class BotStore:
    """The bot's folder: session file, nio's crypto store folder, handled events, secret."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.crypto_dir.mkdir(exist_ok=True, mode=0o700)
        self._db = sqlite3.connect(self.directory / "state.sqlite", isolation_level=None)
        os.chmod(self.directory / "state.sqlite", 0o600)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS handled_events"
            " (event_id TEXT PRIMARY KEY, handled_at REAL NOT NULL)"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS conversation_rooms"
            " (conversation_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, seen_at REAL NOT NULL)"
        )
        self._db.execute(
            "DELETE FROM handled_events WHERE handled_at < ?",
            (time.time() - HANDLED_RETENTION_SECONDS,),
        )

    @property
    def crypto_dir(self) -> Path:
        """Folder given to matrix-nio as ``store_path``."""
        return self.directory / "crypto"

    @property
    def _session_file(self) -> Path:
        return self.directory / "session.json"

    def load_session(self, user_id: str) -> Session | None:
        """The saved login of ``user_id``, or None (first start, or another bot account)."""
        if not self._session_file.exists():
            return None
        data = json.loads(self._session_file.read_text("utf-8"))
        session = Session(**data)
        return session if session.user_id == user_id else None

    def save_session(self, session: Session) -> None:
        """Write the login atomically, readable by the owner only."""
        temporary = self._session_file.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(asdict(session), handle)
        temporary.replace(self._session_file)

    def forget_session(self) -> None:
        """Drop a login the homeserver no longer accepts (its token was revoked)."""
        self._session_file.unlink(missing_ok=True)

    def claim_event(self, event_id: str) -> bool:
        """Record ``event_id`` as handled; False if it already was.

        Claimed *before* the reply is sent: after a crash between the two, the agent may miss
        one answer and ask again, but never reads the same answer twice.
        """
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO handled_events (event_id, handled_at) VALUES (?, ?)",
            (event_id, time.time()),
        )
        return cursor.rowcount == 1

    def secret(self, name: str) -> str:
        """A random secret created on first use and kept with the store."""
        self._db.execute(
            "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)",
            (name, secrets.token_hex(32)),
        )
        row = self._db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        value: str = row[0]
        return value

    def remember_room(self, conversation_id: str, room_id: str) -> None:
        """Record the room of a conversation (the agent's direct conversation with the bot)."""
        self._db.execute(
            "INSERT OR REPLACE INTO conversation_rooms (conversation_id, room_id, seen_at)"
            " VALUES (?, ?, ?)",
            (conversation_id, room_id, time.time()),
        )

    def room_of(self, conversation_id: str) -> str | None:
        """The room of a conversation id, if this bot has relayed a message of it."""
        row = self._db.execute(
            "SELECT room_id FROM conversation_rooms WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        return str(row[0]) if row else None

    def close(self) -> None:
        """Close the database."""
        self._db.close()
