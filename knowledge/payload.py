"""The custom payload of the assistant's messages, defined once for its writers and readers.

The action server attaches it to a bot message (rasa-sdk ``json_message``; Rasa's REST
channel returns it as ``custom``). Writers: the answer actions (abstention and fallback
markers, cited sources), the drafting forms (document links), the hand-off (the ticket
created). Readers: the API (questions to record for the référents, the metrics' outcomes),
the Tchap formatter (document links) and the web chat
(``web/static/chat.js``, ``readPayload``, which mirrors this model by hand).

Its JSON keeps the shape the page and the tests have always seen: only the fields that say
something are written (``{"abstained": true}``, ``{"sources": [...]}``), and a source keeps
every field of the ``/api/ask`` contract, ``score: null`` included. Reading is tolerant: a
``custom`` that is not ours (another channel's, or a malformed one) reads as an empty payload,
so that a foreign message can never break a reply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.models import Source

logger = logging.getLogger(__name__)

# ``{"annexe-1": {"docx": url, "pdf": url}}``: the ``documents`` of ``POST /api/drafts``.
DocumentLinks = dict[str, dict[str, str]]
MAX_INTENT_CHARS = 64


class Handoff(BaseModel):
    """The question was passed on to the référents: the ticket that holds it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    ticket: int = Field(ge=1, description="The ticket's number, as told to the agent.")


class BotPayload(BaseModel):
    """What a bot message carries besides its text and buttons."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    abstained: bool = Field(
        default=False,
        description="No text answers the question: the référents' page lists it.",
    )
    fallback: bool = Field(
        default=False,
        description="The NLU did not understand the message either (always with abstained).",
    )
    sources: list[Source] = Field(
        default_factory=list, description="Citations, in the shape of /api/ask's sources."
    )
    documents: DocumentLinks = Field(
        default_factory=dict, description="Download links of drafted documents."
    )
    handoff: Handoff | None = Field(
        default=None, description="Set on the message confirming a ticket (actions/handoff.py)."
    )
    intent: str | None = Field(
        default=None,
        description=(
            "The intent the NLU gave the message this reply answers, written with the "
            "abstention marker: the API records it from the reply itself, never from the "
            "tracker, which a faster next message may already have changed."
        ),
    )

    @field_validator("intent", mode="before")
    @classmethod
    def _intent_name(cls, value: object) -> str | None:
        """A name cut to its stored length; anything but a non-empty string reads as None.

        Tolerant like the rest of the reading, and like ``readPayload`` in chat.js, so that
        a foreign ``intent`` never voids the markers beside it.
        """
        return value[:MAX_INTENT_CHARS] if isinstance(value, str) and value else None

    def to_custom(self) -> dict[str, Any]:
        """The JSON to send as ``json_message``: only the fields that say something.

        Not ``exclude_none``/``exclude_defaults``: those apply to the nested sources too and
        would drop their ``score: null``, which the ``/api/ask`` contract keeps.
        """
        present = {name for name, value in self if value}
        return self.model_dump(mode="json", include=present)

    @classmethod
    def read(cls, custom: object) -> BotPayload:
        """Parse a message's ``custom``; anything that is not a valid payload reads as empty."""
        if not isinstance(custom, dict):
            return cls()
        try:
            return cls.model_validate(custom)
        except ValidationError as error:
            logger.info("Charge utile de message ignorée (%d erreurs)", error.error_count())
            return cls()


def message_payloads(messages: Iterable[object]) -> list[BotPayload]:
    """The payload of each message of a Rasa REST reply (empty for one without ``custom``)."""
    return [
        BotPayload.read(message.get("custom") if isinstance(message, dict) else None)
        for message in messages
    ]
