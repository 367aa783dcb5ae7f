"""``POST /api/chat``: relay a message to the Rasa assistant and return its messages.

The conversation id comes from the browser (a random id, not personal data). The text is
never logged; Rasa's answer is returned in its REST-channel shape. When Rasa is down, slow,
failing or silent (an empty reply: the action server is down), the agent gets a French 503
that the page shows with a retry button, never an empty turn.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException
from pydantic import BaseModel, Field, field_validator

from api.deps import Rasa
from api.metrics import record_chat_reply, record_rasa_failure
from api.rasa_client import MAX_MESSAGE_CHARS, RasaUnavailable, check_sender
from api.routes.feedback import record_if_unanswered
from knowledge.analysis import sanitize_text

UNAVAILABLE_MESSAGE = (
    "L'assistant ne répond pas pour le moment, votre conversation est conservée : "
    "réessayez dans un instant."
)
router = APIRouter(prefix="/api", tags=["conversation"])


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


@router.post(
    "/chat",
    response_model=list[BotMessage],
    response_model_exclude_none=True,
    responses={503: {"description": "L'assistant ne répond pas (message en français)."}},
)
async def chat(request: ChatRequest, background: BackgroundTasks, rasa: Rasa) -> list[BotMessage]:
    """Send the message to Rasa's REST channel and return the bot's messages.

    An unanswered question is stored for the référents after the reply has gone, with the
    intent its reply carries (not the tracker's, which the next message may have changed):
    the database write must not keep the agent waiting.
    """
    try:
        replies = await rasa.send(request.sender, request.message)
    except RasaUnavailable as error:
        # The client has logged the failure's kind; the message itself is never logged.
        record_rasa_failure(error.kind)
        raise HTTPException(status_code=503, detail=UNAVAILABLE_MESSAGE) from None
    record_chat_reply(replies)
    background.add_task(record_if_unanswered, request.message, replies)
    return [BotMessage.model_validate(message) for message in replies]
