"""Settings of the web application, from the environment (prefix ``TELETRAVAIL_``).

The référent page is protected by a shared token. A default token is convenient on a
developer's machine and dangerous anywhere else, so outside the ``dev`` environment the
application refuses to start until ``TELETRAVAIL_REFERENT_TOKEN`` is set to a real secret
(the pattern of fastapi/full-stack-fastapi-template's ``core/config.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_REFERENT_TOKEN = "dev-referent-a-changer"
MIN_TOKEN_CHARS = 16


class WebSettings(BaseSettings):
    """Environment, référent token and how long feedback is kept."""

    model_config = SettingsConfigDict(env_prefix="TELETRAVAIL_", extra="ignore")

    env: Literal["dev", "test", "staging", "production"] = "dev"
    referent_token: SecretStr = SecretStr(DEFAULT_REFERENT_TOKEN)
    # Feedback and unanswered questions may quote what an agent typed: kept this many days.
    feedback_retention_days: int = Field(default=180, ge=1, le=3650)

    @model_validator(mode="after")
    def _no_default_secret_outside_dev(self) -> WebSettings:
        token = self.referent_token.get_secret_value()
        if self.env == "dev":
            return self
        if token == DEFAULT_REFERENT_TOKEN:
            raise ValueError(
                "TELETRAVAIL_REFERENT_TOKEN garde sa valeur par défaut : choisissez un jeton "
                f"secret pour l'environnement « {self.env} »."
            )
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(
                f"TELETRAVAIL_REFERENT_TOKEN est trop court ({MIN_TOKEN_CHARS} caractères au "
                "moins hors de l'environnement dev)."
            )
        return self


@lru_cache(maxsize=1)
def get_web_settings() -> WebSettings:
    """Settings read once per process (tests clear the cache to change them)."""
    return WebSettings()
