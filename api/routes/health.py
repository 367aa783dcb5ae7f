"""``GET /healthz``: the API is up, and how each service it depends on is doing.

The answer is **200 whenever the API itself serves requests**: supervisors and load
balancers use this address to decide whether to restart or route to *this* process, and
restarting the API would not bring a stopped Rasa back. The body says the rest:
``status`` is ``"ok"`` when every dependency answers and ``"degraded"`` when one does not
(the web chat then answers its French 503), with one entry per dependency under
``dependencies``: ``rasa`` (``GET /status``), ``actions`` (the action server's
``GET /health``) and ``database`` (``SELECT 1``), each ``{"status": "ok"|"down",
"latency_ms", "detail"}`` with a French reason when down. Probes run concurrently, each
within ``TELETRAVAIL_HEALTH_TIMEOUT_SECONDS`` (2 s by default).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import Rasa
from api.rasa_client import Probe, no_answer_within
from api.settings import get_web_settings

logger = logging.getLogger(__name__)
router = APIRouter(tags=["santé"])


class Dependencies(BaseModel):
    """One probe per service the assistant needs."""

    rasa: Probe
    actions: Probe
    database: Probe


class Health(BaseModel):
    """``ok`` when every dependency answers, ``degraded`` otherwise (still HTTP 200)."""

    status: Literal["ok", "degraded"]
    dependencies: Dependencies


def _select_one() -> None:
    from storage import get_engine

    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


async def probe_database(timeout_seconds: float) -> Probe:
    """``SELECT 1`` on the application's database, in a worker thread, within the timeout."""
    started = time.perf_counter()
    detail: str | None = None
    try:
        await asyncio.wait_for(run_in_threadpool(_select_one), timeout=timeout_seconds)
    except TimeoutError:
        detail = no_answer_within(timeout_seconds)
    except SQLAlchemyError as error:
        logger.warning("Base de données injoignable : %s", type(error).__name__)
        detail = "injoignable"
    latency_ms = round((time.perf_counter() - started) * 1000)
    return Probe(status="down" if detail else "ok", latency_ms=latency_ms, detail=detail)


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
async def healthz(rasa: Rasa) -> Health:
    """Probe Rasa, the action server and the database at the same time."""
    settings = get_web_settings()
    timeout = settings.health_timeout_seconds
    rasa_probe, actions_probe, database_probe = await asyncio.gather(
        rasa.probe_rasa(timeout),
        rasa.probe(f"{settings.action_server_url}/health", timeout),
        probe_database(timeout),
    )
    dependencies = Dependencies(rasa=rasa_probe, actions=actions_probe, database=database_probe)
    down = [name for name, probe in dependencies if probe.status == "down"]
    if down:
        logger.warning("Santé dégradée : %s", ", ".join(down))
    return Health(status="degraded" if down else "ok", dependencies=dependencies)
