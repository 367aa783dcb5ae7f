"""Drafts sub-commands: ``teletravail drafts purge`` (retention) and ``drafts delete ID``.

The purge deletes every draft older than ``TELETRAVAIL_DRAFTS_RETENTION_DAYS`` (default 30),
rows and files, and prints its progress in French; run it daily (cron, systemd timer). It
migrates the database first, so it works on a fresh deployment too.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from drafts.config import get_draft_settings
from drafts.service import DraftNotFoundError, delete_draft, purge_expired
from storage import upgrade_database

drafts_app = typer.Typer(help="Brouillons de documents (durée de conservation, suppression).")


@drafts_app.command("purge")
def purge() -> None:
    """Supprime les brouillons dont la durée de conservation est écoulée."""
    settings = get_draft_settings()
    typer.echo(
        f"Conservation : {settings.drafts_retention_days} jours ; dossier : {settings.drafts_dir}"
    )
    try:
        upgrade_database()
        count = 0
        for draft_id in purge_expired(settings=settings):
            count += 1
            typer.echo(f"  supprimé : {draft_id}")
    except SQLAlchemyError as error:
        typer.echo(f"Erreur : base inaccessible ({type(error).__name__}).", err=True)
        raise typer.Exit(code=1) from None
    plural = "s" if count > 1 else ""
    typer.echo(f"{count} brouillon{plural} expiré{plural} supprimé{plural}.")


@drafts_app.command("delete")
def delete(draft_id: Annotated[str, typer.Argument(help="Identifiant du brouillon.")]) -> None:
    """Supprime un brouillon et ses fichiers."""
    try:
        delete_draft(uuid.UUID(draft_id))
    except (ValueError, DraftNotFoundError):
        typer.echo("Erreur : brouillon introuvable.", err=True)
        raise typer.Exit(code=1) from None
    typer.echo("Brouillon supprimé.")


def register(app: typer.Typer) -> None:
    """Attach these commands to the ``teletravail`` application."""
    app.add_typer(drafts_app, name="drafts")
