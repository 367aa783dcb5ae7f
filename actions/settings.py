"""Settings of the action server, from the environment (prefix ``TELETRAVAIL_``).

Read once per process through :func:`get_action_settings`, in the style of
``api/settings.py``, so that each variable the actions use is named, typed and checked in
one place instead of being read with ``os.environ`` where it is used.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PUBLIC_URL = "http://localhost:8000"


class ActionSettings(BaseSettings):
    """Worker threads of the blocking calls, the documents' public address, the warm-up."""

    model_config = SettingsConfigDict(env_prefix="TELETRAVAIL_", extra="ignore")

    # Blocking work (retrieval, rules, drafts) runs in this many dedicated threads at most
    # (``actions.common.run_in_thread``). A call that timed out keeps its thread until it
    # returns (Python cannot stop it): the bound keeps stuck calls from taking every thread,
    # and a call that finds all of them busy is told so at once.
    action_threads: int = Field(default=8, ge=1, le=64)
    # Base of the download links sent in the chat (the API serves the documents).
    public_url: str = DEFAULT_PUBLIC_URL
    # Load the search engine when the actions are imported: ``TELETRAVAIL_WARMUP=0`` switches
    # it off for every process (as for the API), ``TELETRAVAIL_ACTIONS_WARMUP=0`` for the
    # action server only (the action tests use it).
    warmup: bool = True
    actions_warmup: bool = True
    # The day the relative dates (« demain », « mardi prochain ») count from. Unset in service:
    # the real date. An evaluation written on a given day sets it to replay its conversations
    # (``teletravail eval scenarios`` reads it from the set's ``today``).
    reference_date: dt.date | None = None

    @property
    def public_base_url(self) -> str:
        """The public URL without its trailing slash."""
        return self.public_url.rstrip("/")


@lru_cache(maxsize=1)
def get_action_settings() -> ActionSettings:
    """Settings read once per process (tests clear the cache to change them)."""
    return ActionSettings()
