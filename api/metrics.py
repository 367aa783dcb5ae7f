"""Prometheus metrics of the API, served at ``GET /metrics`` (text exposition format).

What is measured, and why it is safe to expose:

- every HTTP request, by method, **route template** (``/api/drafts/{draft_id}``, never the
  raw path, which holds draft ids; ``autre`` for a path no route matches) and status: the
  label values come from a fixed set, so neither a scanner nor a draft id can add series;
- the outcome of each reply of ``/api/chat`` and ``/api/ask`` (answered, abstained,
  fallback, form, handoff, error), read from the reply's payload (:mod:`knowledge.payload`)
  so that the dashboards and the référents' page agree on what « unanswered » means;
- Rasa's failures to answer the chat, by kind (``empty_reply`` is the action server down).

No label ever holds a message, a question, a conversation id or a draft id.

``/metrics`` counts itself like any route (a scrape is a request; its series are few).

The metrics live in the process's default registry, with the process and Python collectors
of ``prometheus-client``. The API runs as **one** uvicorn worker today: with several
workers (``--workers``, or gunicorn), each process would have its own counters and a scrape
would see one of them at random. Then use the client's multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR``, a ``MultiProcessCollector`` at ``/metrics``) or scrape each
worker; both are left until the API needs more than one worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, get_args

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.rasa_client import FailureKind
from api.routes.feedback import unanswered_kind
from knowledge.payload import message_payloads

Channel = Literal["chat", "ask"]
Outcome = Literal["answered", "abstained", "fallback", "form", "handoff", "error"]
METRICS_PATH = "/metrics"
# The label of a request no route matched (a 404, or a body refused before routing).
UNMATCHED_ROUTE = "autre"
# Methods are a label: an arbitrary method token must not make a new series.
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
OTHER_METHOD = "autre"
# 10 ms (a rules computation) to 10 s (an answer on a cold model); a Rasa time-out (30 s)
# falls in +Inf.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Rasa's failure kinds, French in the logs (``RasaUnavailable.kind``), as label values.
RASA_FAILURE_LABELS: dict[FailureKind, str] = {
    "injoignable": "unreachable",
    "délai dépassé": "timeout",
    "erreur": "http_error",
    "réponse invalide": "invalid_reply",
    "réponse vide": "empty_reply",
}

REQUESTS = Counter(
    "teletravail_http_requests_total",
    "Requêtes HTTP reçues par l'API, par méthode, modèle de route et code de statut.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "teletravail_http_request_duration_seconds",
    "Durée des requêtes HTTP jusqu'au dernier octet de la réponse, par méthode, modèle de "
    "route et classe de statut (2xx, 4xx, 5xx).",
    ["method", "route", "status_class"],
    buckets=LATENCY_BUCKETS,
)
REPLIES = Counter(
    "teletravail_replies_total",
    "Réponses de l'assistant par canal (chat, ask) et par issue.",
    ["channel", "outcome"],
)
RASA_FAILURES = Counter(
    "teletravail_rasa_failures_total",
    "Messages du chat restés sans réponse de Rasa, par cause (empty_reply : serveur "
    "d'actions arrêté ou trop lent).",
    ["kind"],
)
# Every series of the fixed label sets exists from the start, at 0: a rate over a counter
# that appears only at its first increment would miss that increment.
for _channel in get_args(Channel):
    for _outcome in get_args(Outcome):
        REPLIES.labels(_channel, _outcome)
for _kind in RASA_FAILURE_LABELS.values():
    RASA_FAILURES.labels(_kind)


def classify_chat_reply(messages: Iterable[dict[str, Any]]) -> Outcome:
    """The outcome of one bot turn (Rasa REST messages), from what its payloads say.

    Unanswered is decided by the same function as the référents' page
    (``api.routes.feedback.unanswered_kind``: ``fallback`` wins over ``abstained``), so the
    two counts agree. A turn confirming a ticket is ``handoff``; one with cited sources is
    ``answered``; any other turn (a form question, a calculator's result, the hand-off
    offer, a greeting) is ``form``.
    """
    messages = list(messages)
    unanswered = unanswered_kind(messages)
    if unanswered is not None:
        return "fallback" if unanswered == "fallback" else "abstained"
    payloads = message_payloads(messages)
    if any(payload.handoff is not None for payload in payloads):
        return "handoff"
    if any(payload.sources for payload in payloads):
        return "answered"
    return "form"


def record_chat_reply(messages: Iterable[dict[str, Any]]) -> None:
    """Count one reply of ``/api/chat`` under its outcome."""
    REPLIES.labels("chat", classify_chat_reply(messages)).inc()


def record_rasa_failure(kind: FailureKind) -> None:
    """Count a chat message Rasa did not answer: a failure of its kind, and an error reply."""
    RASA_FAILURES.labels(RASA_FAILURE_LABELS.get(kind, "other")).inc()
    REPLIES.labels("chat", "error").inc()


def record_ask_reply(*, abstained: bool, cited: bool) -> None:
    """Count one answer of ``/api/ask``: abstained, answered (with sources), or else form."""
    outcome: Outcome = "abstained" if abstained else "answered" if cited else "form"
    REPLIES.labels("ask", outcome).inc()


@contextmanager
def counting_errors(channel: Channel) -> Iterator[None]:
    """Count an exception raised while making a reply as an ``error`` outcome, and re-raise.

    The request counter sees the 500 too, but only this counter puts it beside the other
    outcomes of the same channel.
    """
    try:
        yield
    except Exception:
        REPLIES.labels(channel, "error").inc()
        raise


def route_label(scope: Scope, root_path: str) -> str:
    """The template of the route that served the request, or ``autre``.

    FastAPI leaves the matched route in the scope (``scope["route"]``, whose
    ``path_format`` is the template); a mounted app (``/static``, ``/dsfr``) leaves only its
    prefix, appended to ``root_path``.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str):
        return template
    mounted = str(scope.get("root_path", ""))
    if mounted != root_path and mounted.startswith(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return UNMATCHED_ROUTE


class RequestMetrics:
    """Count each HTTP request and time it until its response's last byte.

    A plain ASGI middleware (no ``BaseHTTPMiddleware``: it would buffer streamed responses).
    Installed outermost, so that a body refused before routing (413) is counted too. The
    time stops at the last body message: background tasks that run after the response
    (recording an unanswered question) are not the agent's wait.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting its status and when its response ended."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root_path = str(scope.get("root_path", ""))
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before responding
        ended: float | None = None

        async def observed_send(message: Message) -> None:
            nonlocal status, ended
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                ended = time.perf_counter()
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            method = scope["method"] if scope["method"] in KNOWN_METHODS else OTHER_METHOD
            route = route_label(scope, root_path)
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route, f"{status // 100}xx").observe(
                (ended or time.perf_counter()) - started
            )


async def metrics_endpoint() -> Response:
    """The current value of every metric, in Prometheus's text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def install_metrics(app: FastAPI) -> None:
    """Add ``GET /metrics`` and the request middleware (call it after the other middleware)."""
    app.add_api_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
    app.add_middleware(RequestMetrics)
