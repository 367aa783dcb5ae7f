"""The one client of the Rasa server: the web chat's relay, the tracker look-up, health probes.

Used by ``POST /api/chat``, ``POST /api/feedback``, ``GET /healthz`` and the Tchap relay
(``tchap/rasa.py``), over one pooled ``httpx.AsyncClient`` with explicit timeouts.

A reply counts as a failure when Rasa is unreachable, times out, answers an error status or
something other than a list — and when it answers an **empty** list to a message: Rasa's
REST channel does that when the action server is down or timed out (the failed action call
is only logged), and an agent's message always gets at least one message back otherwise.
The callers then tell the agent, in French, to try again, instead of showing nothing.

Nothing here logs the text of a message.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Literal

import httpx
from pydantic import BaseModel

logger = logging.getLogger(__name__)
# Rasa takes its token in the query string only, and httpx logs each request's full URL at
# INFO: kept quiet so that the token (and conversation ids) never reach the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)

WEBHOOK_PATH = "/webhooks/rest/webhook"
# The longest message Rasa is fed (the web chat refuses longer ones, Tchap cuts them).
MAX_MESSAGE_CHARS = 2000
DEFAULT_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5.0
TRACKER_TIMEOUT_SECONDS = 5.0
PROBE_TIMEOUT_SECONDS = 2.0
_SENDER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

FailureKind = Literal["injoignable", "délai dépassé", "erreur", "réponse invalide", "réponse vide"]


def check_sender(value: str) -> str:
    """Refuse a conversation id that is not 1 to 64 letters, digits, ``-`` or ``_``.

    The id goes into Rasa's URLs (``/conversations/<id>/tracker``) and its tracker store.
    """
    if not _SENDER.match(value):
        raise ValueError("identifiant de conversation invalide (lettres, chiffres, - et _)")
    return value


class RasaUnavailable(RuntimeError):
    """Rasa did not answer a message (down, timed out, an error, or nothing to say).

    ``kind`` names the failure, in French like the logs it goes to; tests check it.
    """

    def __init__(self, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def no_answer_within(seconds: float) -> str:
    """The French reason of a probe that timed out (« pas de réponse en 0,5 s »)."""
    return f"pas de réponse en {seconds:g} s".replace(".", ",")


class Probe(BaseModel):
    """The state of one dependency, as ``GET /healthz`` reports it."""

    status: Literal["ok", "down"]
    latency_ms: int
    detail: str | None = None


class RasaClient:
    """Talks to one Rasa server; the action server is probed through the same HTTP pool."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        auth_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = {"token": auth_token} if auth_token else {}
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=CONNECT_TIMEOUT_SECONDS),
            transport=transport,
        )

    async def send(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Post ``text`` to the REST webhook for conversation ``sender``; Rasa's messages.

        Raises:
            RasaUnavailable: unreachable, timed out, an error status, not a list of
                messages, or an empty list (the action server is down or timed out).

        """
        payload = {"sender": sender, "message": text}
        try:
            response = await self._http.post(f"{self.base_url}{WEBHOOK_PATH}", json=payload)
            response.raise_for_status()
            messages = response.json()
        except httpx.TimeoutException as error:
            raise self._failed("délai dépassé", error) from error
        except httpx.TransportError as error:
            raise self._failed("injoignable", error) from error
        except httpx.HTTPStatusError as error:
            raise self._failed("erreur", error, f"HTTP {error.response.status_code}") from error
        except ValueError as error:
            raise self._failed("réponse invalide", error) from error
        if not isinstance(messages, list):
            raise self._failed("réponse invalide", None, type(messages).__name__)
        replies = [message for message in messages if isinstance(message, dict)]
        if not replies:
            raise self._failed("réponse vide", None, "serveur d'actions arrêté ?")
        return replies

    def _failed(
        self, kind: FailureKind, error: Exception | None, detail: str = ""
    ) -> RasaUnavailable:
        logger.warning(
            "Assistant Rasa sans réponse (%s) : %s", kind, detail or type(error).__name__
        )
        return RasaUnavailable(kind, detail or type(error).__name__)

    async def tracker(self, sender: str) -> dict[str, Any] | None:
        """The tracker of a conversation (``--enable-api``), or None when it cannot be read."""
        try:
            response = await self._http.get(
                f"{self.base_url}/conversations/{sender}/tracker",
                params=self._auth,
                timeout=TRACKER_TIMEOUT_SECONDS,
            )
            response.raise_for_status()
            tracker = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.info("Suivi Rasa illisible : %s", type(error).__name__)
            return None
        return tracker if isinstance(tracker, dict) else None

    async def probe_rasa(self, timeout_seconds: float = PROBE_TIMEOUT_SECONDS) -> Probe:
        """Whether Rasa serves its HTTP API (``GET /status``, with the token when set).

        ``/status`` rather than ``/``: it also fails when the token is wrong, which would
        otherwise only show as feedback stored without its intent.
        """
        return await self.probe(f"{self.base_url}/status", timeout_seconds, params=self._auth)

    async def probe(
        self,
        url: str,
        timeout_seconds: float = PROBE_TIMEOUT_SECONDS,
        params: dict[str, str] | None = None,
    ) -> Probe:
        """GET ``url`` within a short timeout: ok on a 2xx, down otherwise (reason in French)."""
        started = time.perf_counter()
        detail: str | None = None
        try:
            response = await self._http.get(url, params=params, timeout=timeout_seconds)
            if not response.is_success:
                detail = f"répond HTTP {response.status_code}"
        except httpx.TimeoutException:
            detail = no_answer_within(timeout_seconds)
        except httpx.HTTPError:
            detail = "injoignable"
        latency_ms = round((time.perf_counter() - started) * 1000)
        return Probe(status="down" if detail else "ok", latency_ms=latency_ms, detail=detail)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()
