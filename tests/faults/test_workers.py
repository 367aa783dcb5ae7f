"""Both Rasa processes take their share of the messages, each with its model frozen.

See ``ops/rasa_server.py``. Sanic's workers share one listening socket, and a kept-alive
connection stays with the worker that accepted it: a pool of connections opened in a burst
(the capacity bench's 16 conversations; any pooled client, the API's included, can end up
so) went whole to one worker while the other sat idle (measured: one worker at full load,
half the capacity). The workers now close each connection after its response, so each
message goes to a free one. Checked on the real stack under supervisord, by the CPU time
each worker process spends while 16 conversations talk at once through one pooled client of
Rasa's REST channel.

Each worker also takes its loaded model out of the garbage collector's reach once loaded
(``gc.freeze``), so that no full collection walks it again in the middle of a message.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path

import httpx
import pytest

from cli.stack import wait_until_answering
from tests.faults.supervised import RASA_WORKERS, SupervisedStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONVERSATIONS = 16
MESSAGES = ["bonjour", "combien de jours de télétravail à 80 % ?", "qui fournit l'ordinateur ?"]
TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Sanic's forked workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def wait_until_idle(pids: list[int], timeout: float = 300.0) -> None:
    """Until no worker burns CPU any more (each loads its model after the fork)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = [cpu_seconds(pid) for pid in pids]
        time.sleep(2.0)
        if all(cpu_seconds(pid) - spent < 0.2 for pid, spent in zip(pids, before, strict=True)):
            return
    raise AssertionError("les processus Rasa calculent encore après 5 min")


async def conversation(client: httpx.AsyncClient, number: int) -> None:
    for message in MESSAGES:
        response = await client.post(
            "/webhooks/rest/webhook", json={"sender": f"workers-{number}", "message": message}
        )
        assert response.status_code == 200, response.text
        assert response.json(), "réponse vide"


async def talk_at_once(url: str) -> None:
    """16 conversations over one pooled client, their first messages sent together."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await asyncio.gather(*(conversation(client, number) for number in range(CONVERSATIONS)))


def test_both_rasa_workers_serve_one_pooled_client(supervised: SupervisedStack) -> None:
    wait_until_answering(supervised.rasa_url)
    workers = children(supervised.pid("rasa"))
    assert len(workers) == RASA_WORKERS, workers
    wait_until_idle(workers)
    before = [cpu_seconds(pid) for pid in workers]
    response = httpx.get(f"{supervised.rasa_url}/", timeout=30)
    assert response.headers["connection"] == "close"  # each message finds a free worker
    asyncio.run(talk_at_once(supervised.rasa_url))
    spent = [cpu_seconds(pid) - start for pid, start in zip(workers, before, strict=True)]
    print(f"\nCPU des processus Rasa pendant {CONVERSATIONS} conversations : {spent}")
    assert sum(spent) > 0.5, spent  # the messages were handled at all
    assert min(spent) >= 0.25 * sum(spent), f"un processus Rasa reste inoccupé : {spent}"


def test_each_rasa_worker_freezes_its_loaded_model(supervised: SupervisedStack) -> None:
    wait_until_answering(supervised.rasa_url)
    deadline = time.monotonic() + 300
    while True:
        logs = "\n".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in (supervised.directory / "log").rglob("rasa*")
            if path.is_file()
        )
        frozen = [int(n) for n in re.findall(r"Modèle chargé : (\d+) objets hors du", logs)]
        if len(frozen) >= RASA_WORKERS or time.monotonic() > deadline:
            break
        time.sleep(2.0)
    assert len(frozen) >= RASA_WORKERS, frozen  # one line per worker start (restarts add more)
    assert min(frozen) > 100_000, frozen  # the model, TensorFlow and the domain
