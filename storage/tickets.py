"""Hand-offs to the référents: tickets and the référents' replies, the bus between processes.

The action server creates a ticket when an agent agrees to pass a question on; the Tchap bot
posts it as a thread root in the référents' room, records the replies written in that thread
and relays them to a Tchap agent; the API hands them to the web chat page, which polls. Each
process reads and writes these tables, so no process has to reach another one.

Stored, and nothing more: the channel (``web`` or ``tchap``), the pseudonymous conversation
id (the Rasa sender id: random per browser tab, or a keyed hash of the Matrix user and room),
the question, the last few turns (bounded), the recognised intent, the sources considered
(document ids and sections, not excerpts), the status, the thread's event id and the
replies. Never a Matrix id or a name. Rows not touched for longer than the retention period
of the unanswered questions (``TELETRAVAIL_FEEDBACK_RETENTION_DAYS``) are deleted whenever a
ticket is created or listed (:func:`purge_expired`). The tables are created by the
migration ``0004_tickets``.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, session_scope

Channel = Literal["web", "tchap"]
Status = Literal["open", "answered", "closed"]
STATUS_LABELS: dict[str, str] = {"open": "ouverte", "answered": "répondue", "closed": "close"}
RETENTION_ENV = "TELETRAVAIL_FEEDBACK_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 180
MAX_QUESTION_CHARS = 2000
MAX_TURNS = 6
MAX_TURN_CHARS = 300
MAX_SOURCES = 10
MAX_REPLY_CHARS = 4000
MAX_CONVERSATION_CHARS = 64


def _now() -> datetime:
    return datetime.now(UTC)


def retention_days() -> int:
    """The retention of the unanswered questions (the API's setting, read from the same variable).

    The action server and the Tchap bot do not load the API's settings; they read the same
    environment variable with the same default, so a ticket lives as long as the unanswered
    question it usually comes from.
    """
    raw = os.environ.get(RETENTION_ENV, "")
    return int(raw) if raw.strip().isdigit() and int(raw) >= 1 else DEFAULT_RETENTION_DAYS


class Ticket(Base):
    """A question an agent agreed to pass on to the référents."""

    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    conversation_id: Mapped[str] = mapped_column(String(MAX_CONVERSATION_CHARS), index=True)
    question: Mapped[str] = mapped_column(Text)
    turns: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    intent: Mapped[str | None] = mapped_column(String(64))
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    thread_event_id: Mapped[str | None] = mapped_column(String(255), index=True)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TicketReply(Base):
    """A référent's message in the ticket's thread, relayed to the agent."""

    __tablename__ = "ticket_reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    text: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    publication: Mapped[str] = mapped_column(String(16), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Delivery:
    """A reply to hand to the agent: its text, its ticket and where the agent is."""

    reply_id: int
    ticket_id: int
    channel: str
    conversation_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ProposedAnswer:
    """A reply proposed « à publier », with the question it answers."""

    reply_id: int
    ticket_id: int
    question: str
    text: str
    created_at: datetime
    publication: str


_schema_lock = threading.Lock()
_schema_ready: set[str] = set()


def ensure_schema(url: str | None = None) -> None:
    """Apply the migrations once per process and database.

    The API migrates at start-up, but the action server and the Tchap bot may run (and the
    Tchap tests do run) without it; Alembic's upgrade is idempotent.
    """
    from storage.db import database_url
    from storage.migrate import upgrade_database

    key = database_url(url)
    with _schema_lock:
        if key not in _schema_ready:
            upgrade_database(url)
            _schema_ready.add(key)


def purge_expired(session: Session, days: int | None = None, now: datetime | None = None) -> int:
    """Delete tickets (and their replies) untouched for longer than the retention period."""
    cutoff = (now or _now()) - timedelta(days=days or retention_days())
    result = session.execute(delete(Ticket).where(Ticket.updated_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def _bounded_turns(turns: list[dict[str, str]]) -> list[dict[str, str]]:
    kept = [
        {"who": "agent" if t.get("who") == "agent" else "assistant",
         "text": str(t.get("text", ""))[:MAX_TURN_CHARS]}
        for t in turns
        if str(t.get("text", "")).strip()
    ]  # fmt: skip
    return kept[-MAX_TURNS:]


def channel_of(conversation_id: str) -> Channel:
    """The channel of a Rasa sender id: the Tchap bot's start with ``tchap-``."""
    return "tchap" if conversation_id.startswith("tchap-") else "web"


def create_ticket(
    *,
    conversation_id: str,
    question: str,
    turns: list[dict[str, str]],
    intent: str | None,
    sources: list[dict[str, str]],
    url: str | None = None,
) -> int:
    """Store a new open ticket (bounded sizes) and return its number."""
    ensure_schema(url)
    now = _now()
    row = Ticket(
        created_at=now,
        updated_at=now,
        channel=channel_of(conversation_id),
        conversation_id=conversation_id[:MAX_CONVERSATION_CHARS],
        question=question.strip()[:MAX_QUESTION_CHARS],
        turns=_bounded_turns(turns),
        intent=(intent or None) and intent[:64],
        sources=[
            {"doc_id": str(s.get("doc_id", ""))[:120], "section": str(s.get("section", ""))[:300]}
            for s in sources[:MAX_SOURCES]
        ],
        status="open",
    )
    with session_scope(url) as session:
        purge_expired(session)
        session.add(row)
        session.flush()
        return row.id


def unposted_tickets(limit: int = 20, url: str | None = None) -> list[Ticket]:
    """Tickets not yet posted in the référents' room, oldest first."""
    with session_scope(url) as session:
        query = select(Ticket).where(Ticket.thread_event_id.is_(None), Ticket.status == "open")
        return list(session.scalars(query.order_by(Ticket.id).limit(limit)))


def mark_posted(ticket_id: int, event_id: str, url: str | None = None) -> None:
    """Remember the thread root of a ticket (replies are matched to it)."""
    with session_scope(url) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            ticket.thread_event_id = event_id
            ticket.posted_at = ticket.updated_at = _now()


def ticket_by_thread(event_id: str, url: str | None = None) -> Ticket | None:
    """The ticket whose thread root is ``event_id``."""
    with session_scope(url) as session:
        return session.scalars(select(Ticket).where(Ticket.thread_event_id == event_id)).first()


def get_ticket(ticket_id: int, url: str | None = None) -> Ticket | None:
    """One ticket by number."""
    with session_scope(url) as session:
        return session.get(Ticket, ticket_id)


def add_reply(ticket_id: int, event_id: str, text: str, url: str | None = None) -> int | None:
    """Record a référent's reply (once per Matrix event) and mark the ticket answered.

    Returns:
        The reply's id, or None when the event was already recorded or the ticket is gone.

    """
    with session_scope(url) as session:
        ticket = session.get(Ticket, ticket_id)
        known = session.scalars(select(TicketReply.id).where(TicketReply.event_id == event_id))
        if ticket is None or known.first() is not None:
            return None
        now = _now()
        reply = TicketReply(
            ticket_id=ticket_id,
            created_at=now,
            event_id=event_id[:255],
            text=text.strip()[:MAX_REPLY_CHARS],
            publication="",
        )
        session.add(reply)
        if ticket.status == "open":
            ticket.status = "answered"
        ticket.updated_at = now
        session.flush()
        return reply.id


def close_ticket(ticket_id: int, url: str | None = None) -> bool:
    """Close a ticket; False when it does not exist."""
    with session_scope(url) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return False
        ticket.status = "closed"
        ticket.updated_at = _now()
        return True


def _delivery(ticket: Ticket, reply: TicketReply) -> Delivery:
    return Delivery(
        reply.id, ticket.id, ticket.channel, ticket.conversation_id, reply.text, reply.created_at
    )


def undelivered(channel: Channel, url: str | None = None) -> list[Delivery]:
    """Replies not yet handed to agents of a channel, oldest first."""
    with session_scope(url) as session:
        query = (
            select(Ticket, TicketReply)
            .join(TicketReply, TicketReply.ticket_id == Ticket.id)
            .where(Ticket.channel == channel, TicketReply.delivered_at.is_(None))
            .order_by(TicketReply.id)
        )
        return [_delivery(ticket, reply) for ticket, reply in session.execute(query)]


def mark_delivered(reply_id: int, url: str | None = None) -> None:
    """Note that the agent has received a reply (it is not handed over again)."""
    with session_scope(url) as session:
        reply = session.get(TicketReply, reply_id)
        if reply is not None and reply.delivered_at is None:
            reply.delivered_at = _now()


def take_replies(
    conversation_id: str, channel: Channel = "web", url: str | None = None
) -> list[Delivery]:
    """The undelivered replies of one conversation, marked delivered as they are returned.

    For the web chat page, which polls: a reply is shown once, in the tab that asked. Only
    the web channel's by default: the Tchap bot delivers its own, and a page must never take
    them from it.
    """
    with session_scope(url) as session:
        query = (
            select(Ticket, TicketReply)
            .join(TicketReply, TicketReply.ticket_id == Ticket.id)
            .where(
                Ticket.conversation_id == conversation_id,
                Ticket.channel == channel,
                TicketReply.delivered_at.is_(None),
            )
            .order_by(TicketReply.id)
        )
        rows = list(session.execute(query))
        now = _now()
        for _, reply in rows:
            reply.delivered_at = now
        return [_delivery(ticket, reply) for ticket, reply in rows]


def request_publication(ticket_id: int, url: str | None = None) -> TicketReply | None:
    """Mark the ticket's latest reply « à publier » (reviewed on the référents' page)."""
    with session_scope(url) as session:
        query = select(TicketReply).where(TicketReply.ticket_id == ticket_id)
        reply = session.scalars(query.order_by(TicketReply.id.desc())).first()
        if reply is not None and reply.publication in ("", "rejected"):
            reply.publication = "pending"
        return reply


def publications(
    states: tuple[str, ...] = ("pending",), url: str | None = None
) -> list[ProposedAnswer]:
    """Replies in the given publication states, with their question, newest first."""
    with session_scope(url) as session:
        query = (
            select(Ticket, TicketReply)
            .join(TicketReply, TicketReply.ticket_id == Ticket.id)
            .where(TicketReply.publication.in_(states))
            .order_by(TicketReply.id.desc())
        )
        return [
            ProposedAnswer(r.id, t.id, t.question, r.text, r.created_at, r.publication)
            for t, r in session.execute(query)
        ]


def decide_publication(
    reply_id: int, publish: bool, url: str | None = None
) -> ProposedAnswer | None:
    """Publish or reject a pending reply; None when there is no such pending reply."""
    with session_scope(url) as session:
        reply = session.get(TicketReply, reply_id)
        if reply is None or reply.publication != "pending":
            return None
        ticket = session.get(Ticket, reply.ticket_id)
        assert ticket is not None  # the foreign key holds
        reply.publication = "published" if publish else "rejected"
        reply.decided_at = _now()
        return ProposedAnswer(
            reply.id, ticket.id, ticket.question, reply.text, reply.created_at, reply.publication
        )


def list_tickets(limit: int = 200, url: str | None = None) -> list[dict[str, Any]]:
    """The tickets, newest first, with their reply count (for the référents' page)."""
    with session_scope(url) as session:
        purge_expired(session)
        rows = session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(limit))
        tickets = list(rows)
        counts: dict[int, int] = {}
        for (ticket_id,) in session.execute(select(TicketReply.ticket_id)):
            counts[ticket_id] = counts.get(ticket_id, 0) + 1
        return [
            {
                "id": t.id,
                "created_at": t.created_at,
                "updated_at": t.updated_at,
                "channel": t.channel,
                "question": t.question,
                "intent": t.intent,
                "status": t.status,
                "status_label": STATUS_LABELS.get(t.status, t.status),
                "posted": t.thread_event_id is not None,
                "replies": counts.get(t.id, 0),
            }
            for t in tickets
        ]


