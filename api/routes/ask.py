"""``POST /api/ask``: a cited extractive answer, or an abstention."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, field_validator

from api.metrics import counting_errors, record_ask_reply
from knowledge.analysis import sanitize_text
from knowledge.models import Source
from knowledge.service import get_engine

MAX_QUESTION_CHARS = 2000
router = APIRouter(prefix="/api", tags=["questions"])


class AskRequest(BaseModel):
    """A question typed by an agent."""

    question: str = Field(description="La question, en français (2 000 caractères au plus).")

    @field_validator("question")
    @classmethod
    def _reasonable(cls, value: str) -> str:
        cleaned = sanitize_text(value).strip()
        if not cleaned:
            raise ValueError("la question est vide : écrivez votre question")
        if len(cleaned) > MAX_QUESTION_CHARS:
            raise ValueError(
                f"la question dépasse {MAX_QUESTION_CHARS} caractères : raccourcissez-la"
            )
        return cleaned


class AskResponse(BaseModel):
    """The answer with its citations (contract of ARCHITECTURE.md)."""

    answer: str
    abstained: bool
    sources: list[Source]


@router.post("/ask", response_model=AskResponse)
async def ask(request: AskRequest) -> AskResponse:
    """Answer from the official texts; below the calibrated confidence, abstain."""
    with counting_errors("ask"):
        engine = await run_in_threadpool(get_engine)
        result = await run_in_threadpool(engine.ask, request.question)
    record_ask_reply(abstained=result.abstained, cited=bool(result.sources))
    return AskResponse(answer=result.answer, abstained=result.abstained, sources=result.sources)
