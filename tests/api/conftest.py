"""Fixtures of the API tests: the app in-process, and a stub Rasa (see ``helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.settings import get_web_settings
from storage import reset_engine
from tests.api.helpers import DEAD_URL, ApiFactory, StubRasa


@pytest.fixture
def stub_rasa() -> Iterator[StubRasa]:
    stub = StubRasa()
    yield stub
    stub.close()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ApiFactory]:
    """Start the app (lifespan included) with the given Rasa and action server addresses."""
    started: list[TestClient] = []

    def start(rasa_url: str, actions_url: str = DEAD_URL, **env: str) -> TestClient:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
        monkeypatch.setenv("TELETRAVAIL_WARMUP", "0")
        monkeypatch.setenv("RASA_URL", rasa_url)
        monkeypatch.setenv("TELETRAVAIL_ACTIONS_URL", actions_url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_web_settings.cache_clear()
        from api.main import create_app

        client = TestClient(create_app(), raise_server_exceptions=False)
        client.__enter__()
        started.append(client)
        return client

    yield start
    for client in started:
        client.__exit__(None, None, None)
    get_web_settings.cache_clear()
    reset_engine()
