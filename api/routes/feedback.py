"""``POST /api/feedback`` and the recording of unanswered questions seen by ``/api/chat``.

The page sends the question, the answer and its cited sources with the rating; the intent is
read from Rasa's tracker of that conversation (``--enable-api``), so the référents can sort the
gaps by topic. The conversation id serves that look-up only and is not stored. An unanswered
question seen by ``/api/chat`` takes its intent from the reply itself (the abstention
marker's ``intent``, :class:`knowledge.payload.BotPayload`): the tracker, read after the
reply, may already hold the agent's next message. Nothing here is logged with its text; a
database or Rasa failure never breaks the conversation.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy.exc import SQLAlchemyError

from api.deps import Rasa
from api.rasa_client import RasaClient, check_sender
from api.settings import get_web_settings
from knowledge.analysis import sanitize_text
from knowledge.payload import message_payloads
from storage import feedback as store

MAX_SOURCES = 10
logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["avis"])


class CitedSource(BaseModel):
    """A source cited by the answer (the excerpt is not kept: the texts hold it)."""

    doc_id: str = Field(max_length=100)
    title: str = Field(default="", max_length=300)
    section: str = Field(default="", max_length=300)
    date: str = Field(default="", max_length=40)


class FeedbackRequest(BaseModel):
    """A rating of one answer of the assistant."""

    sender: str = Field(description="Identifiant aléatoire de la conversation (non conservé).")
    rating: Literal["up", "down"]
    reason: Literal["incorrect", "incomplete", "source_manquante", "autre"] | None = None
    question: str = Field(min_length=1, max_length=store.MAX_QUESTION_CHARS)
    answer: str = Field(min_length=1, max_length=store.MAX_ANSWER_CHARS)
    sources: list[CitedSource] = Field(default_factory=list)

    @field_validator("sender")
    @classmethod
    def _valid_sender(cls, value: str) -> str:
        return check_sender(value)

    @field_validator("sources")
    @classmethod
    def _few_sources(cls, value: list[CitedSource]) -> list[CitedSource]:
        if len(value) > MAX_SOURCES:
            raise ValueError(f"{MAX_SOURCES} sources au plus")
        return value

    @field_validator("question", "answer")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = sanitize_text(value).strip()
        if not cleaned:
            raise ValueError("le texte est vide")
        return cleaned

    @model_validator(mode="after")
    def _reason_only_when_down(self) -> FeedbackRequest:
        if self.reason is not None and self.rating == "up":
            raise ValueError("une raison n'accompagne qu'un avis négatif")
        return self


class FeedbackCreated(BaseModel):
    """The stored rating."""

    id: int
    message: str


async def intent_of(rasa: RasaClient, sender: str, text: str | None = None) -> str | None:
    """The intent Rasa gave to ``text`` in this conversation (default: the latest message)."""
    tracker = await rasa.tracker(sender)
    if tracker is None:
        return None
    messages: list[Any] = [tracker.get("latest_message")]
    if text is not None:
        messages = [
            event.get("parse_data")
            for event in reversed(tracker.get("events") or [])
            if isinstance(event, dict)
            and event.get("event") == "user"
            and event.get("text") == text
        ]
    for message in messages:
        intent = message.get("intent") if isinstance(message, dict) else None
        name = intent.get("name") if isinstance(intent, dict) else None
        if isinstance(name, str) and name:
            return name[:64]
    return None


def unanswered_kind(messages: list[dict[str, Any]]) -> store.UnansweredKind | None:
    """Whether the bot's reply marks the question as unanswered (``knowledge.payload``).

    A misunderstood message is also searched in the texts, so its abstention carries both
    markers: ``fallback`` (« non comprise ») is the more telling kind and wins.
    """
    payloads = message_payloads(messages)
    if any(payload.fallback for payload in payloads):
        return "fallback"
    if any(payload.abstained for payload in payloads):
        return "abstention"
    return None


def unanswered_intent(messages: list[dict[str, Any]]) -> str | None:
    """The intent the abstention or fallback marker of this very reply carries, if any."""
    for payload in message_payloads(messages):
        if (payload.abstained or payload.fallback) and payload.intent:
            return payload.intent
    return None


async def record_if_unanswered(question: str, messages: list[dict[str, Any]]) -> None:
    """Store the question for the référents when the reply is an abstention or a fallback."""
    kind = unanswered_kind(messages)
    if kind is None or question.startswith("/"):
        return  # a button payload is not a question an agent typed
    intent = unanswered_intent(messages)
    try:
        await run_in_threadpool(
            lambda: store.record_unanswered(
                kind=kind,
                question=question,
                intent=intent,
                retention_days=get_web_settings().feedback_retention_days,
            )
        )
    except SQLAlchemyError as error:
        logger.warning("Question sans réponse non enregistrée : %s", type(error).__name__)


@router.post("/feedback", status_code=201, response_model=FeedbackCreated)
async def post_feedback(request: FeedbackRequest, rasa: Rasa) -> FeedbackCreated:
    """Store a rating with the question, the answer and its cited sources."""
    intent = await intent_of(rasa, request.sender, request.question)
    try:
        feedback_id = await run_in_threadpool(
            lambda: store.record_feedback(
                rating=request.rating,
                reason=request.reason,
                question=request.question,
                answer=request.answer,
                sources=[source.model_dump() for source in request.sources],
                intent=intent,
                retention_days=get_web_settings().feedback_retention_days,
            )
        )
    except SQLAlchemyError as error:
        logger.warning("Avis non enregistré : %s", type(error).__name__)
        raise HTTPException(
            status_code=503,
            detail="Votre avis n'a pas pu être enregistré pour le moment. Réessayez plus tard.",
        ) from None
    return FeedbackCreated(id=feedback_id, message="Merci pour votre avis.")
