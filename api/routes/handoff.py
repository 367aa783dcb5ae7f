"""``GET /api/chat/{sender}/referent-replies``: the référents' answers for an open chat page.

A web agent who agreed to a hand-off gets the référent's answer in the chat page while it is
open: the page (``web/static/referent-replies.js``) polls this route every ~10 s once a
ticket was created in the tab. Each answer is returned once and then marked delivered. The
random conversation id of the tab is the only key, as for ``/api/chat``; Tchap tickets are
never returned here (the Tchap bot delivers them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.rasa_client import check_sender
from storage.tickets import take_replies

router = APIRouter(prefix="/api/chat", tags=["chat"])
LABEL = "Réponse du référent télétravail"


class ReferentReply(BaseModel):
    """One answer of a référent, to show marked as such (a person's answer, not a text)."""

    ticket: int = Field(description="Numéro de la demande.")
    label: str = Field(description="« Réponse du référent télétravail ».")
    text: str = Field(description="La réponse, telle qu'écrite par le référent.")
    created_at: datetime


class ReferentReplies(BaseModel):
    """The answers not yet shown in this conversation (often none)."""

    replies: list[ReferentReply]


@router.get("/{sender}/referent-replies", response_model=ReferentReplies)
async def referent_replies(
    sender: Annotated[str, PathParam(max_length=64, description="Identifiant de conversation.")],
) -> ReferentReplies:
    """Return the référents' answers not yet shown in this conversation, once each."""
    try:
        check_sender(sender)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    deliveries = await run_in_threadpool(take_replies, sender)
    return ReferentReplies(
        replies=[
            ReferentReply(ticket=d.ticket_id, label=LABEL, text=d.text, created_at=d.created_at)
            for d in deliveries
        ]
    )
