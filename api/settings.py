"""Settings of the web application, from the environment (prefix ``TELETRAVAIL_``).

The référent page is protected by a shared token. A default token is convenient on a
developer's machine and dangerous anywhere else, so outside the ``dev`` environment the
application refuses to start until ``TELETRAVAIL_REFERENT_TOKEN`` is set to a real secret
(the pattern of fastapi/full-stack-fastapi-template's ``core/config.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_REFERENT_TOKEN = "dev-referent-a-changer"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_ACTIONS_PORT = 5055
MIN_TOKEN_CHARS = 16


def http_url(value: str) -> str:
    """A service's base URL without its trailing slash; anything but http(s) is refused."""
    url = value.strip().rstrip("/")
    if url.startswith(("http://", "https://")):
        return url
    raise ValueError(f"adresse invalide « {url} » : elle doit commencer par http:// ou https://")


class WebSettings(BaseSettings):
    """Environment, référent token, how long feedback is kept, where Rasa and its actions are.

    ``RASA_URL`` keeps its historical unprefixed name: the Tchap bot and the deployments read
    the same variable, so the web chat and Tchap always talk to the same assistant.
    """

    model_config = SettingsConfigDict(
        env_prefix="TELETRAVAIL_", extra="ignore", populate_by_name=True
    )

    env: Literal["dev", "test", "staging", "production"] = "dev"
    referent_token: SecretStr = SecretStr(DEFAULT_REFERENT_TOKEN)
    # Feedback and unanswered questions may quote what an agent typed: kept this many days.
    feedback_retention_days: int = Field(default=180, ge=1, le=3650)
    rasa_url: str = Field(
        default=DEFAULT_RASA_URL, validation_alias=AliasChoices("RASA_URL", "TELETRAVAIL_RASA_URL")
    )
    # Rasa's ``--auth-token``: sent as ``?token=`` to its HTTP API (tracker, status), which
    # it protects; the REST webhook the agents' messages go through does not need it.
    rasa_auth_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("RASA_AUTH_TOKEN", "TELETRAVAIL_RASA_AUTH_TOKEN"),
    )
    # A question searched in the texts takes seconds on a busy machine: the web page waits
    # longer than this (chat.js CHAT_TIMEOUT_MS), so the API's French 503 is what it shows.
    rasa_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # The action server, probed by /healthz: TELETRAVAIL_ACTIONS_URL, else the local port
    # the supervisor starts it on (TELETRAVAIL_ACTIONS_PORT, ops/supervisord.conf).
    actions_url: str | None = None
    actions_port: int = Field(default=DEFAULT_ACTIONS_PORT, ge=1, le=65535)
    # Each dependency probe of /healthz: a supervisor polls it, it must answer quickly.
    health_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # Load the search model and index before serving (``TELETRAVAIL_WARMUP=0``: on first
    # question instead, for tests and quick local starts).
    warmup: bool = True

    @field_validator("rasa_url", "actions_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value)

    @property
    def action_server_url(self) -> str:
        """Base URL of the action server."""
        return self.actions_url or f"http://127.0.0.1:{self.actions_port}"

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
