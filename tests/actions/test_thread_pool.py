"""The actions' bounded thread pool: a stuck call keeps its thread, a full pool says « busy »."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from actions import common
from actions.common import BUSY_TEXT, ActionsBusyError, failure_text, run_in_thread
from actions.settings import get_action_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def one_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A pool of a single worker thread (``TELETRAVAIL_ACTION_THREADS=1``)."""
    monkeypatch.setenv("TELETRAVAIL_ACTION_THREADS", "1")
    get_action_settings.cache_clear()
    common.reset_thread_pool()
    yield
    get_action_settings.cache_clear()
    common.reset_thread_pool()


def test_stuck_call_keeps_its_thread_and_the_next_is_refused_at_once(one_thread: None) -> None:
    release = threading.Event()
    started = threading.Event()

    def stuck() -> str:
        started.set()
        release.wait(10)
        return "fini"

    async def scenario() -> None:
        with pytest.raises(TimeoutError) as timed_out:
            await run_in_thread(stuck, timeout=0.05)
        assert not isinstance(timed_out.value, ActionsBusyError)
        assert started.is_set()
        # The stuck call still runs: the only thread is taken, the next call is refused.
        with pytest.raises(ActionsBusyError) as refused:
            await run_in_thread(len, "abc", timeout=1.0)
        assert failure_text(refused.value, "indisponible") == BUSY_TEXT
        release.set()
        for _ in range(100):  # its thread comes back to the pool when the call returns
            try:
                assert await run_in_thread(len, "abc", timeout=1.0) == 3
                return
            except ActionsBusyError:
                await asyncio.sleep(0.01)
        raise AssertionError("le fil n'est jamais revenu dans la réserve")

    asyncio.run(scenario())


def test_failing_call_gives_its_thread_back(one_thread: None) -> None:
    def broken() -> None:
        raise ValueError("mauvaise valeur")

    async def scenario() -> None:
        for _ in range(3):
            with pytest.raises(ValueError):
                await run_in_thread(broken, timeout=1.0)
        assert await run_in_thread(sum, [1, 2], timeout=1.0) == 3

    asyncio.run(scenario())


def test_pool_size_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELETRAVAIL_ACTION_THREADS", "3")
    get_action_settings.cache_clear()
    common.reset_thread_pool()
    try:
        executor, _ = common._pool.get()
        assert executor._max_workers == 3
    finally:
        get_action_settings.cache_clear()
        common.reset_thread_pool()


def test_other_failures_keep_their_own_message() -> None:
    assert failure_text(TimeoutError(), "trop long") == "trop long"
    assert failure_text(RuntimeError(), "indisponible") == "indisponible"
