"""Refuse to start a container whose secrets are missing or left as placeholders, then run it.

The entry point of every service of ``docker-compose.yml``, in both images (Python 3.10 for
Rasa, 3.11 for the rest; standard library only)::

    python -m ops.check_secrets --secret RASA_AUTH_TOKEN --required DATABASE_URL -- CMD…

``--secret NAME``: the variable must be set, hold no placeholder and have at least
:data:`MIN_SECRET_CHARS` characters (tokens and passwords the deployment draws itself).
``--required NAME``: set and without a placeholder (URLs that embed a password, values an
administrator chooses, like the Tchap bot's password). A placeholder is any value containing
one of :data:`PLACEHOLDER_MARKERS`: ``.env.example`` writes every secret that way (the API's
development référent token, ``dev-referent-a-changer``, included), so a deployment that copied
it without editing stops here with a French message naming the variable, instead of serving
with a guessable secret. The API's own settings refuse its token as well
(``TELETRAVAIL_ENV=production``, ``api/settings.py``); Rasa's wrapper (``ops/rasa_server.py``)
only refuses an empty token, hence this check.

When every variable passes, the command replaces this process (``os.execvp``): no extra
process stays between the container's init and the service, signals reach it directly.
Values are never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

PLACEHOLDER_MARKERS = ("a-changer", "changeme", "change-me")
MIN_SECRET_CHARS = 16
# Exit status of a configuration error (sysexits.h EX_CONFIG).
EX_CONFIG = 78


def problems(
    environ: Mapping[str, str], secrets: Sequence[str], required: Sequence[str]
) -> list[str]:
    """French reasons why the environment must not start the service (empty list: fine)."""
    found: list[str] = []
    for name in [*secrets, *required]:
        value = environ.get(name, "").strip()
        if not value:
            found.append(f"{name} est vide ou absente : définissez-la dans .env.")
        elif any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
            found.append(
                f"{name} garde la valeur d'exemple de .env.example : remplacez-la par un "
                "secret tiré pour ce déploiement (openssl rand -hex 32)."
            )
        elif name in secrets and len(value) < MIN_SECRET_CHARS:
            found.append(f"{name} est trop courte ({MIN_SECRET_CHARS} caractères au moins).")
    return found


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The variables to check and the command after ``--``."""
    parser = argparse.ArgumentParser(
        prog="python -m ops.check_secrets",
        description="Vérifie les secrets d'un service puis lance sa commande (après --).",
    )
    parser.add_argument("--secret", action="append", default=[], metavar="VARIABLE")
    parser.add_argument("--required", action="append", default=[], metavar="VARIABLE")
    args = list(argv)
    if "--" not in args:
        parser.error("la commande du service doit suivre --")
    split = args.index("--")
    options, command = parser.parse_args(args[:split]), args[split + 1 :]
    if not command:
        parser.error("la commande du service doit suivre --")
    return options, command


def main(argv: Sequence[str] | None = None) -> int:
    """Check the environment, then exec the command (returns only on refusal)."""
    options, command = parse(sys.argv[1:] if argv is None else argv)
    found = problems(os.environ, options.secret, options.required)
    if found:
        for problem in found:
            print(f"Démarrage refusé : {problem}", file=sys.stderr)
        return EX_CONFIG
    sys.stdout.flush()
    os.execvp(command[0], command)
    return 0  # not reached: execvp replaces the process


if __name__ == "__main__":
    sys.exit(main())
