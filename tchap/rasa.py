"""Relay of an agent's message to the Rasa assistant's REST channel.

The bot is one more channel of the same assistant as the web chat: same webhook
(``/webhooks/rest/webhook``), same message shape back (``[{"text", "buttons", "custom"}]``),
through the same client (``api.rasa_client``), so a silent Rasa (an empty reply: the action
server is down) is a failure here too, told to the agent as such.

The conversation id must not be the Matrix id (Rasa's trackers and the référents' exports
would then hold names): it is a keyed hash of user and room, stable across restarts because
the key lives in the bot's store.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from api.rasa_client import MAX_MESSAGE_CHARS, WEBHOOK_PATH, RasaClient, RasaUnavailable

__all__ = [
    "MAX_MESSAGE_CHARS",
    "WEBHOOK_PATH",
    "RasaRelay",
    "RasaUnavailable",
    "conversation_id",
]


def conversation_id(secret: str, user_id: str, room_id: str) -> str:
    """Pseudonymous Rasa sender for one agent in one room: ``tchap-`` + 40 hex characters.

    Keyed (HMAC-SHA256) rather than a bare hash: Matrix ids are guessable, so a bare hash
    could be reversed by hashing a directory of agents. Fits the API's sender pattern
    (1 to 64 letters, digits, ``-``, ``_``).
    """
    digest = hmac.new(secret.encode(), f"{user_id}\n{room_id}".encode(), hashlib.sha256)
    return f"tchap-{digest.hexdigest()[:40]}"


class RasaRelay:
    """Posts messages to Rasa's REST webhook over one pooled HTTP client."""

    def __init__(self, base_url: str, timeout_seconds: float = 30.0) -> None:
        self._rasa = RasaClient(base_url, timeout_seconds=timeout_seconds)

    async def ask(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send ``text`` for conversation ``sender``; return Rasa's messages.

        Raises:
            RasaUnavailable: Rasa is unreachable, timed out, answered an error, not a list,
                or no message at all (the action server is down).

        """
        return await self._rasa.send(sender, text[:MAX_MESSAGE_CHARS])

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._rasa.aclose()
