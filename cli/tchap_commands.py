"""``teletravail tchap``: run the Tchap (Matrix) bot in the foreground.

Configured by the environment only (``TCHAP_*`` and ``RASA_URL``, see ``tchap.config``), as
``make run`` and deployments start it; a missing or invalid variable is reported in French
with its name, without a stack trace.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError


def tchap(
    log_level: Annotated[
        str, typer.Option("--log-level", help="Niveau de journal (DEBUG montre les textes).")
    ] = "INFO",
) -> None:
    """Lance le bot Tchap (Matrix) au premier plan ; Ctrl-C l'arrête."""
    from tchap.client import LoginFailed
    from tchap.config import TchapSettings
    from tchap.runner import configure_logging, serve

    try:
        settings = TchapSettings()  # type: ignore[call-arg]  # read from the environment
    except ValidationError as error:
        for problem in error.errors():
            field = "_".join(str(part) for part in problem["loc"]).upper()
            name = "RASA_URL" if field == "RASA_URL" else f"TCHAP_{field}"
            typer.echo(f"Configuration du bot Tchap : {name} : {problem['msg']}", err=True)
        raise typer.Exit(code=2) from None
    configure_logging(log_level)
    try:
        asyncio.run(serve(settings))
    except LoginFailed as error:
        typer.echo(f"Bot Tchap : {error}", err=True)
        raise typer.Exit(code=1) from None


def register(app: typer.Typer) -> None:
    """Attach this command to the ``teletravail`` application."""
    app.command("tchap")(tchap)
