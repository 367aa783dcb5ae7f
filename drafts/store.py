"""The drafts tables: one row per request, one per generated document.

A draft keeps the validated request (needed to write the manager's documents later), its
warnings and its expiry date; a document row keeps its name, and for the manager's documents
the decision inputs. Ids are random UUIDs (``uuid4``): a document is reachable only by
whoever holds the id. Deleting a draft deletes its documents (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage import Base


def utcnow() -> dt.datetime:
    """Now, timezone-aware (stored as UTC)."""
    return dt.datetime.now(dt.UTC)


class DraftRow(Base):
    """A request for telework and the documents made from it."""

    __tablename__ = "drafts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    documents: Mapped[list[DocumentRow]] = relationship(
        back_populates="draft",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DocumentRow.created_at",
        lazy="selectin",
    )


class DocumentRow(Base):
    """One generated document (both its DOCX and its PDF files) of a draft."""

    __tablename__ = "draft_documents"

    draft_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    draft: Mapped[DraftRow] = relationship(back_populates="documents")
