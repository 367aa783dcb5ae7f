"""Shared dependencies of the routes: the one Rasa client of the process.

The client is made by the application's lifespan (``api.main``) and closed with it, so its
connection pool lives on the server's event loop; routes take it as the ``Rasa`` type.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.rasa_client import RasaClient
from api.settings import WebSettings


def rasa_client_from(settings: WebSettings) -> RasaClient:
    """A Rasa client for the configured server, token and timeout."""
    token = settings.rasa_auth_token.get_secret_value() if settings.rasa_auth_token else None
    return RasaClient(
        settings.rasa_url, timeout_seconds=settings.rasa_timeout_seconds, auth_token=token or None
    )


def get_rasa_client(request: Request) -> RasaClient:
    """The process's Rasa client (set up by the lifespan: run the app with it)."""
    client: RasaClient | None = getattr(request.app.state, "rasa_client", None)
    if client is None:
        raise RuntimeError("client Rasa absent : l'application doit démarrer par son lifespan")
    return client


Rasa = Annotated[RasaClient, Depends(get_rasa_client)]
