"""The Tchap bot: a channel from Matrix rooms to the Rasa assistant, and back.

What it answers:
- invitations: joined when the inviter's server is in ``TCHAP_ALLOWED_DOMAINS``; otherwise
  the bot joins just long enough to say in French why it cannot help, then leaves (a silent
  rejection would leave the agent wondering);
- text messages in a direct conversation (a room of two: the agent and the bot) from an
  allowed server: relayed to Rasa, Rasa's answer sent back (``tchap.formatting``);
- encrypted messages it cannot decrypt: a short notice asking to send again, and a key
  request to the sender's devices, rather than silence;
- the hand-off to the référents (``TCHAP_REFERENT_ROOM``): every few seconds, tickets the
  agents agreed to (``storage.tickets``, written by the action server) are posted as thread
  roots in the référents' room; a référent's message in a ticket's thread (or a Matrix reply
  to its root) is recorded as the answer and relayed to the agent's direct conversation
  (web chat tickets wait in the database for the chat page); ``!clore`` and ``!publier``
  in the thread close the ticket or propose the answer for publication (``tchap.handoff``).

What it ignores: its own events, events older than its start (a first sync returns recent
history, which must not be answered again), events already handled (ids kept in the store,
so a restart never answers twice), rooms of more than two members other than the
référents' room, and messages of the référents' room outside a ticket's thread. A
conversation the agent has left is left too.

Handlers run as tasks, one queue per room, so that a slow answer from Rasa never stalls the
sync loop (and with it, every other conversation), while one agent's messages are still
answered in order. Nothing of a message's text is logged at INFO: only event ids and the
pseudonymous conversation id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

from aiohttp import ClientError
from nio import (
    AsyncClient,
    InviteMemberEvent,
    JoinError,
    MatrixRoom,
    MegolmEvent,
    RoomMemberEvent,
    RoomMessageText,
    RoomSendError,
)
from nio.exceptions import LocalProtocolError

from storage import tickets
from tchap import handoff
from tchap.client import (
    SessionRevoked,
    backoff_seconds,
    build_client,
    log_in,
    pause,
    sync_loop,
)
from tchap.config import TchapSettings, server_name
from tchap.formatting import (
    ASSISTANT_UNAVAILABLE,
    REFUSAL_FOREIGN_DOMAIN,
    REFUSAL_GROUP,
    UNDECRYPTABLE,
    MatrixText,
    notice,
    render,
    strip_reply_fallback,
)
from tchap.rasa import RasaRelay, RasaUnavailable, conversation_id
from tchap.store import BotStore

logger = logging.getLogger(__name__)
READY_MESSAGE = "Tchap bot ready"
CONVERSATION_SECRET = "conversation-id"
ROOM_STATE_TIMEOUT_SECONDS = 30.0


class TchapBot:
    """One bot account on one homeserver, relaying direct conversations to Rasa."""

    def __init__(self, settings: TchapSettings, store: BotStore, relay: RasaRelay) -> None:
        self.settings = settings
        self.store = store
        self.relay = relay
        self.client: AsyncClient = build_client(settings, store)
        self.started_ms = int(time.time() * 1000)
        self._secret = store.secret(CONVERSATION_SECRET)
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._invites: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._synced = asyncio.Event()
        self._ready = False
        self._handoff: asyncio.Task[None] | None = None
        self._delivering = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Log in (or restore the login) and serve until ``stop`` is set.

        A revoked token (an administrator closed the bot's session) leads to a fresh
        password login (a few times at most); a refused password ends the run
        (``LoginFailed``); any other failure of the homeserver is retried by the sync loop.
        """
        logins = 0
        while not stop.is_set():
            try:
                if not await self._log_in_when_reachable(stop):
                    return
                self._register_callbacks()
                await sync_loop(self.client, self._after_sync, stop)
            except SessionRevoked as error:
                logins += 1
                if logins > 3:
                    raise
                logger.warning("Session lost (%s): logging in again", error)
                self.store.forget_session()
                await self.client.close()
                self.client = build_client(self.settings, self.store)
                await asyncio.sleep(backoff_seconds(logins))

    async def _log_in_when_reachable(self, stop: asyncio.Event) -> bool:
        """Log in, waiting with backoff while the homeserver cannot be reached.

        A bot started before its homeserver (a reboot of both) must wait, not crash.
        Returns False when stopped meanwhile.
        """
        failures = 0
        while not stop.is_set():
            try:
                await log_in(self.client, self.settings, self.store)
                return True
            except (ClientError, OSError, TimeoutError) as error:
                failures += 1
                delay = backoff_seconds(failures)
                logger.warning(
                    "Homeserver unreachable at login (%s): retrying in %.1f s",
                    type(error).__name__,
                    delay,
                )
                await pause(stop, delay)
        return False

    async def close(self) -> None:
        """Let running replies finish (briefly), then close the HTTP sessions.

        The client is closed, never logged out: logging out would delete the device and
        its keys on the server.
        """
        if self._handoff is not None:
            self._handoff.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._handoff
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        await self.client.close()
        await self.relay.close()

    def _register_callbacks(self) -> None:
        self.client.event_callbacks.clear()
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        self.client.add_event_callback(self._on_text, RoomMessageText)
        self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
        self.client.add_event_callback(self._on_member, RoomMemberEvent)

    async def _after_sync(self) -> None:
        self._synced.set()
        self._synced.clear()
        if not self._ready:
            self._ready = True
            logger.info(
                "%s as %s (device %s)", READY_MESSAGE, self.client.user_id, self.client.device_id
            )
            if self.settings.referent_room and self._handoff is None:
                self._handoff = asyncio.create_task(self._handoff_loop())

    def _spawn(self, room_id: str, work: Coroutine[Any, Any, object]) -> None:
        """Run ``work`` after the previous work of the same room, outside the sync loop."""
        lock = self._room_locks.setdefault(room_id, asyncio.Lock())

        async def ordered() -> None:
            async with lock:
                try:
                    await work
                except Exception:
                    logger.exception("Handling an event of room %s failed", room_id)

        task = asyncio.create_task(ordered())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- event filters ---------------------------------------------------------------------

    def _fresh(self, event: Any) -> bool:
        """Whether an event is new to this bot: not its own, not older than its start."""
        if event.sender == self.client.user_id:
            return False
        if int(getattr(event, "server_timestamp", 0) or 0) < self.started_ms:
            return False
        return self.store.claim_event(event.event_id)

    def _is_direct(self, room: MatrixRoom) -> bool:
        """A direct conversation is a room of two: the agent and the bot."""
        return room.member_count <= 2

    # -- handlers (called by nio during a sync; they only queue work) ----------------------

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.membership != "invite" or event.state_key != self.client.user_id:
            return
        # Invitations are not deduplicated on disk: one received while the bot was down
        # comes back in the first sync and deserves an answer; joining is idempotent.
        if room.room_id in self._invites:
            return
        self._invites.add(room.room_id)
        if self.settings.serves(event.sender) or room.room_id == self.settings.referent_room:
            self._spawn(room.room_id, self._accept(room.room_id))
        else:
            logger.info("Invitation from server %s refused", server_name(event.sender))
            self._spawn(room.room_id, self._refuse(room.room_id, REFUSAL_FOREIGN_DOMAIN))

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if not self._fresh(event):
            return
        if room.room_id == self.settings.referent_room:
            self._spawn(room.room_id, self._referent_message(event))
            return
        if not self._is_direct(room):
            return  # groups: silent
        if not self.settings.serves(event.sender):
            self._spawn(room.room_id, self._send(room.room_id, notice(REFUSAL_FOREIGN_DOMAIN)))
            return
        relation = (event.source.get("content") or {}).get("m.relates_to") or {}
        if relation.get("rel_type") == "m.replace":
            return  # an edit: the original was answered; answering again would repeat it
        text = strip_reply_fallback(event.body).strip()
        if text:
            self._spawn(
                room.room_id, self._answer(room.room_id, event.sender, event.event_id, text)
            )

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        if not self._fresh(event):
            return
        logger.info("Undecryptable event %s in room %s", event.event_id, room.room_id)
        self._spawn(room.room_id, self._undecryptable(room.room_id, event))

    async def _on_member(self, room: MatrixRoom, event: RoomMemberEvent) -> None:
        """Leave a conversation the agent has left: a room of one serves nobody."""
        if event.membership not in ("leave", "ban") or event.state_key == self.client.user_id:
            return
        if not self._fresh(event) or room.room_id == self.settings.referent_room:
            return
        if room.joined_count <= 1:
            logger.info("Alone in room %s: leaving", room.room_id)
            self._spawn(room.room_id, self._leave(room.room_id))

    # -- work ------------------------------------------------------------------------------

    async def _answer(self, room_id: str, sender: str, event_id: str, text: str) -> None:
        """Relay one agent message to Rasa and send the answer back.

        The message is marked read and the bot shown typing while Rasa works (seconds when
        the texts are searched): the agent sees at once that the question was received.
        """
        conversation = conversation_id(self._secret, sender, room_id)
        self.store.remember_room(conversation, room_id)  # where a référent's answer goes
        logger.info("Message %s → conversation %s", event_id, conversation)
        logger.debug("Text of %s: %r", event_id, text)
        await self._courtesy(self.client.room_read_markers(room_id, event_id, event_id))
        typing_ms = int(self.settings.rasa_timeout_seconds * 1000)
        await self._courtesy(self.client.room_typing(room_id, True, timeout=typing_ms))
        try:
            messages = await self.relay.ask(conversation, text)
        except RasaUnavailable:
            await self._send(room_id, notice(ASSISTANT_UNAVAILABLE))
            return
        finally:
            await self._courtesy(self.client.room_typing(room_id, False))
        await self._send(room_id, render(messages))

    async def _courtesy(self, request: Coroutine[Any, Any, object]) -> None:
        """Send a read receipt or typing notice; its failure must not cost the answer."""
        try:
            await request
        except (ClientError, OSError, TimeoutError) as error:
            logger.debug("Read receipt or typing notice not sent: %s", type(error).__name__)

    async def _undecryptable(self, room_id: str, event: MegolmEvent) -> None:
        with contextlib.suppress(LocalProtocolError):  # already requested for this session
            await self.client.request_room_key(event)
        await self._send(room_id, notice(UNDECRYPTABLE))

    async def _join(self, room_id: str) -> bool:
        response = await self.client.join(room_id)
        if isinstance(response, JoinError):
            logger.warning("Could not join room %s: %s", room_id, response.status_code)
            self._invites.discard(room_id)
            return False
        logger.info("Joined room %s", room_id)
        return True

    async def _accept(self, room_id: str) -> None:
        """Join; then, in a room of more than two, explain and leave.

        The member count is only known once joined (an invitation shows a stripped state).
        A group is refused because answers quote an agent's situation to everyone in it.
        """
        if not await self._join(room_id) or room_id == self.settings.referent_room:
            return
        if await self._wait_for_room_state(room_id) and not self._is_direct(
            self.client.rooms[room_id]
        ):
            logger.info("Room %s has more than two members: leaving", room_id)
            await self._send(room_id, notice(REFUSAL_GROUP))
            await self._leave(room_id)

    async def _refuse(self, room_id: str, text: str) -> None:
        """Join, explain in French, leave: the agent reads why, the bot keeps no room."""
        if await self._join(room_id):
            await self._send(room_id, notice(text))
            await self._leave(room_id)

    async def _leave(self, room_id: str) -> None:
        await self.client.room_leave(room_id)
        await self.client.room_forget(room_id)
        self._invites.discard(room_id)

    async def _wait_for_room_state(self, room_id: str) -> bool:
        """Wait until a sync has brought the room's state (members, encryption).

        Sending before that would send in clear into an encrypted room just joined: nio
        only learns that a room is encrypted from its state.
        """
        deadline = time.monotonic() + ROOM_STATE_TIMEOUT_SECONDS
        while room_id not in self.client.rooms:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._synced.wait(), timeout=remaining)
            except TimeoutError:
                return False
        return True

    async def _send(self, room_id: str, message: MatrixText | dict[str, Any]) -> str | None:
        """Send one message, encrypted when the room is, to every device of the room.

        Devices are not verified one by one (a bot cannot compare emojis with each agent):
        ``ignore_unverified_devices`` is what every Tchap bot does. Rate limits are waited
        out by nio (``retry_after_ms``).
        """
        if not await self._wait_for_room_state(room_id):
            logger.warning("Room %s never appeared in a sync: message not sent", room_id)
            return None
        content = message.content() if isinstance(message, MatrixText) else message
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        if isinstance(response, RoomSendError):
            logger.warning("Could not send to room %s: %s", room_id, response.status_code)
            return None
        return str(response.event_id)

    # -- hand-off to the référents ---------------------------------------------------------

    async def _handoff_loop(self) -> None:
        """Post new tickets and relay pending answers, every ``handoff_poll_seconds``.

        The database is the bus between the action server (which creates tickets) and this
        bot: polling it needs no extra service and survives restarts of either side.
        """
        schema_ready = False
        while True:
            try:
                if not schema_ready:
                    await asyncio.to_thread(tickets.ensure_schema)
                    schema_ready = True
                await self._post_tickets()
                await self._deliver_answers()
            except Exception:
                logger.exception("Hand-off round failed (database or homeserver): retrying")
            await asyncio.sleep(self.settings.handoff_poll_seconds)

    async def _post_tickets(self) -> None:
        """Post each new ticket as a thread root in the référents' room."""
        room_id = self.settings.referent_room
        if room_id not in self.client.rooms:
            return  # not joined yet (the invitation is accepted at the next sync)
        for ticket in await asyncio.to_thread(tickets.unposted_tickets):
            event_id = await self._send(room_id, handoff.thread_root(ticket))
            if event_id is None:
                return
            await asyncio.to_thread(tickets.mark_posted, ticket.id, event_id)
            logger.info("Ticket %d posted as %s", ticket.id, event_id)

    async def _deliver_answers(self) -> None:
        """Relay the référents' answers not yet delivered to Tchap agents.

        Called by the loop and right after an answer is recorded: the lock keeps the two
        from sending the same answer twice.
        """
        async with self._delivering:
            await self._deliver_pending()

    async def _deliver_pending(self) -> None:
        for delivery in await asyncio.to_thread(tickets.undelivered, "tchap"):
            room_id = self.store.room_of(delivery.conversation_id)
            if room_id is None or room_id not in self.client.rooms:
                logger.debug("No room for conversation %s", delivery.conversation_id)
                continue
            message = handoff.relayed_answer(delivery.ticket_id, delivery.text)
            if await self._send(room_id, message) is not None:
                await asyncio.to_thread(tickets.mark_delivered, delivery.reply_id)
                logger.info("Answer to ticket %d relayed", delivery.ticket_id)

    async def _referent_message(self, event: RoomMessageText) -> None:
        """Record a référent's answer or command given in a ticket's thread."""
        content = event.source.get("content") or {}
        relation = content.get("m.relates_to") or {}
        root = handoff.root_of(content)
        if root is None or relation.get("rel_type") == "m.replace":
            return  # a message outside the tickets' threads, or an edit
        ticket = await asyncio.to_thread(tickets.ticket_by_thread, root)
        if ticket is None:
            return
        room_id = self.settings.referent_room
        text = strip_reply_fallback(event.body).strip()
        command = handoff.command_of(text)
        if command == "close":
            await asyncio.to_thread(tickets.close_ticket, ticket.id)
            logger.info("Ticket %d closed", ticket.id)
            reply = f"Demande n° {ticket.id} close."
        elif command == "publish":
            proposed = await asyncio.to_thread(tickets.request_publication, ticket.id)
            reply = (
                "Dernière réponse proposée à la publication : à relire dans l'espace référent "
                "(/referent) avant d'être citée par l'assistant."
                if proposed is not None
                else "Aucune réponse à publier dans ce fil."
            )
        elif text:
            recorded = await asyncio.to_thread(tickets.add_reply, ticket.id, event.event_id, text)
            if recorded is None:
                return
            logger.info("Answer recorded for ticket %d", ticket.id)
            if ticket.channel == "tchap":
                await self._deliver_answers()
                reply = "Réponse transmise à l'agent dans Tchap."
            else:
                reply = (
                    "Réponse enregistrée : elle s'affiche dans la page de chat de l'agent "
                    "tant que celle-ci est ouverte."
                )
        else:
            return
        await self._send(room_id, handoff.in_thread(notice(reply), root))
