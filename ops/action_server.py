"""Run the rasa-sdk action server in a single process, for the supervisor.

``python -m rasa_sdk`` serves from a child process of Sanic's worker manager: after a
``kill -9`` of the process the supervisor watches, that child lives on, orphaned, still
holding the port, so the restarted server cannot bind it (docs/conversations.md, « Arrêt
brutal du serveur d'actions »). Sanic's single-process mode has no command-line switch in
rasa-sdk, hence this entry point: the same arguments and application as ``python -m
rasa_sdk``, served by one process the supervisor can kill and restart whole.

The address comes from ``SANIC_HOST`` (127.0.0.1 unless set), and Sanic reads its other
``SANIC_*`` settings from the environment: ``SANIC_RESPONSE_TIMEOUT`` bounds each action
call below the lifetime of a conversation's lock in Rasa.

Log records are redacted as they are created (``ops/log_redaction.py``): rasa-sdk logs the
events it ignores, texts included, at DEBUG, and nothing an agent typed may reach a log.
"""

from __future__ import annotations

import logging
import os

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_KEEP_ALIVE_TIMEOUT
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic

from ops.log_redaction import install_record_redaction


def main() -> None:
    """Parse ``python -m rasa_sdk``'s arguments and serve in this process only."""
    install_record_redaction()
    args = create_argument_parser().parse_args()
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    app = create_app_for_serve(
        executor,
        cors_origins=args.cors,
        endpoints=args.endpoints,
        keep_alive_timeout=DEFAULT_KEEP_ALIVE_TIMEOUT,
    )
    app.prepare(
        host=os.environ.get("SANIC_HOST", "127.0.0.1"),
        port=args.port,
        single_process=True,
        motd=False,
    )
    Sanic.serve_single(app)


if __name__ == "__main__":
    main()
