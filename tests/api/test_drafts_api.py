"""The drafts endpoints through the real application, database and files."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from api.main import create_app
from tests.drafts.conftest import request_data

pytestmark = pytest.mark.integration


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from api.settings import get_web_settings
    from drafts.config import get_draft_settings
    from storage import reset_engine

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
    monkeypatch.setenv("TELETRAVAIL_DRAFTS_DIR", str(tmp_path / "drafts"))
    monkeypatch.setenv("TELETRAVAIL_WARMUP", "0")
    get_draft_settings.cache_clear()
    get_web_settings.cache_clear()
    reset_engine()
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client  # the lifespan has migrated the database
    get_draft_settings.cache_clear()
    get_web_settings.cache_clear()
    reset_engine()


def test_post_draft_contract_and_downloads(client: TestClient) -> None:
    response = client.post("/api/drafts", json=request_data(chorus=True, date_debut="2031-03-15"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "warnings", "documents"}
    assert uuid.UUID(body["id"]).version == 4
    assert set(body["documents"]) == {"annexe-1", "annexe-2", "annexe-5"}
    assert any("1er avril 2031" in warning for warning in body["warnings"])
    links = body["documents"]["annexe-1"]
    docx = client.get(links["docx"])
    assert docx.status_code == 200
    assert docx.headers["cache-control"] == "no-store"
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Lefèvre" in text and "Étape 1" in text
    pdf = client.get(links["pdf"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Gaëlle" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_get_metadata_has_no_personal_data(client: TestClient) -> None:
    created = client.post("/api/drafts", json=request_data()).json()
    response = client.get(f"/api/drafts/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["documents"] == created["documents"]
    assert {"created_at", "expires_at", "warnings"} <= set(body)
    assert "Lefèvre" not in response.text


def test_over_quota_is_a_422_naming_the_maximum(client: TestClient) -> None:
    response = client.post("/api/drafts", json=request_data(jours=["lundi", "mardi", "jeudi"]))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "« jours »" in detail and "le maximum est de 2 jours par semaine" in detail


def test_missing_field_is_a_422_naming_it(client: TestClient) -> None:
    data = request_data()
    del data["corps"]
    response = client.post("/api/drafts", json=data)
    assert response.status_code == 422
    assert "« corps » : champ obligatoire manquant" in response.json()["detail"]


def test_errors_never_echo_the_body(client: TestClient) -> None:
    secret = "Secret-Nom-Tres-Personnel"
    response = client.post("/api/drafts", json=request_data(nom=secret * 10, quotite="abc"))
    assert response.status_code == 422
    assert secret not in response.text


def test_hostile_values_round_trip(client: TestClient) -> None:
    data = request_data(
        nom="{{ 7*7 }}",
        prenom="<script>alert(1)</script>",
        motivations="x" * 5000,
        poste="مهندس\x00 זה",
    )
    body = client.post("/api/drafts", json=data).json()
    content = client.get(body["documents"]["annexe-1"]["docx"]).content
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "{{ 7*7 }}" in text and "<script>alert(1)</script>" in text and "مهندس זה" in text


def test_unknown_ids_are_french_404s(client: TestClient) -> None:
    for path in (
        f"/api/drafts/{uuid.uuid4()}",
        "/api/drafts/pas-un-uuid",
        f"/api/drafts/{uuid.uuid4()}/annexe-1.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "Brouillon introuvable" in response.json()["detail"]
    created = client.post("/api/drafts", json=request_data()).json()
    for name in ("annexe-5.pdf", "annexe-1.exe", "annexe-1", "..%2F..%2Fapi.db"):
        assert client.get(f"/api/drafts/{created['id']}/{name}").status_code == 404
    assert client.delete(f"/api/drafts/{uuid.uuid4()}").status_code == 404


def test_delete_then_gone(client: TestClient) -> None:
    created = client.post("/api/drafts", json=request_data()).json()
    assert client.delete(f"/api/drafts/{created['id']}").status_code == 204
    assert client.get(f"/api/drafts/{created['id']}").status_code == 404
    assert client.get(created["documents"]["annexe-1"]["docx"]).status_code == 404


def test_manager_decisions(client: TestClient) -> None:
    created = client.post("/api/drafts", json=request_data()).json()
    url = f"/api/drafts/{created['id']}/decision"
    accord = client.post(
        url,
        json={
            "decision": "accord",
            "date_debut": "2031-03-01",
            "adaptation_mois": 3,
            "plages_fixes": [{"debut": "09:30", "fin": "12:00"}],
            "jours_sur_site": ["lundi"],
        },
    )
    assert accord.status_code == 201, accord.text
    body = accord.json()
    assert body["document"] == "annexe-4"
    pdf = client.get(body["documents"]["annexe-4"]["pdf"])
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Article 1er" in text and "09:30 à 12:00" in text
    too_long = client.post(url, json={"decision": "accord", "adaptation_mois": 6})
    assert too_long.status_code == 422 and "3 mois au plus" in too_long.json()["detail"]
    unmotivated = client.post(url, json={"decision": "refus"})
    assert unmotivated.status_code == 422 and "motivé" in unmotivated.json()["detail"]
    refusal = client.post(
        url, json={"decision": "refus", "motifs": "Accueil du public.", "statut": "contractuel"}
    )
    assert refusal.status_code == 201
    docx = client.get(refusal.json()["documents"]["refus"]["docx"]).content
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "commission consultative paritaire" in text and "tribunal administratif" in text
    metadata = client.get(f"/api/drafts/{created['id']}").json()
    assert set(metadata["documents"]) == {"annexe-1", "annexe-2", "annexe-4", "refus"}
    missing = client.post(f"/api/drafts/{uuid.uuid4()}/decision", json={"decision": "refus"})
    assert missing.status_code == 404


@given(
    nom=st.text(max_size=120),
    motivations=st.text(min_size=1, max_size=300),
    jours=st.lists(st.text(max_size=20), max_size=6),
    quotite=st.one_of(st.floats(allow_nan=True), st.text(max_size=5), st.none()),
)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_body_is_a_201_or_a_french_422(
    client: TestClient, nom: str, motivations: str, jours: list[str], quotite: object
) -> None:
    data = request_data(nom=nom, motivations=motivations, jours=jours, quotite=quotite)
    # json.dumps writes NaN and Infinity as bare tokens, as a careless client would.
    body = json.dumps(data)
    response = client.post(
        "/api/drafts", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.json()["detail"]
