"""A migrated SQLite database and a drafts folder per test, and a realistic request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drafts.config import DraftSettings


def request_data(**overrides: Any) -> dict[str, Any]:
    """An annex 1 request as an agent would fill it (80 %, Tuesday and Thursday at home)."""
    data: dict[str, Any] = {
        "nom": "Lefèvre",
        "prenom": "Gaëlle",
        "corps": "Attachée d'administration de l'État",
        "affectation": "DRAAF Occitanie, service régional de l'alimentation, bureau SPS",
        "poste": "Chargée de mission plans de contrôle",
        "missions": [
            {
                "intitule": "Rédaction des plans de contrôle",
                "poids": 60,
                "part_teletravaillable": 90,
                "taches": "Rédaction, relecture, synthèses",
            },
            {"intitule": "Réunions avec les services", "poids": 40, "part_teletravaillable": 50},
        ],
        "motivations": "Réduire 1 h 30 de trajet quotidien et me concentrer sur la rédaction.",
        "quotite": 80,
        "jours": ["mardi", "jeudi"],
        "base": "hebdomadaire",
        "lieux": ["Domicile, 12 rue des Acacias, 31000 Toulouse"],
        "temps_trajet": "45 minutes",
        "date_debut": "2031-03-01",
        "connexion_internet": True,
        "medical": False,
        "chorus": False,
    }
    data.update(overrides)
    return data


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    from storage import reset_engine, upgrade_database

    url = f"sqlite:///{tmp_path / 'drafts.db'}"
    upgrade_database(url)
    yield url
    reset_engine()


@pytest.fixture
def draft_settings(tmp_path: Path) -> DraftSettings:
    return DraftSettings(drafts_dir=tmp_path / "drafts", drafts_retention_days=30)
