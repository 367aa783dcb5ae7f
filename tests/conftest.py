"""Shared fixtures: the real model, the real index over the real texts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.config import KnowledgeSettings, get_settings

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="session")
def settings() -> KnowledgeSettings:
    """Default settings, with the offline e5 folder built if missing."""
    from cli.knowledge_commands import ensure_default_model

    current = get_settings()
    ensure_default_model(current)
    return current


@pytest.fixture(scope="session")
def engine(settings: KnowledgeSettings) -> Iterator[object]:
    """The answer engine over the project's index (built once if stale)."""
    from knowledge.service import get_engine

    yield get_engine()
