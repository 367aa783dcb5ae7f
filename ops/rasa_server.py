"""Start ``rasa run`` with its HTTP API token taken from ``RASA_AUTH_TOKEN``.

Rasa 3.6 reads the token of its HTTP API (``/conversations/…``, ``/model/…``) only from
``--auth-token`` on its command line, which any local user can read in the process list.
This entry point (run in ``.venv-rasa``: ``python -m ops.rasa_server run …``) adds the
option inside the process, so the token stays in the environment and never shows in
``/proc/<pid>/cmdline``. Without a token it refuses to start: the API must not be open.
"""

from __future__ import annotations

import os
import sys

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"


def main() -> None:
    """Run Rasa's own command line with ``--auth-token`` appended."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        sys.exit(f"{TOKEN_VARIABLE} est vide : l'API HTTP de Rasa resterait sans jeton.")
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
