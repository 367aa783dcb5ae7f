"""The retrieval engine is preloaded in the process that serves the actions, and only there."""

from __future__ import annotations

import sys
import threading
import types

import pytest

import actions.answers as answers

pytestmark = pytest.mark.unit


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the warm-ups started instead of loading the real engine."""
    started: list[str] = []
    monkeypatch.setattr(answers, "_warm_up", lambda: started.append("chargé"))
    for name in answers.WARMUP_SWITCHES:
        monkeypatch.delenv(name, raising=False)
    return started


def _started_as(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name=module)  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "__main__", main)


def _run(thread: threading.Thread | None) -> None:
    if thread is not None:
        thread.join(timeout=5)


def test_supervising_process_of_the_action_server_does_not_load(
    monkeypatch: pytest.MonkeyPatch, loads: list[str]
) -> None:
    _started_as(monkeypatch, "rasa_sdk.__main__")
    monkeypatch.delenv("SANIC_WORKER_NAME", raising=False)
    assert answers.start_warm_up() is None
    assert loads == []


def test_sanic_worker_that_serves_the_actions_loads(
    monkeypatch: pytest.MonkeyPatch, loads: list[str]
) -> None:
    _started_as(monkeypatch, "rasa_sdk.__main__")
    monkeypatch.setenv("SANIC_WORKER_NAME", "Sanic-Server-0-0")
    _run(answers.start_warm_up())
    assert loads == ["chargé"]


def test_other_processes_still_load_unless_switched_off(
    monkeypatch: pytest.MonkeyPatch, loads: list[str]
) -> None:
    _started_as(monkeypatch, "pytest")
    _run(answers.start_warm_up())
    assert loads == ["chargé"]
    monkeypatch.setenv("TELETRAVAIL_ACTIONS_WARMUP", "0")
    assert answers.start_warm_up() is None
    assert loads == ["chargé"]
