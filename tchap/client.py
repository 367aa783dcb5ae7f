"""The matrix-nio client's life: one login, a persistent key store, a sync loop that survives.

What Matrix bots get wrong, and what this module does instead (from the bugs reported on
etalab-ia/albert-tchap, maubot and matrix-nio):

- Logging in at every start creates a new device, whose keys the agents' clients do not
  have: messages around a restart become undecryptable. The password is used once; the
  access token and device id are saved with the key store and reused (``restore_login``).
  ``logout()`` is never called: it deletes the device and its keys on the server.
- The sync token is stored by nio (``store_sync_tokens``) so a restart resumes where it
  stopped; nio does not persist room state, so the first sync of each run asks for the full
  state (members, encryption) with the timeline still limited by the token.
- nio already waits ``retry_after_ms`` and retries a request that gets ``M_LIMIT_EXCEEDED``
  (bounded here by ``MAX_RATE_LIMITED_RETRIES``); connection failures are retried a few
  times by nio, then the loop here waits with exponential backoff and syncs again, forever.
- nio's key maintenance (upload, query, claim, to-device) is done after every sync, as its
  ``sync_forever`` does, but in a loop that never stops on an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from aiohttp import ClientError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)
from nio.exceptions import LocalProtocolError

from tchap.config import TchapSettings
from tchap.store import BotStore, Session

logger = logging.getLogger(__name__)
DEVICE_NAME = "Assistant télétravail"
SYNC_TIMEOUT_MS = 30_000
MAX_RATE_LIMITED_RETRIES = 20
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
# Answers that retrying cannot change: the operator must fix the account or the password.
REFUSED_LOGIN_CODES = {"M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME", "M_UNKNOWN"}


class LoginFailed(RuntimeError):
    """The homeserver refused the bot's password: nothing to retry, the operator must act."""


class SessionRevoked(RuntimeError):
    """The saved access token is no longer accepted (session closed by an administrator)."""


def build_client(settings: TchapSettings, store: BotStore) -> AsyncClient:
    """An encryption-enabled client whose keys and sync token live in the bot's store."""
    config = AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=True,
        max_limit_exceeded=MAX_RATE_LIMITED_RETRIES,
        max_timeouts=2,
        request_timeout=SYNC_TIMEOUT_MS / 1000 + 30,
    )
    return AsyncClient(
        settings.homeserver,
        settings.bot_user,
        store_path=str(store.crypto_dir),
        config=config,
    )


async def log_in(client: AsyncClient, settings: TchapSettings, store: BotStore) -> Session:
    """Reuse the saved login when the homeserver still accepts it; else log in once.

    Raises:
        LoginFailed: the password or the account is refused.
        ConnectionError: the homeserver failed otherwise (to be retried).

    """
    session = store.load_session(settings.bot_user)
    if session is not None:
        client.restore_login(session.user_id, session.device_id, session.access_token)
        whoami = await client.whoami()
        if isinstance(whoami, WhoamiResponse):
            logger.info("Session restored (device %s)", session.device_id)
            return session
        if getattr(whoami, "status_code", None) != "M_UNKNOWN_TOKEN":
            # The server is there but unhappy (or not there yet): keep the session, the
            # sync loop will retry; a new device would lose the keys for nothing.
            logger.warning("Could not check the saved session: %s", whoami)
            return session
        logger.warning("Saved access token refused: logging in again (new device)")
        store.forget_session()
        client.access_token = ""
        client.device_id = ""
        client.store = None
        client.olm = None
    response = await client.login(settings.bot_password.get_secret_value(), device_name=DEVICE_NAME)
    if not isinstance(response, LoginResponse):
        if getattr(response, "status_code", None) in REFUSED_LOGIN_CODES:
            raise LoginFailed(f"connexion refusée par {settings.homeserver} : {response}")
        # A server error (5xx, proxy page): the caller retries with backoff.
        raise ConnectionError(f"login failed: {getattr(response, 'status_code', response)}")
    session = Session(response.user_id, response.device_id, response.access_token)
    store.save_session(session)
    logger.info("Logged in (new device %s)", session.device_id)
    return session


async def _maintain_keys(client: AsyncClient) -> None:
    """Upload our keys, fetch others' devices, claim one-time keys, flush to-device."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


def backoff_seconds(failures: int) -> float:
    """Exponential backoff with jitter: 1, 2, 4 … seconds, at most a minute."""
    base: float = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, failures - 1))
    return base * random.uniform(0.8, 1.2)


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less when ``stop`` is set meanwhile (a backoff that Ctrl-C ends)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def sync_loop(
    client: AsyncClient,
    on_synced: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
) -> None:
    """Sync until ``stop`` is set, reconnecting with backoff when the homeserver is away.

    ``on_synced`` runs after every successful sync (the bot marks itself ready after the
    first one). A revoked token ends the loop with ``SessionRevoked``: the caller logs in anew.

    Raises:
        SessionRevoked: the homeserver no longer accepts the access token.

    """
    failures = 0
    first = True
    while not stop.is_set():
        try:
            response = await client.sync(
                timeout=0 if first else SYNC_TIMEOUT_MS, full_state=first or None
            )
            if isinstance(response, SyncError):
                if response.status_code == "M_UNKNOWN_TOKEN":
                    raise SessionRevoked("jeton d'accès refusé par le serveur")
                raise ConnectionError(f"sync refused: {response.status_code}")
            if not isinstance(response, SyncResponse):
                raise ConnectionError(f"unexpected sync response {type(response).__name__}")
            await _maintain_keys(client)
        except (TimeoutError, OSError, ClientError, LocalProtocolError) as error:
            # nio has already retried a timed-out request twice by then.
            failures += 1
            delay = backoff_seconds(failures)
            logger.warning(
                "Homeserver unreachable (%s, failure %d): retrying in %.1f s",
                type(error).__name__,
                failures,
                delay,
            )
            await pause(stop, delay)
            continue
        if failures:
            logger.info("Homeserver reachable again after %d failure(s)", failures)
        failures = 0
        first = False
        await on_synced()