def source_markdown(entry: ProposedAnswer, published_on: datetime) -> tuple[str, str]:
    """A published answer as a source file the corpus loader reads: ``(doc_id, Markdown)``.

    Labelled everywhere it is cited as « Réponse du référent télétravail, <date> » (the
    title) and, in its metadata, as a référent's answer rather than an official text. The
    question is one heading (the section cited); the answer's lines cannot open a heading or
    a front matter of their own.
    """
    day = published_on.strftime("%d/%m/%Y")
    doc_id = f"referent-{published_on:%Y-%m-%d}-{entry.ticket_id}-{entry.reply_id}"
    question = " ".join(entry.question.split()).lstrip("#").strip() or "Question d'un agent"
    lines = [line.rstrip() for line in entry.text.strip().splitlines()]
    body = "\n".join("\\" + line if line.startswith(("#", "---")) else line for line in lines)
    title = f"Réponse du référent télétravail, {day}"
    front = {
        "doc_id": doc_id,
        "title": title,
        "issuer": "Référent télétravail",
        "date": f"{published_on:%Y-%m-%d}",
        "kind": "réponse du référent télétravail (pas un texte officiel)",
        "note": f"Réponse donnée à la demande n° {entry.ticket_id}, relue avant publication.",
    }
    header = "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()
    )
    text = f"---\n{header}\n---\n# {title}\n\n## Question : {question}\n\n{body}\n"
    return doc_id, text
