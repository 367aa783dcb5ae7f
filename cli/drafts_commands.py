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


@drafts_app.command("bench")
def bench(
    count: Annotated[int, typer.Option(min=1, max=200, help="Nombre de brouillons.")] = 20,
) -> None:
    """Mesure la création d'un brouillon (annexes 1, 2, 5 en DOCX et PDF, base SQLite)."""
    import statistics
    import tempfile
    import time
    from pathlib import Path

    from drafts.config import DraftSettings
    from drafts.models import DraftRequest
    from drafts.service import create_draft
    from storage import reset_engine

    request = DraftRequest.model_validate(BENCH_REQUEST)
    with tempfile.TemporaryDirectory(prefix="drafts-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        settings = DraftSettings(drafts_dir=Path(folder) / "drafts")
        timings = []
        for _ in range(count):
            start = time.perf_counter()
            create_draft(request, settings=settings, url=url)
            timings.append((time.perf_counter() - start) * 1000)
        reset_engine()
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    typer.echo(
        f"{count} brouillons (3 documents × DOCX + PDF) : médiane "
        f"{statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms."
    )


BENCH_REQUEST = {
    "nom": "Lefèvre",
    "prenom": "Gaëlle",
    "corps": "Attachée d'administration de l'État",
    "affectation": "DRAAF Occitanie, service régional de l'alimentation",
    "poste": "Chargée de mission plans de contrôle",
    "missions": [
        {"intitule": "Rédaction", "poids": 60, "part_teletravaillable": 90},
        {"intitule": "Réunions", "poids": 40, "part_teletravaillable": 50},
    ],
    "motivations": "Réduire les trajets.",
    "quotite": 80,
    "jours": ["mardi", "jeudi"],
    "lieux": ["Domicile"],
    "date_debut": "2031-03-01",
    "chorus": True,
}


def register(app: typer.Typer) -> None:
    """Attach these commands to the ``teletravail`` application."""
    app.add_typer(drafts_app, name="drafts")
