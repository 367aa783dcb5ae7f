"""An agent's Tchap client for the tests: a real matrix-nio client with encryption.

It syncs in the background, records every message it can read (decrypted) and opens
encrypted direct conversations the way Tchap/Element does (``is_direct``, private chat,
``m.room.encryption`` in the initial state).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomPreset,
    RoomSendResponse,
)

ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


@dataclass
class Received:
    """A message the agent's client read (decrypted when the room is encrypted)."""

    room_id: str
    sender: str
    event_id: str
    body: str
    formatted_body: str | None
    msgtype: str
    encrypted: bool
    server_timestamp: int
    # When this client read it (time.monotonic): the latency benchmark's arrival time.
    received_at: float = field(default_factory=time.monotonic)


class Agent:
    """A logged-in matrix-nio client syncing in the background, with its own key store."""

    def __init__(self, homeserver: str, user_id: str, password: str, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.password = password
        self.client = AsyncClient(
            homeserver,
            user_id,
            store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True),
        )
        self.received: list[Received] = []
        self.undecryptable: list[str] = []
        self._sync: asyncio.Task[Any] | None = None

    @classmethod
    def new_device(cls, homeserver: str, user_id: str, password: str, workdir: Path) -> Agent:
        """A new device of ``user_id``, with a key store of its own under ``workdir``."""
        return cls(homeserver, user_id, password, workdir / "agents" / uuid.uuid4().hex)

    async def __aenter__(self) -> Agent:
        response = await self.client.login(self.password, device_name="tests")
        assert isinstance(response, LoginResponse), response
        self.client.add_event_callback(self._on_message, (RoomMessageText, RoomMessageNotice))
        self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._sync = asyncio.create_task(self.client.sync_forever(timeout=1000))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._sync is not None:
            self._sync.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync
        await self.client.close()

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        self.received.append(
            Received(
                room_id=room.room_id,
                sender=event.sender,
                event_id=event.event_id,
                body=event.body,
                formatted_body=getattr(event, "formatted_body", None),
                msgtype=event.source.get("content", {}).get("msgtype", ""),
                encrypted=bool(event.decrypted),
                server_timestamp=event.server_timestamp,
            )
        )

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        self.undecryptable.append(event.event_id)

    async def open_direct_chat(self, bot_id: str, timeout: float = 30.0) -> str:
        """Create an encrypted DM with the bot and wait until the bot has joined it."""
        response = await self.client.room_create(
            is_direct=True,
            invite=[bot_id],
            preset=RoomPreset.trusted_private_chat,
            initial_state=[ENCRYPTION],
        )
        assert isinstance(response, RoomCreateResponse), response
        room_id = response.room_id
        await self.wait_for(lambda: self._joined(room_id, bot_id), timeout, "bot never joined")
        return room_id

    def _joined(self, room_id: str, user_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    async def say(self, room_id: str, text: str) -> str:
        """Send a text message (encrypted, to every device of the room); return its id."""
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": text},
            ignore_unverified_devices=True,
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    def messages_from(self, sender: str, room_id: str, since_ms: int = 0) -> list[Received]:
        """Messages of ``sender`` in ``room_id`` sent at or after ``since_ms``."""
        return [
            m
            for m in self.received
            if m.sender == sender and m.room_id == room_id and m.server_timestamp >= since_ms
        ]

    async def ask(self, room_id: str, bot_id: str, text: str, timeout: float = 90.0) -> Received:
        """Send ``text`` and wait for the bot's next message in that room."""
        since = int(time.time() * 1000) - 1000
        before = len(self.messages_from(bot_id, room_id, since))
        await self.say(room_id, text)
        await self.wait_for(
            lambda: len(self.messages_from(bot_id, room_id, since)) > before,
            timeout,
            f"no answer from the bot to {text!r}",
        )
        return self.messages_from(bot_id, room_id, since)[before]

    async def wait_for(self, condition: Any, timeout: float, what: str) -> None:
        """Poll ``condition`` until true; fail the test with ``what`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(what)
            await asyncio.sleep(0.1)
