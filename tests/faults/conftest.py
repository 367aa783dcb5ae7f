"""Fixture of the fault tests: the real stack under supervisord (see ``supervised.py``).

They take minutes (Rasa loads its model on every restart), so they run only with
``TELETRAVAIL_FAULTS=1`` (``make faults``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cli.stack import RASA_MODEL
from tests.faults.supervised import (
    ACTIONS_PORT,
    API_PORT,
    RASA_PORT,
    REDIS_PORT,
    SUPERVISORD,
    SupervisedStack,
    ports_free,
    start_supervised,
)


@pytest.fixture(scope="session")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupervisedStack]:
    """The whole assistant under supervisord, answering from the texts."""
    if not os.environ.get("TELETRAVAIL_FAULTS"):
        pytest.skip("tests de pannes : make faults (TELETRAVAIL_FAULTS=1)")
    if not (SUPERVISORD.exists() and RASA_MODEL.exists()):
        pytest.skip("supervisord ou le modèle Rasa absent (make install train)")
    if not ports_free():
        pytest.fail(f"ports {ACTIONS_PORT}, {RASA_PORT}, {API_PORT} ou {REDIS_PORT} déjà pris")
    stack = start_supervised(tmp_path_factory.mktemp("faults"))
    try:
        yield stack
    finally:
        stack.stop()
