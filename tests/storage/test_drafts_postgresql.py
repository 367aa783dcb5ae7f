"""A draft round-trip on a real PostgreSQL server: migrations, UUID ids, JSON, cascade."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from drafts.config import DraftSettings
from drafts.models import DecisionRequest, DraftRequest
from drafts.service import add_decision, create_draft, delete_draft, get_draft
from drafts.store import DocumentRow
from storage import get_engine, upgrade_database
from tests.drafts.conftest import request_data

pytestmark = pytest.mark.integration


def test_draft_round_trip_on_postgresql(postgresql_url: str, tmp_path: Path) -> None:
    upgrade_database(postgresql_url)
    settings = DraftSettings(drafts_dir=tmp_path / "drafts")
    request = DraftRequest.model_validate(request_data(prenom="Zoé – שלום", chorus=True))
    info = create_draft(request, settings=settings, url=postgresql_url)
    stored = get_draft(info.id, url=postgresql_url)
    assert stored.request == request
    assert stored.documents == ["annexe-1", "annexe-2", "annexe-5"]
    decision = DecisionRequest.model_validate({"decision": "refus", "motifs": "Accueil."})
    add_decision(info.id, decision, settings=settings, url=postgresql_url)
    with get_engine(postgresql_url).connect() as connection:
        kind = connection.execute(
            text(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'drafts' AND column_name = 'id'"
            )
        ).scalar_one()
        assert kind == "uuid"
    delete_draft(info.id, settings=settings, url=postgresql_url)
    with get_engine(postgresql_url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(DocumentRow)).scalar_one() == 0
