"""Drafts stored for real (SQLite file, files on disk): create, read, decide, delete, purge."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from drafts import service
from drafts.config import DraftSettings
from drafts.models import DecisionRequest, DraftRequest
from drafts.service import (
    DraftNotFoundError,
    add_decision,
    create_draft,
    delete_draft,
    document_path,
    get_draft,
    purge_expired,
)
from drafts.store import DocumentRow, DraftRow
from drafts.validation import DraftRuleError
from storage import get_engine
from tests.drafts.conftest import request_data

pytestmark = pytest.mark.integration


def make(db_url: str, settings: DraftSettings, **overrides: object) -> service.DraftInfo:
    return create_draft(
        DraftRequest.model_validate(request_data(**overrides)), settings=settings, url=db_url
    )


def rows(db_url: str) -> tuple[int, int]:
    with get_engine(db_url).connect() as connection:
        drafts = connection.execute(select(func.count()).select_from(DraftRow)).scalar_one()
        documents = connection.execute(select(func.count()).select_from(DocumentRow)).scalar_one()
    return drafts, documents


def test_create_stores_row_and_files(db_url: str, draft_settings: DraftSettings) -> None:
    info = make(db_url, draft_settings, chorus=True)
    assert info.id.version == 4
    assert info.documents == ["annexe-1", "annexe-2", "annexe-5"]
    folder = draft_settings.drafts_dir / str(info.id)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.{fmt}" for name in info.documents for fmt in ("docx", "pdf")
    )
    again = get_draft(info.id, url=db_url)
    assert again.request.nom == "Lefèvre" and again.documents == info.documents
    assert (again.expires_at - again.created_at) == dt.timedelta(days=30)
    assert document_path(info.id, "annexe-5", "pdf", settings=draft_settings, url=db_url).is_file()
    with pytest.raises(DraftNotFoundError):
        document_path(info.id, "annexe-4", "pdf", settings=draft_settings, url=db_url)
    with pytest.raises(DraftNotFoundError):
        document_path(info.id, "../../etc/passwd", "pdf", settings=draft_settings, url=db_url)


def test_rule_error_stores_nothing(db_url: str, draft_settings: DraftSettings) -> None:
    with pytest.raises(DraftRuleError):
        make(db_url, draft_settings, jours=["lundi", "mardi", "jeudi"])
    assert rows(db_url) == (0, 0)
    assert not draft_settings.drafts_dir.exists() or not any(draft_settings.drafts_dir.iterdir())


def test_crash_while_writing_leaves_no_draft(
    db_url: str, draft_settings: DraftSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_pdf(form: object, path: Path) -> None:
        path.write_bytes(b"%PDF half")
        raise OSError("disque plein")

    monkeypatch.setitem(service.RENDERERS, "pdf", broken_pdf)
    with pytest.raises(OSError):
        make(db_url, draft_settings)
    assert rows(db_url) == (0, 0)
    assert not any(draft_settings.drafts_dir.rglob("*"))


def test_decision_adds_annex_4_then_replaces_it(db_url: str, draft_settings: DraftSettings) -> None:
    info = make(db_url, draft_settings)
    decision = DecisionRequest.model_validate({"decision": "accord", "adaptation_mois": 2})
    updated, name, warnings = add_decision(info.id, decision, settings=draft_settings, url=db_url)
    assert name == "annexe-4" and "annexe-4" in updated.documents
    assert any("plages fixes" in warning for warning in warnings)
    add_decision(info.id, decision, settings=draft_settings, url=db_url)  # replaced, not doubled
    assert rows(db_url) == (1, 3)
    refusal = DecisionRequest.model_validate({"decision": "refus", "motifs": "Service d'accueil."})
    add_decision(info.id, refusal, settings=draft_settings, url=db_url)
    assert get_draft(info.id, url=db_url).documents == ["annexe-1", "annexe-2", "annexe-4", "refus"]


def test_decision_row_failure_keeps_the_previous_decision(
    db_url: str, draft_settings: DraftSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files first, row second: a failure in between leaves the files and rows as they were."""
    info = make(db_url, draft_settings)
    folder = draft_settings.drafts_dir / str(info.id)
    accord = DecisionRequest.model_validate({"decision": "accord", "adaptation_mois": 2})
    add_decision(info.id, accord, settings=draft_settings, url=db_url)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}

    def broken_row(**_: object) -> DocumentRow:
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(service, "DocumentRow", broken_row)
    other = DecisionRequest.model_validate({"decision": "accord", "adaptation_mois": 3})
    with pytest.raises(RuntimeError):
        add_decision(info.id, other, settings=draft_settings, url=db_url)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    with get_engine(db_url).connect() as connection:
        inputs = connection.execute(
            select(DocumentRow.inputs).where(DocumentRow.name == "annexe-4")
        ).scalar_one()
    assert inputs["adaptation_mois"] == 2

    refusal = DecisionRequest.model_validate({"decision": "refus", "motifs": "Service d'accueil."})
    with pytest.raises(RuntimeError):
        add_decision(info.id, refusal, settings=draft_settings, url=db_url)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert rows(db_url) == (1, 3)


def test_delete_removes_rows_and_files(db_url: str, draft_settings: DraftSettings) -> None:
    info = make(db_url, draft_settings)
    delete_draft(info.id, settings=draft_settings, url=db_url)
    assert rows(db_url) == (0, 0)  # documents cascade
    assert not (draft_settings.drafts_dir / str(info.id)).exists()
    with pytest.raises(DraftNotFoundError):
        get_draft(info.id, url=db_url)
    with pytest.raises(DraftNotFoundError):
        delete_draft(uuid.uuid4(), settings=draft_settings, url=db_url)


def test_purge_deletes_only_expired_drafts(db_url: str, draft_settings: DraftSettings) -> None:
    old = make(db_url, draft_settings)
    young = make(db_url, draft_settings)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    with get_engine(db_url).begin() as connection:
        connection.execute(
            DraftRow.__table__.update()
            .where(DraftRow.id == young.id)
            .values(expires_at=later + dt.timedelta(days=1))
        )
    assert list(purge_expired(settings=draft_settings, url=db_url, now=later)) == [old.id]
    assert not (draft_settings.drafts_dir / str(old.id)).exists()
    assert get_draft(young.id, url=db_url).id == young.id


def test_expired_draft_is_not_served(db_url: str, draft_settings: DraftSettings) -> None:
    info = make(db_url, draft_settings)
    with get_engine(db_url).begin() as connection:
        connection.execute(
            DraftRow.__table__.update().values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )
    with pytest.raises(DraftNotFoundError):
        get_draft(info.id, url=db_url)


def test_purge_command_prints_progress_in_french(
    db_url: str, draft_settings: DraftSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app
    from drafts.config import get_draft_settings

    info = make(db_url, draft_settings)
    with get_engine(db_url).begin() as connection:
        connection.execute(
            DraftRow.__table__.update().values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TELETRAVAIL_DRAFTS_DIR", str(draft_settings.drafts_dir))
    get_draft_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["drafts", "purge"])
        again = CliRunner().invoke(app, ["drafts", "purge"])
    finally:
        get_draft_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Conservation : 30 jours" in result.output
    assert f"supprimé : {info.id}" in result.output
    assert "1 brouillon expiré supprimé." in result.output
    assert "0 brouillon expiré supprimé." in again.output


def test_bench_command_prints_figures() -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["drafts", "bench", "--count", "2"])
    assert result.exit_code == 0, result.output
    assert "2 brouillons" in result.output and "médiane" in result.output
