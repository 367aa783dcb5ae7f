"""In-memory conversation store that forgets a conversation after a quiet hour.

Rasa's ``InMemoryTrackerStore`` keeps every event of every conversation until the server
stops, and the events hold what agents typed — health details and the texts of a draft
request included. A conversation is only useful while it is going on (the domain starts a
new session after ``session_expiration_time`` minutes without a message, carrying nothing
over), so this store drops a conversation's whole history once it has been quiet that long.

Loaded by Rasa from ``bot/endpoints.yml`` (``tracker_store: type: bot.tracker_store.…``);
runs in ``.venv-rasa``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_RETENTION_MINUTES = 60.0
logger = logging.getLogger(__name__)


class ExpiringInMemoryTrackerStore(InMemoryTrackerStore):
    """``InMemoryTrackerStore`` whose conversations expire after ``retention_minutes``."""

    def __init__(
        self,
        domain: Domain,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        retention_minutes: float = DEFAULT_RETENTION_MINUTES,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        """Keep conversations ``retention_minutes`` after their last saved event."""
        if float(retention_minutes) <= 0:
            raise ValueError("retention_minutes doit être strictement positif")
        self.retention_seconds = float(retention_minutes) * 60
        self._clock = clock
        self._last_saved: dict[str, float] = {}
        super().__init__(domain, event_broker, **kwargs)

    def forget_expired(self) -> int:
        """Drop the conversations quiet for longer than the retention; return how many."""
        limit = self._clock() - self.retention_seconds
        expired = [sender for sender, saved in self._last_saved.items() if saved < limit]
        for sender in expired:
            self.store.pop(sender, None)
            del self._last_saved[sender]
        if expired:
            logger.debug("%d conversation(s) expirée(s) effacée(s)", len(expired))
        return len(expired)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Save the conversation and note when, after forgetting the expired ones."""
        self.forget_expired()
        await super().save(tracker)
        self._last_saved[tracker.sender_id] = self._clock()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's last session, unless it has expired."""
        self.forget_expired()
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """The whole conversation, unless it has expired."""
        self.forget_expired()
        return await super().retrieve_full_tracker(sender_id)

    async def keys(self) -> Iterable[str]:
        """The conversations still kept."""
        self.forget_expired()
        return await super().keys()
