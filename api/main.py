"""The FastAPI application: API routes, limits and French errors in one place.

Routes stay thin: each router calls the plain-Python domain functions of ``knowledge`` and
``rules``, shared with the CLI and the bot.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import install_error_handlers

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """Refuse request bodies over a limit before anything parses them (413, French message)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the streamed bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        message = f"Requête trop volumineuse : {self.max_bytes // 1024} Kio au plus."
        body = json.dumps({"detail": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the limit."""


@asynccontextmanager
async def _warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Migrate the database, load the model, spaCy and the index before serving.

    The Rasa client is made here, not at import, so that its connection pool belongs to
    the server's event loop; it is closed when the server stops.
    """
    from api.deps import rasa_client_from
    from api.settings import get_web_settings
    from storage import upgrade_database

    settings = get_web_settings()
    await run_in_threadpool(upgrade_database)
    if settings.warmup:
        from knowledge.service import get_engine

        engine = await run_in_threadpool(get_engine)
        await run_in_threadpool(engine.ask, "télétravail")
    app.state.rasa_client = rasa_client_from(settings)
    try:
        yield
    finally:
        await app.state.rasa_client.aclose()


def create_app() -> FastAPI:
    """Build the application with every router."""
    from api.metrics import install_metrics
    from api.routes import ask, chat, feedback, handoff, health, referent, rules
    from api.routes import drafts as drafts_routes
    from api.routes.web import install_web
    from api.settings import get_web_settings

    get_web_settings()  # refuses to start with a default secret outside dev
    app = FastAPI(
        lifespan=_warm_up,
        title="Assistant télétravail",
        description="Réponses citées aux questions de télétravail des agents publics, calculs "
        "des règles (quotas, délais, éligibilité) et brouillons de documents.",
        version="0.1.0",
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(ask.router)
    app.include_router(rules.router)
    app.include_router(chat.router)
    app.include_router(drafts_routes.router)
    app.include_router(feedback.router)
    app.include_router(referent.router)
    app.include_router(handoff.router)
    install_web(app)
    app.add_middleware(BodySizeLimit)
    install_metrics(app)  # after BodySizeLimit: outermost, so refused bodies are counted
    return app


app = create_app()
