"""Where drafts are written and how long they are kept (environment, prefix ``TELETRAVAIL_``).

``TELETRAVAIL_DRAFTS_DIR`` (default ``var/drafts``, git-ignored) holds one folder per draft;
``TELETRAVAIL_DRAFTS_RETENTION_DAYS`` (default 30) is how long a draft lives before
``teletravail drafts purge`` deletes it, database rows and files alike.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DraftSettings(BaseSettings):
    """Folder and retention of the drafts."""

    model_config = SettingsConfigDict(env_prefix="TELETRAVAIL_", extra="ignore")

    drafts_dir: Path = PROJECT_ROOT / "var" / "drafts"
    drafts_retention_days: Annotated[int, Field(ge=1, le=3650)] = 30


@lru_cache(maxsize=1)
def get_draft_settings() -> DraftSettings:
    """Settings read once per process (tests pass their own)."""
    return DraftSettings()
