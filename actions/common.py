"""What every action shares: citations as text and payload, timed thread calls, user texts.

Citations travel twice, as the contract of ARCHITECTURE.md asks: as French lines
(« Source : <titre> (<date>), <section>. ») that any channel can show, and as a custom payload
``{"sources": [...]}`` with the shape of ``/api/ask`` that the web chat renders. Blocking
work (retrieval, rules, date parsing) runs in a worker thread under an explicit timeout, so
that one slow question never stalls the action server's event loop. Those threads are a
dedicated, bounded pool (:func:`run_in_thread`): Python cannot stop a thread, so a call that
timed out keeps its thread until it returns, and without a bound repeated timeouts would
take every thread of the process.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.replies import last_choices, pick
from actions.settings import get_action_settings
from knowledge.models import Source
from knowledge.payload import BotPayload

logger = logging.getLogger(__name__)
T = TypeVar("T")
Button = dict[str, str]

RULES_TIMEOUT_S = 10.0
MAX_SECTIONS = 3
REFERENT_BUTTON: Button = {"title": "Contacter le référent", "payload": "/talk_to_human"}
HELP_BUTTON: Button = {"title": "Que pouvez-vous faire ?", "payload": "/help"}
BUSY_TEXT = (
    "Je suis très sollicité en ce moment et ne peux pas traiter votre demande tout de suite. "
    "Réessayez dans un instant."
)


def button(title: str, payload: str) -> Button:
    """Build a quick reply: a French title and the payload Rasa parses (``/intent{...}``)."""
    return {"title": title, "payload": payload}


class ActionsBusyError(TimeoutError):
    """Every worker thread is taken: the call was refused without waiting.

    A subclass of ``TimeoutError``, so that callers that already answer « try again later »
    to a slow call do the same here; :func:`failure_text` tells the two apart.
    """


class _WorkerPool:
    """A dedicated thread pool and a count of its free threads, created on first use.

    The count is taken before a call is submitted and given back when the call's thread
    returns, not when its caller stops waiting: a stuck call keeps its place, and when all
    places are taken the next call is refused at once instead of queueing behind it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._free: threading.BoundedSemaphore | None = None
        self.size = 0

    def get(self) -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
        """The pool and its free-thread count, sized from ``TELETRAVAIL_ACTION_THREADS``."""
        with self._lock:
            if self._executor is None or self._free is None:
                self.size = get_action_settings().action_threads
                self._executor = ThreadPoolExecutor(
                    max_workers=self.size, thread_name_prefix="actions-work"
                )
                self._free = threading.BoundedSemaphore(self.size)
            return self._executor, self._free

    def reset(self) -> None:
        """Forget the pool (tests resize it); threads still running finish on their own."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self._free = None


_pool = _WorkerPool()


def reset_thread_pool() -> None:
    """Drop the worker pool, so that the next call sizes a new one from the settings."""
    _pool.reset()


async def run_in_thread(function: Callable[..., T], *args: Any, timeout: float) -> T:
    """Run blocking ``function(*args)`` in the actions' thread pool, within ``timeout`` seconds.

    Raises:
        ActionsBusyError: every thread is taken (some perhaps by calls that timed out and
            still run); nothing was started.
        TimeoutError: the call took longer; its thread finishes in the background and keeps
            its place in the pool until then.

    """
    executor, free = _pool.get()
    if not free.acquire(blocking=False):
        logger.warning("Tous les fils de travail des actions sont occupés (%d)", _pool.size)
        raise ActionsBusyError(f"{_pool.size} fils de travail occupés")
    try:
        future = executor.submit(function, *args)
    except BaseException:
        free.release()
        raise
    # Called when the thread returns, or when the call is cancelled before it started.
    future.add_done_callback(lambda _: free.release())
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout=timeout)
    except TimeoutError:
        name = getattr(function, "__qualname__", type(function).__name__)
        logger.warning("Appel %s abandonné après %.0f s ; son fil continue", name, timeout)
        raise


def failure_text(error: BaseException, default: str) -> str:
    """The French reply to a failed call: « busy » when the pool was full, else ``default``."""
    return BUSY_TEXT if isinstance(error, ActionsBusyError) else default


def source_line(source: Source, *, section: bool = True) -> str:
    """Write « Source : <titre> (<date>), <section>. », leaving out what the source lacks."""
    return _line(source, [source.section] if section else [])


def _line(source: Source, sections: list[str]) -> str:
    line = f"Source : {source.title}"
    if source.date:
        line += f" ({source.date})"
    kept = [s for s in sections if s]
    if kept:
        line += ", " + " ; ".join(kept)
    return line.rstrip(".") + "."


def source_lines(
    sources: Iterable[Source], *, sections: bool = True, limit: int = MAX_SECTIONS
) -> str:
    """One « Source : » line per text, naming its first ``limit`` distinct sections.

    With ``sections=False`` the lines name the texts only: for answers that already cite the
    section of each point inline.
    """
    by_document: dict[str, tuple[Source, list[str]]] = {}
    for source in sources:
        named = by_document.setdefault(source.doc_id, (source, []))[1]
        if sections and source.section and source.section not in named:
            named.append(source.section)
    return "\n".join(_line(first, named[:limit]) for first, named in by_document.values())


def sources_payload(sources: Iterable[Source]) -> dict[str, Any]:
    """The custom payload (``knowledge.payload.BotPayload``): every source, ``/api/ask`` shape."""
    return BotPayload(sources=list(sources)).to_custom()


def send_sources(
    dispatcher: CollectingDispatcher,
    sources: Sequence[Source],
    *,
    shown: Sequence[Source] | None = None,
    sections: bool = True,
    buttons: list[Button] | None = None,
) -> None:
    """Send the « Source : » lines of ``shown`` (default: all) with the payload of ``sources``."""
    if not sources:
        return
    dispatcher.utter_message(
        text=source_lines(shown if shown is not None else sources, sections=sections),
        json_message=sources_payload(sources),
        buttons=buttons or [],
    )


def section_of(sources: Sequence[Source]) -> str:
    """Name the distinct sections of some sources, for a citation inside a sentence."""
    sections = list(dict.fromkeys(s.section for s in sources if s.section))
    return " ; ".join(sections)


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message (empty when there is none)."""
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


