"""Two per-message costs of Rasa 3.6 removed, without changing what it computes.

Profiled on the server under load (docs/operations.md, « Où passe le CPU de Rasa »):

* **Action responses re-checked the JSON schema itself.** ``RemoteAction`` validates each
  response of the action server with ``jsonschema.validate``, which first validates the
  response *schema* against the JSON-Schema meta-schema, then builds a validator, then
  validates the response: ~6 ms per action call, 1.8 ms of them for the response. The
  schema is a constant of Rasa: it is checked once, and one validator is kept.
* **Event classes looked up by walking every subclass.** Reading a conversation from the
  tracker store deserialises every event, and ``Event.resolve_by_type`` walks all the
  subclasses of ``Event`` (with ``inspect.isabstract`` on each) for every one of them. The
  classes are found once and kept by type name; an unknown name walks them again (a class
  imported later is still found), and unknown names still fail as before.

Installed by ``ops/rasa_server.py`` (the entry point of ``make run``, the fault tests, the
benchmark and the compose image); ``tests/bot/test_rasa_speedups.py`` checks that the
results are Rasa's own.
"""

from __future__ import annotations

from typing import Any

_installed: list[bool] = []


def install() -> None:
    """Patch Rasa once per process (imports Rasa: call it in ``.venv-rasa`` only)."""
    if _installed:
        return
    _cache_action_response_validator()
    _cache_event_types()
    _installed.append(True)


def _cache_action_response_validator() -> None:
    from jsonschema import ValidationError, exceptions, validators
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # As jsonschema.validate, without its per-call check of the schema itself.
        error: ValidationError | None = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (  # the message Rasa's own method gives
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def _cache_event_types() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    by_name: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        known = by_name.get(type_name)
        if known is not None:
            return known
        found = original(type_name, default)  # Rasa's own answer: a class, None, default, error
        if found is not None and found is not default:
            by_name[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
