"""The foreground process behind ``teletravail tchap``: settings, logging, signals, bot.

SIGTERM (supervisord, systemd) and Ctrl-C stop the sync loop and close the client cleanly: the
sync token and keys are on disk after every sync, so a stop at any moment loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from tchap.bot import TchapBot
from tchap.config import TchapSettings
from tchap.rasa import RasaRelay
from tchap.store import BotStore


def configure_logging(level: str = "INFO") -> None:
    """Log lines with time and module; nio's own INFO chatter is kept to warnings."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # nio logs event contents at DEBUG and room details at INFO: never message texts here.
    logging.getLogger("nio").setLevel(logging.WARNING)
    logging.getLogger("peewee").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def serve(settings: TchapSettings) -> None:
    """Run the bot until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if not settings.allowed_domains:
        logging.getLogger(__name__).warning(
            "TCHAP_ALLOWED_DOMAINS is empty: every agent will get the refusal"
        )
    store = BotStore(settings.store_dir)
    bot = TchapBot(settings, store, RasaRelay(settings.rasa_url, settings.rasa_timeout_seconds))
    runner = asyncio.create_task(bot.run(stop))
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()  # a fatal error (password refused) ends the process with it
        else:
            # The sync in flight is a 30 s long poll: cancel it rather than wait for it.
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
    finally:
        stopper.cancel()
        await bot.close()
        store.close()
