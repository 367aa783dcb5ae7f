"""Start ``rasa run`` with its HTTP API token taken from ``RASA_AUTH_TOKEN``.

Rasa 3.6 reads the token of its HTTP API (``/conversations/…``, ``/model/…``) only from
``--auth-token`` on its command line, which any local user can read in the process list.
This entry point (run in ``.venv-rasa``: ``python -m ops.rasa_server run …``) adds the
option inside the process, so the token stays in the environment and never shows in
``/proc/<pid>/cmdline``. Without a token it refuses to start: the API must not be open.

It installs ``ops/rasa_speedups.py`` (two per-message costs of Rasa removed). It also keeps
the agents' texts out of Rasa's log (``ops/log_redaction.py``): every log record
is redacted as it is created, and the redacting structlog processor is put first right after
Rasa configures structlog, before any message is handled.

With several Sanic workers (``SANIC_WORKERS``, ``make run``'s default of 2), the workers are
forked children that serve the listening socket. If the main process is killed (``kill -9``,
out of memory), they would live on, keep the port, and the restarted server could not bind
it: every child forked here is told to die with its parent (Linux ``PR_SET_PDEATHSIG``).

The workers share one listening socket, and a kept-alive connection stays with the worker
that accepted it: a client that opens its connections at once (the bench's 16 conversations,
any pooled client after a burst) could have them all accepted by the first worker to wake
up while the other served nothing (measured: 25 messages/s, one worker at full load, the
other idle). With several workers, each response closes its connection (Sanic 21.12 ignores
its ``KEEP_ALIVE`` setting, so a response middleware does it), and every message is accepted
by a worker that is free at that moment: docs/operations.md, « Capacité ». One more loopback
connection per message costs far less than the ~35 ms of CPU the message itself takes.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

from ops.log_redaction import add_structlog_redaction, install_record_redaction

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
logger = logging.getLogger("ops.rasa_server")  # not "__main__" when run with -m
logger.setLevel(logging.INFO)  # Rasa sets the level of its own loggers only
WORKERS_VARIABLE = "SANIC_WORKERS"


_forking: list[int] = []  # pid of the process about to fork


def remember_parent() -> None:
    """Before a fork: note which process forks."""
    _forking[:] = [os.getpid()]


def die_with_parent() -> None:
    """In a forked child: be killed as soon as the process that forked it dies."""
    parent = _forking[0] if _forking else os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not Linux: the supervisor's process-group stop still applies
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def several_workers(environ: Mapping[str, str]) -> bool:
    """Whether Rasa will fork several Sanic workers (``SANIC_WORKERS`` > 1)."""
    try:
        return int(environ.get(WORKERS_VARIABLE, "1")) > 1
    except ValueError:
        return False  # Rasa itself reports the bad value


async def close_connection(request: Any, response: Any) -> None:
    """Sanic response middleware: this response ends its connection (module docstring)."""
    if request.stream is not None:
        request.stream.keep_alive = False


async def freeze_loaded_objects(app: Any, loop: Any) -> None:
    """Sanic listener, once the model is loaded: keep its objects out of garbage collection.

    The loaded model, TensorFlow and the domain are millions of long-lived Python objects;
    every full collection walked them all again, in the middle of some message.
    """
    gc.collect()
    gc.freeze()
    logger.info("Modèle chargé : %d objets hors du ramasse-miettes", gc.get_freeze_count())


def configure_rasa_app(close_connections: bool) -> None:
    """Have the Sanic app that Rasa builds run our listener and middleware.

    :func:`freeze_loaded_objects` always; :func:`close_connection` if ``close_connections``
    (several workers).
    """
    import rasa.core.run as rasa_run

    configure_app = rasa_run.configure_app

    def configure_tuned_app(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        app.register_listener(freeze_loaded_objects, "after_server_start")
        if close_connections:
            app.register_middleware(close_connection, "response")
        return app

    rasa_run.configure_app = configure_tuned_app


def main() -> None:
    """Run Rasa's own command line with ``--auth-token`` appended."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        sys.exit(f"{TOKEN_VARIABLE} est vide : l'API HTTP de Rasa resterait sans jeton.")
    install_record_redaction()
    os.register_at_fork(before=remember_parent, after_in_child=die_with_parent)
    import rasa.__main__ as rasa_cli

    from ops import rasa_speedups

    rasa_speedups.install()
    configure_rasa_app(several_workers(os.environ))

    configure_structlog = rasa_cli.configure_structlog

    def configure_redacted_structlog(log_level: int | None = None) -> None:
        configure_structlog(log_level)
        add_structlog_redaction()

    rasa_cli.configure_structlog = configure_redacted_structlog
    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    rasa_cli.main()


if __name__ == "__main__":
    main()
