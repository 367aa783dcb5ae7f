"""Entry point of the ``teletravail`` command: one sub-command per capability."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Assistant télétravail de la fonction publique.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_commands() -> None:
    """Attach the sub-commands of each capability (each module owns its commands)."""
    from cli import (
        drafts_commands,
        knowledge_commands,
        rules_commands,
        storage_commands,
        tchap_commands,
    )

    knowledge_commands.register(app)
    rules_commands.register(app)
    storage_commands.register(app)
    drafts_commands.register(app)
    tchap_commands.register(app)


_register_commands()

if __name__ == "__main__":
    app()
