"""Start ``rasa run`` with its HTTP API token taken from ``RASA_AUTH_TOKEN``.

Rasa 3.6 reads the token of its HTTP API (``/conversations/…``, ``/model/…``) only from
``--auth-token`` on its command line, which any local user can read in the process list.
This entry point (run in ``.venv-rasa``: ``python -m ops.rasa_server run …``) adds the
option inside the process, so the token stays in the environment and never shows in
``/proc/<pid>/cmdline``. Without a token it refuses to start: the API must not be open.

It also keeps the agents' texts out of Rasa's log (``ops/log_redaction.py``): every log record
is redacted as it is created, and the redacting structlog processor is put first right after
Rasa configures structlog, before any message is handled.
"""

from __future__ import annotations

import os
import sys

from ops.log_redaction import add_structlog_redaction, install_record_redaction

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"


def main() -> None:
    """Run Rasa's own command line with ``--auth-token`` appended."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        sys.exit(f"{TOKEN_VARIABLE} est vide : l'API HTTP de Rasa resterait sans jeton.")
    install_record_redaction()
    import rasa.__main__ as rasa_cli

    configure_structlog = rasa_cli.configure_structlog

    def configure_redacted_structlog(log_level: int | None = None) -> None:
        configure_structlog(log_level)
        add_structlog_redaction()

    rasa_cli.configure_structlog = configure_redacted_structlog
    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    rasa_cli.main()


if __name__ == "__main__":
    main()
