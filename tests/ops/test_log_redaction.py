"""The log redaction of the Rasa and action servers: no message text survives a log record.

The shapes are those Rasa 3.6 and rasa-sdk really write (``ops/log_redaction.py`` names
where); the real supervised run is grepped for the texts it sent by ``make faults``
(``tests/faults/test_kill.py``).
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from ops.log_redaction import (
    REDACTED,
    MessageTextFilter,
    install_record_redaction,
    redact,
    redact_event_dict,
)

pytestmark = pytest.mark.unit
SECRET = "Mon fils est malade, l'école est fermée"


class ClientResponseError(Exception):
    """The shape of ``rasa.utils.endpoints.ClientResponseError`` (Rasa is not in this venv)."""

    def __init__(self, status: int, message: str, text: bytes) -> None:
        super().__init__(f"{status}, {message}, body='{text!r}'")


def failed_action_body() -> bytes:
    """What rasa-sdk answers when an action raises: the whole tracker as ``request_body``."""
    tracker = {"latest_message": {"text": SECRET}, "events": [{"event": "user", "text": SECRET}]}
    return json.dumps({"error": "boom", "request_body": {"tracker": tracker}}).encode()


@pytest.mark.parametrize(
    "line",
    [
        json.dumps({"text": SECRET, "event": "rest.message.received.timeout", "level": "error"}),
        json.dumps({"text": SECRET}, ensure_ascii=False),
        str({"text": SECRET, "intent": {"name": "ask_medical"}}),
        f"event='rest.message.received.timeout' text={SECRET!r}",
        json.dumps({"exc_value": json.dumps({"user_text": SECRET})}),
        f"UserUttered(text: {SECRET}, intent: ask_medical, use_text_for_featurization: None)",
        f"BotUttered(text: {SECRET}, data: {{}}, metadata: {{}})",
        f"BotUttered({SECRET!r}, {{}}, {{}}, 1.0)",
        f"Entities not used, user text: {SECRET}",
        f"500, Internal Server Error, body='{failed_action_body()!r}'",
    ],
)
def test_known_shapes_lose_the_text(line: str) -> None:
    cleaned = redact(line)
    assert "malade" not in cleaned and "malade" not in cleaned.encode().decode("unicode_escape")
    assert REDACTED in cleaned or "[corps masqué]" in cleaned


def test_lines_without_text_are_left_alone() -> None:
    for line in [
        "Action 'action_quota' ended with events '[SlotSet(...)]'.",
        '{"event": "processor.actions.log", "action_name": "action_listen", "level": "debug"}',
        "context: 'quota_form'",
    ]:
        assert redact(line) == line


def test_structlog_values_that_may_hold_a_text_are_blanked() -> None:
    event = {"event": "processor.slots.log", "slot_values": {"nom": "Dupont"}, "text": SECRET}
    event.update(parse_data_intent={"name": "ask_quota"}, user_message=None)
    assert redact_event_dict(None, "debug", event) == {
        "event": "processor.slots.log",
        "slot_values": REDACTED,
        "text": REDACTED,
        "parse_data_intent": {"name": "ask_quota"},
        "user_message": None,
    }


def test_filter_redacts_arguments_and_exception_text() -> None:
    record = logging.LogRecord("rasa", logging.ERROR, __file__, 1, "Reçu %s", (SECRET,), None)
    assert MessageTextFilter().filter(record)
    assert record.getMessage() == "Reçu " + SECRET  # no known shape: message texts are keyed
    try:
        try:
            raise ClientResponseError(500, "Internal Server Error", failed_action_body())
        except ClientResponseError as error:
            raise RuntimeError("Failed to execute custom action") from error
    except RuntimeError:
        failed = logging.LogRecord(
            "rasa.core.processor", logging.ERROR, __file__, 1, "Échec", None, sys.exc_info()
        )
    assert MessageTextFilter().filter(failed)
    assert failed.exc_text and "body='[corps masqué]'" in failed.exc_text
    assert "malade" not in logging.Formatter().format(failed)


@pytest.fixture
def redacting() -> Iterator[io.StringIO]:
    """A logger writing to a buffer, with the record redaction installed (then removed)."""
    previous = logging.getLogRecordFactory()
    install_record_redaction()
    install_record_redaction()  # twice: harmless
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction.child")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(previous)


def test_every_record_of_the_process_is_redacted(redacting: io.StringIO) -> None:
    logger = logging.getLogger("tests.redaction.child")
    logger.error("%s", json.dumps({"text": SECRET, "event": "rest.message.received.timeout"}))
    logger.debug("Logged UserUttered(text: %s, intent: greet)", SECRET)
    written = redacting.getvalue()
    assert "malade" not in written and written.count(REDACTED) == 2
