"""Typed records shared by the knowledge base, the rules engine, the API and the bot.

``Source`` is the citation shape fixed by the API contract (``sources[]`` of ``/api/ask``,
``/api/quota``…): every answer the assistant gives carries a list of them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class DocumentMeta(BaseModel):
    """Front matter of one official text: who issued it, when, for whom."""

    doc_id: str
    title: str
    issuer: str = ""
    date: str = Field(default="", description="Date of the text, ISO 8601 (YYYY-MM-DD or YYYY).")
    scope: str = ""
    kind: str = ""
    note: str = ""


class Source(BaseModel):
    """A citation: which text, which section, what it says (contract of ARCHITECTURE.md)."""

    doc_id: str
    title: str
    section: str
    date: str
    excerpt: str
    # Hybrid retrieval relevance (weighted standardised scores, unbounded: it ranks, it is
    # not a probability); None for a citation that comes from the rules engine.
    score: float | None = None
