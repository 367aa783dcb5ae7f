"""The API against the real assistant (actions + Rasa as processes), then with its actions killed.

Issue 14's case: when the action server dies, Rasa's REST channel still answers ``200 []``;
the API must turn that into its French 503, and ``/healthz`` must name the dependency down.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from api.routes.chat import UNAVAILABLE_MESSAGE
from cli.stack import LocalStack
from tests.api.helpers import ApiFactory

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PORTS = {"actions_port": 47055, "rasa_port": 47005, "api_port": 47000}


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # Three minutes of Rasa start-up for what tests/faults also checks under supervisord:
    # run with the fault tests (make faults), not in every make test.
    if not os.environ.get("TELETRAVAIL_FAULTS"):
        pytest.skip("avec les tests de pannes : make faults (TELETRAVAIL_FAULTS=1)")
    with LocalStack(**PORTS, with_api=False) as running:
        yield running


def test_real_answer_then_actions_killed_is_a_french_503(
    stack: LocalStack, api: ApiFactory
) -> None:
    client = api(stack.rasa_url, stack.actions_url)
    health = client.get("/healthz").json()
    assert health["status"] == "ok", health

    reply = client.post(
        "/api/chat", json={"sender": "pile-1", "message": "Qui fournit l'ordinateur ?"}
    )
    assert reply.status_code == 200, reply.text
    assert any((m.get("custom") or {}).get("sources") for m in reply.json())

    actions = dict(stack._processes)["actions"]
    os.killpg(actions.pid, signal.SIGKILL)
    actions.wait(timeout=30)

    reply = client.post(
        "/api/chat", json={"sender": "pile-1", "message": "Et pour l'écran, qui le fournit ?"}
    )
    assert (reply.status_code, reply.json()) == (503, {"detail": UNAVAILABLE_MESSAGE})
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    dependencies = health.json()["dependencies"]
    assert dependencies["actions"]["status"] == "down"
    assert dependencies["rasa"]["status"] == "ok"
    assert dependencies["database"]["status"] == "ok"