# Intents whose message is an attempt at the form's question, whatever its length: a value,
# or « je sais pas » (dont_know), which the form's validation answers with the expected form.
ATTEMPT_INTENTS = frozenset({"inform", "nlu_fallback", "dont_know"})


def latest_intent(tracker: Tracker) -> str:
    """The intent of the latest user message, ``nlu_fallback`` included (empty if unknown)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else ""


def latest_entity(tracker: Tracker, entity: str) -> Any:
    """The value of an entity of the latest user message, or None."""
    for found in (tracker.latest_message or {}).get("entities") or []:
        if isinstance(found, dict) and found.get("entity") == entity:
            return found.get("value")
    return None


def recent_user_texts(tracker: Tracker, count: int = 3) -> list[str]:
    """The texts of the last ``count`` user messages, most recent last."""
    texts = [
        event.get("text") or ""
        for event in tracker.events
        if isinstance(event, dict) and event.get("event") == "user"
    ]
    latest = latest_text(tracker)
    if latest and (not texts or texts[-1] != latest):
        texts.append(latest)
    # A message sent again (after a failed turn, kept in the history) is one message: the
    # one before it is still the one it leans on.
    distinct = [text for i, text in enumerate(texts) if i == 0 or text != texts[i - 1]]
    return distinct[-count:]


def requested_slot(tracker: Tracker) -> str | None:
    """The slot the active form is asking for, if any."""
    value = tracker.get_slot(REQUESTED_SLOT)
    return value if isinstance(value, str) else None


def own_question(tracker: Tracker, prefix: str) -> str | None:
    """The field a form of ``prefix``-named slots asked for, if the pending question is its own.

    A question of another form (the agent switched forms mid-way) is not: the form then
    starts over instead of reading the message as, say, the eligibility status.
    """
    slot = requested_slot(tracker)
    return slot.removeprefix(prefix) if slot is not None and slot.startswith(prefix) else None


def value_before_turn(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had before the latest user message (None if never set)."""
    events = [e for e in tracker.events if isinstance(e, dict)]
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    before = events[: users[-1]] if users else events
    values = [e.get("value") for e in before if e.get("event") == "slot" and e.get("name") == slot]
    return values[-1] if values else None


def leave_form(tracker: Tracker) -> list[EventType]:
    """End the active form, if any: the agent started another flow (the quiz, the guide).

    Without this, Rasa asks the form's question again right after the new flow's first
    message, and the next answer (« b » to the quiz) is read as the form's value.
    """
    if not (tracker.active_loop or {}).get("name"):
        return []
    return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]


def chosen_value(tracker: Tracker, slot: str) -> Any:
    """The value of ``slot`` in the button the latest message picks (« 2 », « b », its title).

    A form's question lists its buttons, numbered; « 2 » then means the second one's value
    (``/inform{"status": "contractuel"}`` → « contractuel »; ``/affirm`` → True, ``/deny`` →
    False). None when the message picks no button, or one without a value for ``slot``.
    """
    text = latest_text(tracker).strip()
    if not text or text.startswith("/"):
        return None
    choice = pick(text, last_choices(tracker.events))
    if choice is None:
        return None
    if choice.intent in ("affirm", "deny"):
        return choice.intent == "affirm"
    return choice.entities.get(slot)


def remember(kind: str, **details: Any) -> SlotSet:
    """Keep what was just computed (``last_computation``), for the next turns' follow-ups."""
    return SlotSet("last_computation", {"kind": kind, **details})


def pydantic_message(error: Exception) -> str:
    """The French message of a rules validation error, without pydantic's prefix."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        messages = [str(item.get("msg", "")) for item in errors()]
        text = " ; ".join(m.removeprefix("Value error, ") for m in messages if m)
        if text:
            return text[0].upper() + text[1:]
    return "Valeur non reconnue"
