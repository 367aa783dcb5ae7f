"""The feedback tables (migration 0003_web_feedback) on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import feedback as store
from storage import session_scope, upgrade_database

SOURCES = [{"doc_id": "maa-instruction-2019-781", "title": "T", "section": "S", "date": "D"}]


def _roundtrip(url: str) -> None:
    upgrade_database(url)
    feedback_id = store.record_feedback(
        rating="down",
        reason="incorrect",
        question="Et le samedi ?",
        answer="Non.",
        sources=SOURCES,
        intent="ask_rights",
        retention_days=30,
        url=url,
    )
    store.record_unanswered(
        kind="fallback", question="télé", intent=None, retention_days=30, url=url
    )
    [row] = store.feedback_rows(30, url=url)
    assert (row.id, row.reason, row.sources, row.intent) == (
        feedback_id,
        "incorrect",
        SOURCES,
        "ask_rights",
    )
    assert row.created_at.tzinfo is not None or url.startswith("sqlite")
    with session_scope(url) as session:
        session.get(store.Feedback, feedback_id).created_at = datetime.now(UTC) - timedelta(days=31)
    assert store.feedback_rows(30, url=url) == []  # expired, hence deleted
    assert [r.question for r in store.unanswered_questions(30, url=url)] == ["télé"]


@pytest.mark.unit
def test_feedback_store_on_sqlite(sqlite_url: str) -> None:
    _roundtrip(sqlite_url)


@pytest.mark.integration
def test_feedback_store_on_postgresql(postgresql_url: str) -> None:
    _roundtrip(postgresql_url)
