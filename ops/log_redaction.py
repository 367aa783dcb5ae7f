"""Keep what agents type out of the logs of the Rasa server and of the action server.

The rule of docs/operations.md is « nothing of a message's text in any log of any
process ». Our own code never logs a text, but Rasa 3.6 and rasa-sdk do, in places we do not
control:

- Rasa's REST channel logs the user's text at ERROR when a message's handling is cancelled
  (``structlogger.error("rest.message.received.timeout", text=...)``, the client gave up)
  or fails (``rest.message.received.failure``);
- Rasa's processor logs texts, slots and events at DEBUG through structlog
  (``parse_data_text``, ``slot_values``, ``rasa_events``...), and events' ``str()``
  (``UserUttered(text: …``) through the standard library;
- when an action fails, rasa-sdk answers 500 with the whole tracker as ``request_body``, and
  Rasa logs the exception with that body (``ClientResponseError: 500, …, body='…'``).

Two layers, installed by ``ops/rasa_server.py`` and ``ops/action_server.py`` before their
framework configures logging:

1. :func:`redact_event_dict`, a structlog processor put first in Rasa's chain, replaces the
   values of the keys that can hold a text (those Rasa's own anonymizer lists, which only
   acts with Rasa Pro) before anything renders them;
2. :func:`install_record_redaction` makes every standard-library log record of the process
   go through :class:`MessageTextFilter` as it is created — whichever logger or handler
   Rasa, Sanic or coloredlogs set up later — which rewrites the known shapes in the rendered
   message and in the exception text.

Standard library only (this module runs in the Python 3.10 Rasa environment as well).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, MutableMapping
from typing import Any

REDACTED = "[texte masqué]"
# structlog keys whose values may carry what a user typed, or slots and events that do:
# the list of ``rasa.utils.log_utils._anonymizer`` (Rasa 3.6).
SENSITIVE_EVENT_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
    }
)
# Field names that hold a text in JSON, Python reprs and structlog's console output.
_TEXT_KEYS = r"(?:text|user_text|response_text|parse_data_text|user_message|token_text)"
_DOUBLE = r'"(?:[^"\\]|\\.)*"'
_SINGLE = r"'(?:[^'\\]|\\.)*'"
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    # The body of a failed action call: rasa-sdk puts the whole tracker in it.
    (
        re.compile(r"body='(?:b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\"|[^']*)'"),
        lambda m: "body='[corps masqué]'",
    ),
    # "text": "…" / 'text': '…' / text='…' (JSON, reprs, structlog's console renderer).
    (
        re.compile(rf"(?P<key>[\"']?\b{_TEXT_KEYS}[\"']?\s*[:=]\s*)(?:{_DOUBLE}|{_SINGLE})"),
        lambda m: f'{m.group("key")}"{REDACTED}"',
    ),
    # The same inside a JSON string rendered in JSON: \"text\": \"…\".
    (
        re.compile(rf'(?P<key>\\"{_TEXT_KEYS}\\"\s*:\s*)\\"(?:[^\\]|\\[^"])*?\\"'),
        lambda m: f'{m.group("key")}\\"{REDACTED}\\"',
    ),
    # str() of Rasa's events: UserUttered(text: …, intent: …), BotUttered(text: …, data: …).
    (
        re.compile(r"(?P<key>(?:User|Bot|Agent)Uttered\(text: ).*?(?=, (?:intent|data): )"),
        lambda m: f"{m.group('key')}{REDACTED}",
    ),
    # repr() of BotUttered: BotUttered('…', {…}, …).
    (
        re.compile(rf"(?P<key>BotUttered\()(?:{_SINGLE}|{_DOUBLE})"),
        lambda m: f"{m.group('key')}'{REDACTED}'",
    ),
    # rasa/core/policies/policy.py: « user text: … » to the end of the line.
    (re.compile(r"(?P<key>user text: ).*"), lambda m: f"{m.group('key')}{REDACTED}"),
]


def redact(text: str) -> str:
    """``text`` with every known shape of a message text replaced by :data:`REDACTED`."""
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return text


def redact_event_dict(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: blank the values of :data:`SENSITIVE_EVENT_KEYS`."""
    for key in SENSITIVE_EVENT_KEYS.intersection(event_dict):
        if event_dict[key] is not None:
            event_dict[key] = REDACTED
    return event_dict


class MessageTextFilter(logging.Filter):
    """Rewrite a record's message and exception text without any message text; keep it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place (it is never dropped: the event itself is useful)."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as it would
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            kind, error, trace = record.exc_info
            rendered = "".join(traceback.format_exception(kind, error, trace))
            safe = redact(rendered)
            if safe != rendered:
                # Formatters print ``exc_text`` when it is set, instead of formatting again.
                record.exc_text = safe.rstrip("\n")
        return True


def install_record_redaction() -> None:
    """Pass every log record of this process through :class:`MessageTextFilter`.

    A record factory rather than a handler filter: Rasa, Sanic and coloredlogs create their
    handlers after this runs, and a filter on a logger does not see its children's records.
    Installing twice is harmless.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_message_text", False):
        return
    text_filter = MessageTextFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        text_filter.filter(record)
        return record

    factory.redacts_message_text = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def add_structlog_redaction() -> None:
    """Put :func:`redact_event_dict` first in structlog's processors (Rasa's configuration)."""
    import structlog  # only in the Rasa environment

    processors = list(structlog.get_config()["processors"])
    if redact_event_dict not in processors:
        structlog.configure(processors=[redact_event_dict, *processors])
