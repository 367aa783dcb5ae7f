"""Relay of an agent's message to the Rasa assistant's REST channel.

The bot is one more channel of the same assistant as the web chat: same webhook
(``/webhooks/rest/webhook``), same message shape back (``[{"text", "buttons", "custom"}]``).
The conversation id must not be the Matrix id (Rasa's trackers and the référents' exports
would then hold names): it is a keyed hash of user and room, stable across restarts because
the key lives in the bot's store.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)
WEBHOOK_PATH = "/webhooks/rest/webhook"
# The API's own limit on a message (api/routes/chat.py): Rasa is not fed more than this.
MAX_MESSAGE_CHARS = 2000


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, timed out, or not a list of messages)."""


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
        self._url = base_url.rstrip("/") + WEBHOOK_PATH
        self._client = httpx.AsyncClient(timeout=timeout_seconds)

    async def ask(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send ``text`` for conversation ``sender``; return Rasa's messages.

        Raises:
            RasaUnavailable: Rasa is unreachable, answered an error, or not a list.

        """
        payload = {"sender": sender, "message": text[:MAX_MESSAGE_CHARS]}
        try:
            response = await self._client.post(self._url, json=payload)
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("Rasa unavailable for %s: %s", sender, type(error).__name__)
            raise RasaUnavailable(str(error)) from error
        if not isinstance(messages, list):
            raise RasaUnavailable("Rasa answered something other than a list of messages")
        return [m for m in messages if isinstance(m, dict)]

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.aclose()
