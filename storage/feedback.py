"""What the référents need to fill the gaps: agents' feedback and the questions left unanswered.

Stored: the question as typed (it may hold personal details, hence the retention period), the
answer, the cited sources (identifiers, title, section, date: not the excerpts, which the
texts hold), the rating and its reason, the intent and the time. Not stored: the conversation
id, the agent's name, any network address. Rows older than the retention period are deleted
whenever something is recorded or read (:func:`purge_expired`).

The tables are created by the migration ``0003_web_feedback`` (never by ``create_all``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, session_scope

Rating = Literal["up", "down"]
Reason = Literal["incorrect", "incomplete", "source_manquante", "autre"]
UnansweredKind = Literal["abstention", "fallback"]
REASON_LABELS: dict[str, str] = {
    "incorrect": "incorrecte",
    "incomplete": "incomplète",
    "source_manquante": "source manquante",
    "autre": "autre",
}
KIND_LABELS: dict[str, str] = {"abstention": "aucun texte trouvé", "fallback": "non comprise"}
MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 4000
UNKNOWN_INTENT = "(inconnue)"


def _now() -> datetime:
    return datetime.now(UTC)


class Feedback(Base):
    """One 👍 / 👎 given on an answer."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class UnansweredQuestion(Base):
    """A message the assistant could not answer: no text found, or not understood."""

    __tablename__ = "unanswered_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class Tally:
    """Counts of feedback for one source or one intent."""

    key: str
    label: str
    up: int
    down: int
    reasons: dict[str, int]

    @property
    def total(self) -> int:
        """Number of ratings."""
        return self.up + self.down


def purge_expired(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete feedback and unanswered questions older than the retention period."""
    cutoff = (now or _now()) - timedelta(days=retention_days)
    removed = 0
    for table in (Feedback, UnansweredQuestion):
        result = session.execute(delete(table).where(table.created_at < cutoff))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def record_feedback(
    *,
    rating: Rating,
    reason: Reason | None,
    question: str,
    answer: str,
    sources: list[dict[str, str]],
    intent: str | None,
    retention_days: int,
    url: str | None = None,
) -> int:
    """Store one rating (the oldest rows expire first) and return its id."""
    row = Feedback(
        created_at=_now(),
        rating=rating,
        reason=reason if rating == "down" else None,
        intent=intent,
        question=question[:MAX_QUESTION_CHARS],
        answer=answer[:MAX_ANSWER_CHARS],
        sources=[
            {key: str(source.get(key, ""))[:300] for key in ("doc_id", "title", "section", "date")}
            for source in sources
        ],
    )
    with session_scope(url) as session:
        purge_expired(session, retention_days)
        session.add(row)
        session.flush()
        return row.id


def record_unanswered(
    *,
    kind: UnansweredKind,
    question: str,
    intent: str | None,
    retention_days: int,
    url: str | None = None,
) -> int:
    """Store a question left unanswered and return its id."""
    row = UnansweredQuestion(
        created_at=_now(), kind=kind, intent=intent, question=question[:MAX_QUESTION_CHARS]
    )
    with session_scope(url) as session:
        purge_expired(session, retention_days)
        session.add(row)
        session.flush()
        return row.id


def unanswered_questions(
    retention_days: int, limit: int | None = None, url: str | None = None
) -> list[UnansweredQuestion]:
    """The unanswered questions, newest first."""
    with session_scope(url) as session:
        purge_expired(session, retention_days)
        query = select(UnansweredQuestion).order_by(
            UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc()
        )
        return list(session.scalars(query.limit(limit) if limit else query))


def feedback_rows(
    retention_days: int, limit: int | None = None, url: str | None = None
) -> list[Feedback]:
    """The feedback, newest first."""
    with session_scope(url) as session:
        purge_expired(session, retention_days)
        query = select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc())
        return list(session.scalars(query.limit(limit) if limit else query))


def _tally(groups: dict[str, tuple[str, list[Feedback]]]) -> list[Tally]:
    tallies = []
    for key, (label, rows) in groups.items():
        ratings = Counter(row.rating for row in rows)
        reasons = Counter(row.reason for row in rows if row.reason)
        tallies.append(Tally(key, label, ratings["up"], ratings["down"], dict(reasons)))
    # The most criticised first: that is where the référents look.
    return sorted(tallies, key=lambda t: (-t.down, -t.total, t.label))


def by_source(rows: list[Feedback]) -> list[Tally]:
    """Feedback per cited section (a rating counts once for each section it cited)."""
    groups: dict[str, tuple[str, list[Feedback]]] = {}
    for row in rows:
        cited = row.sources or [{"doc_id": "", "title": "", "section": ""}]
        seen: set[str] = set()
        for source in cited:
            key = f"{source.get('doc_id', '')}#{source.get('section', '')}"
            if key in seen:
                continue
            seen.add(key)
            label = " — ".join(
                part for part in (source.get("title"), source.get("section")) if part
            )
            groups.setdefault(key, (label or "(aucune source citée)", []))[1].append(row)
    return _tally(groups)


def by_intent(rows: list[Feedback]) -> list[Tally]:
    """Feedback per intent of the question."""
    groups: dict[str, tuple[str, list[Feedback]]] = {}
    for row in rows:
        intent = row.intent or UNKNOWN_INTENT
        groups.setdefault(intent, (intent, []))[1].append(row)
    return _tally(groups)


def as_dict(row: Feedback | UnansweredQuestion) -> dict[str, Any]:
    """A row as plain values (for CSV and JSON)."""
    return {column.name: getattr(row, column.name) for column in row.__table__.columns}
