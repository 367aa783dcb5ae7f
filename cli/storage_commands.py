"""Database sub-commands: ``teletravail db upgrade`` and ``teletravail db status``.

The API migrates at start-up; these commands let an operator migrate before a deployment
or check where a database stands, on the database named by ``DATABASE_URL``.
"""

from __future__ import annotations

from collections.abc import Callable

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from storage import current_revisions, database_url, upgrade_database

db_app = typer.Typer(help="Base de données (SQLite par défaut, PostgreSQL via DATABASE_URL).")


def _where() -> str:
    """The database URL without its password, to print."""
    return make_url(database_url()).render_as_string(hide_password=True)


def _revisions(action: Callable[[], list[str]], failure: str) -> list[str]:
    """Run a database action, or print a French error (no stack trace) and exit 1."""
    typer.echo(f"Base : {_where()}")
    try:
        return action()
    except SQLAlchemyError as error:
        typer.echo(f"Erreur : {failure} ({type(error).__name__}).", err=True)
        raise typer.Exit(code=1) from None


@db_app.command("upgrade")
def upgrade() -> None:
    """Applique les migrations en attente."""
    revisions = _revisions(upgrade_database, "migration impossible")
    typer.echo(f"Migrations appliquées ; révision(s) : {', '.join(revisions)}.")


@db_app.command("status")
def status() -> None:
    """Affiche la révision de la base."""
    revisions = _revisions(current_revisions, "base inaccessible")
    typer.echo(f"Révision(s) : {', '.join(revisions) or 'aucune (base non migrée)'}.")


def register(app: typer.Typer) -> None:
    """Attach these commands to the ``teletravail`` application."""
    app.add_typer(db_app, name="db")
