"""``POST /api/chat``: relay a message to the Rasa assistant and return its messages.

The conversation id comes from the browser (a random id, not personal data). The text is
never logged; Rasa's answer is returned in its REST-channel shape.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import httpx
from fastapi import APIRouter, BackgroundTasks, HTTPException
from pydantic import BaseModel, Field, field_validator

from knowledge.analysis import sanitize_text

MAX_MESSAGE_CHARS = 2000
RASA_TIMEOUT_SECONDS = 30.0
_SENDER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["conversation"])


def rasa_url() -> str:
    """Base URL of the Rasa server (``RASA_URL``, default the local one)."""
    return os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/")


def check_sender(value: str) -> str:
    """Refuse a conversation id that is not 1 to 64 letters, digits, ``-`` or ``_``."""
    if not _SENDER.match(value):
        raise ValueError("identifiant de conversation invalide (lettres, chiffres, - et _)")
    return value


class ChatRequest(BaseModel):
    """One user message in a conversation."""

    sender: str = Field(description="Identifiant aléatoire de la conversation (1 à 64 caractères).")
    message: str = Field(description="Le message, 2 000 caractères au plus.")

    @field_validator("sender")
    @classmethod
    def _valid_sender(cls, value: str) -> str:
        return check_sender(value)

    @field_validator("message")
    @classmethod
    def _valid_message(cls, value: str) -> str:
        cleaned = sanitize_text(value).strip()
        if not cleaned:
            raise ValueError("le message est vide")
        if len(cleaned) > MAX_MESSAGE_CHARS:
            raise ValueError(
                f"le message dépasse {MAX_MESSAGE_CHARS} caractères : raccourcissez-le"
            )
        return cleaned


class BotMessage(BaseModel):
    """One bot message, Rasa REST shape."""

    recipient_id: str | None = None
    text: str | None = None
    buttons: list[dict[str, Any]] | None = None
    custom: dict[str, Any] | None = None
    image: str | None = None


@router.post("/chat", response_model=list[BotMessage], response_model_exclude_none=True)
async def chat(request: ChatRequest, background: BackgroundTasks) -> list[BotMessage]:
    """Send the message to Rasa's REST channel and return the bot's messages.

    An unanswered question is stored for the référents after the reply has gone: looking
    its intent up in Rasa's tracker must not keep the agent waiting.
    """
    payload = {"sender": request.sender, "message": request.message}
    try:
        async with httpx.AsyncClient(timeout=RASA_TIMEOUT_SECONDS) as client:
            response = await client.post(f"{rasa_url()}/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            messages = response.json()
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("Assistant Rasa injoignable : %s", type(error).__name__)
        raise HTTPException(
            status_code=503,
            detail="L'assistant ne répond pas pour le moment. Réessayez dans quelques instants.",
        ) from None
    from api.routes.feedback import record_if_unanswered  # feedback imports this module

    replies = [message for message in messages if isinstance(message, dict)]
    background.add_task(record_if_unanswered, rasa_url(), request.sender, request.message, replies)
    return [BotMessage.model_validate(message) for message in replies]
