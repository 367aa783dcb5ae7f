"""``kill -9`` of each service during a form: each comes back by itself, the form resumes.

Rasa runs as two processes sharing a Redis lock, as ``make run`` starts it by default; killing
its main process must take its workers down too, or the restarted server could not bind its
port (``ops/rasa_server.py``).

Real processes under the real supervisor, on loopback, bounded in time (``make faults``;
durations printed with ``-s``). The conversation lives in the SQLite tracker store, so a
Rasa killed in the middle of the quota form finds it again, slots included. Last, the logs
of the whole run are searched for the texts it sent: none may appear (« nothing of message
text in any log of any process », ``ops/log_redaction.py``).
"""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest

from cli.stack import wait_until_answering
from tests.faults.supervised import SupervisedStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OPEN_QUOTA_FORM = "calcule mes jours"
QUOTA_QUESTION = "quotité"
EIGHTY_PERCENT_ANSWER = "2 jours de télétravail par semaine"
# Texts sent during the run, marked so that they can be searched for in the logs.
SENTINEL = "zq7"
ACTIONS_PROBE = "combien de jours à 80 % ? sonde-panne-actions-zq7"
RASA_PROBE = "bonjour sonde-panne-rasa-zq7"
REDIS_PROBE = "merci sonde-panne-redis-zq7"
TIMEOUT_PROBES = [
    f"puis-je télétravailler depuis l'étranger ? sonde-délai-zq7-{n}" for n in range(3)
]
NOTICE_QUESTION = "il faut prévenir combien de temps avant pour arrêter le télétravail ?"
SENT_TEXTS = [
    OPEN_QUOTA_FORM, ACTIONS_PROBE, RASA_PROBE, REDIS_PROBE, NOTICE_QUESTION, *TIMEOUT_PROBES
]  # fmt: skip
TIMEOUT_EVENT = "rest.message.received.timeout"


def texts(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return "\n".join(message.get("text") or "" for message in response.json())


def assert_quota_form_waits_for_quotite(stack: SupervisedStack, sender: str) -> None:
    tracker = stack.tracker(sender)
    assert (tracker.get("active_loop") or {}).get("name") == "quota_form"
    assert tracker["slots"].get("requested_slot") == "quotite"


def assert_outage_answer(response: httpx.Response) -> None:
    """While a service is down the agent gets an answer: never a 500, never an empty 200."""
    assert response.status_code != 500, response.text
    if response.status_code == 200:
        assert response.json(), "réponse vide pendant la panne"
    else:
        assert response.status_code == 503, response.text
        assert "réessayez" in response.json()["detail"]


def test_each_service_killed_comes_back_and_the_form_resumes(
    supervised: SupervisedStack,
) -> None:
    sender = "fault-quota-form"
    assert QUOTA_QUESTION in texts(supervised.chat(sender, OPEN_QUOTA_FORM)).lower()
    assert_quota_form_waits_for_quotite(supervised, sender)
    durations: dict[str, float] = {}

    offered = "fault-offer"
    assert "(oui / non)" in texts(supervised.chat(offered, NOTICE_QUESTION))

    killed = supervised.kill9("actions")
    assert_outage_answer(supervised.chat("fault-probe-actions", ACTIONS_PROBE))
    # « oui » to the offer, lost in the outage, then sent again: it still accepts the offer.
    assert_outage_answer(supervised.chat(offered, "oui"))
    durations["actions"] = supervised.wait_back("actions", killed)
    wait_until_answering(supervised.rasa_url)
    supervised.chat(offered, "oui")
    assert (supervised.tracker(offered).get("active_loop") or {}).get("name") == "notice_form"

    killed = supervised.kill9("api")
    durations["api"] = supervised.wait_back("api", killed)

    # The lock of the two Rasa processes: without it Rasa cannot take a conversation.
    killed = supervised.kill9("redis")
    assert_outage_answer(supervised.chat("fault-probe-redis", REDIS_PROBE))
    durations["redis"] = supervised.wait_back("redis", killed)

    killed = supervised.kill9("rasa")
    time.sleep(1.0)
    assert_outage_answer(supervised.chat("fault-probe-rasa", RASA_PROBE))
    durations["rasa"] = supervised.wait_back("rasa", killed)

    # The conversation came back from the database, still in the form, still waiting for
    # the quotité; the next turn answers the form's question.
    assert_quota_form_waits_for_quotite(supervised, sender)
    wait_until_answering(supervised.rasa_url)  # the action server's engine is warm again
    assert EIGHTY_PERCENT_ANSWER in texts(supervised.chat(sender, "80"))
    print(f"\nretour après kill -9 (s) : {durations}")
    assert all(pid > 0 for pid in map(supervised.pid, ("redis", "actions", "rasa", "api")))


def test_rasa_restart_keeps_the_conversation(supervised: SupervisedStack) -> None:
    sender = "fault-restart"
    assert QUOTA_QUESTION in texts(supervised.chat(sender, OPEN_QUOTA_FORM)).lower()
    assert EIGHTY_PERCENT_ANSWER in texts(supervised.chat(sender, "80"))
    before = supervised.tracker(sender)["events"]
    started = time.monotonic()
    supervised.ctl("restart", "rasa")
    supervised.wait_back("rasa")
    print(f"\nredémarrage de Rasa : {time.monotonic() - started:.1f} s")
    after = supervised.tracker(sender)["events"]
    assert [e["event"] for e in after] == [e["event"] for e in before]
    assert after[-1]["timestamp"] == before[-1]["timestamp"]


def log_text(stack: SupervisedStack) -> str:
    """Everything the run's processes wrote: every service log, supervisord's own."""
    files = [*sorted((stack.directory / "log").rglob("*")), stack.directory / "supervisord.out"]
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace") for path in files if path.is_file()
    )


def give_up_on(stack: SupervisedStack, sender: str, text: str) -> None:
    """Send ``text`` to Rasa's REST channel and hang up at once: Rasa logs it as timed out.

    The disconnection cancels the handling of the message, and Rasa 3.6 logs
    ``rest.message.received.timeout`` at ERROR with the message's text, the case the
    redaction exists for.
    """
    with contextlib.suppress(httpx.TimeoutException):
        httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=httpx.Timeout(10.0, read=0.05),
        )


def test_no_message_text_in_any_log(supervised: SupervisedStack) -> None:
    wait_until_answering(supervised.rasa_url)
    for number, probe in enumerate(TIMEOUT_PROBES):
        give_up_on(supervised, f"fault-log-{number}", probe)
        deadline = time.monotonic() + 10
        while TIMEOUT_EVENT not in log_text(supervised) and time.monotonic() < deadline:
            time.sleep(0.5)
        if TIMEOUT_EVENT in log_text(supervised):
            break
    time.sleep(2.0)  # let every process write what it will about these messages
    logs = log_text(supervised)
    assert TIMEOUT_EVENT in logs, "aucun message abandonné : la vérification ne prouverait rien"
    leaked = [text for text in SENT_TEXTS if text in logs]
    assert leaked == [], f"textes de messages dans les journaux : {leaked}"
    assert SENTINEL not in logs  # survives JSON's \\u escapes of the accented letters
    assert supervised.token not in logs
