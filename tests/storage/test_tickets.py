"""Hand-off tickets (migration 0004_tickets) on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import session_scope
from storage import tickets as store

TURNS = [{"who": "agent", "text": "x" * 1000}] * 10
SOURCES = [{"doc_id": "maa-instruction-2019-781", "section": "3.2", "excerpt": "long"}]


def _lifecycle(url: str) -> None:
    web = store.create_ticket(
        conversation_id="a1b2c3",
        question="  Mon chef refuse le vendredi ?  ",
        turns=TURNS,
        intent="ask_rights",
        sources=SOURCES,
        url=url,
    )
    tchap = store.create_ticket(
        conversation_id="tchap-" + "f" * 40,
        question="q",
        turns=[],
        intent=None,
        sources=[],
        url=url,
    )
    first = store.get_ticket(web, url=url)
    assert first is not None
    assert (first.channel, first.question, first.status) == (
        "web",
        "Mon chef refuse le vendredi ?",
        "open",
    )
    assert len(first.turns) == store.MAX_TURNS
    assert all(len(turn["text"]) == store.MAX_TURN_CHARS for turn in first.turns)
    assert first.sources == [{"doc_id": "maa-instruction-2019-781", "section": "3.2"}]
    assert store.get_ticket(tchap, url=url).channel == "tchap"  # type: ignore[union-attr]

    # Posted once as a thread root; replies are matched by that root.
    assert [t.id for t in store.unposted_tickets(url=url)] == [web, tchap]
    store.mark_posted(web, "$root", url=url)
    assert [t.id for t in store.unposted_tickets(url=url)] == [tchap]
    assert store.ticket_by_thread("$root", url=url).id == web  # type: ignore[union-attr]

    # A reply is recorded once per event, answers the ticket and waits for delivery.
    reply = store.add_reply(web, "$r1", "Oui, il le peut.", url=url)
    assert reply is not None
    assert store.add_reply(web, "$r1", "Oui, il le peut.", url=url) is None
    assert store.get_ticket(web, url=url).status == "answered"  # type: ignore[union-attr]
    assert [d.text for d in store.undelivered("web", url=url)] == ["Oui, il le peut."]
    assert store.undelivered("tchap", url=url) == []
    assert store.take_replies("someone-else", url=url) == []
    [taken] = store.take_replies("a1b2c3", url=url)
    assert (taken.ticket_id, taken.text) == (web, "Oui, il le peut.")
    assert store.take_replies("a1b2c3", url=url) == []  # shown once

    # « à publier », then reviewed.
    assert store.request_publication(tchap, url=url) is None  # no reply to publish
    assert store.request_publication(web, url=url).publication == "pending"  # type: ignore[union-attr]
    [pending] = store.publications(url=url)
    assert (pending.reply_id, pending.question) == (reply, "Mon chef refuse le vendredi ?")
    decided = store.decide_publication(reply, True, url=url)
    assert decided is not None and decided.publication == "published"
    assert store.decide_publication(reply, False, url=url) is None  # decided already
    assert store.publications(url=url) == []

    assert store.close_ticket(web, url=url)
    assert not store.close_ticket(9999, url=url)
    listed = {row["id"]: row for row in store.list_tickets(url=url)}
    assert listed[web]["status_label"] == "close" and listed[web]["replies"] == 1
    assert listed[tchap]["status"] == "open" and not listed[tchap]["posted"]

    # Purged on the retention of the unanswered questions, replies with their ticket.
    with session_scope(url) as session:
        ticket = session.get(store.Ticket, web)
        assert ticket is not None
        ticket.updated_at = datetime.now(UTC) - timedelta(days=store.retention_days() + 1)
    assert [row["id"] for row in store.list_tickets(url=url)] == [tchap]
    with session_scope(url) as session:
        assert session.get(store.TicketReply, reply) is None


@pytest.mark.unit
def test_tickets_on_sqlite(sqlite_url: str) -> None:
    _lifecycle(sqlite_url)


@pytest.mark.integration
def test_tickets_on_postgresql(postgresql_url: str) -> None:
    store.ensure_schema(postgresql_url)
    _lifecycle(postgresql_url)


def test_retention_follows_the_feedback_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(store.RETENTION_ENV, "30")
    assert store.retention_days() == 30
    monkeypatch.setenv(store.RETENTION_ENV, "bad")
    assert store.retention_days() == store.DEFAULT_RETENTION_DAYS


def test_channel_of_the_sender() -> None:
    assert store.channel_of("tchap-" + "0" * 40) == "tchap"
    assert store.channel_of("3f9a") == "web"
