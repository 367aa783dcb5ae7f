"""Settings of the Tchap bot, from the environment (prefix ``TCHAP_``, plus ``RASA_URL``).

The names are a contract (ARCHITECTURE.md, « Tchap bot »): deployments and tests set them.
The Rasa address is the one the API already relays to (``RASA_URL``, same default), so the
web chat and Tchap always talk to the same assistant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_RASA_URL = "http://127.0.0.1:5005"


class TchapSettings(BaseSettings):
    """Where the homeserver is, who the bot is, whom it serves and where it keeps its state."""

    model_config = SettingsConfigDict(env_prefix="TCHAP_", extra="ignore")

    homeserver: str = Field(description="URL du serveur Matrix (https://…).")
    bot_user: str = Field(description="Identifiant Matrix complet du bot (@nom:serveur).")
    bot_password: SecretStr = Field(description="Mot de passe du compte du bot.")
    referent_room: str = Field(default="", description="Identifiant du salon des référents.")
    # Comma-separated in the environment (« a.tchap.gouv.fr,b.tchap.gouv.fr »), not JSON.
    allowed_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Noms de serveurs dont le bot sert les utilisateurs."
    )
    store_dir: Path = Field(default=Path("var/tchap"), description="Jeton, appareil, clés.")
    rasa_url: str = Field(
        default=DEFAULT_RASA_URL,
        validation_alias=AliasChoices("RASA_URL", "TCHAP_RASA_URL"),
        description="Serveur Rasa (le même que celui de l'API).",
    )
    rasa_timeout_seconds: float = Field(default=30.0, gt=0)
    # How often new tickets are posted and pending answers relayed (the database is the bus).
    handoff_poll_seconds: float = Field(default=5.0, gt=0, le=3600)

    @field_validator("homeserver", "rasa_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"adresse invalide « {value} » : elle doit commencer par https://")
        return value

    @field_validator("bot_user")
    @classmethod
    def _matrix_id(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("@") or ":" not in value:
            raise ValueError("TCHAP_BOT_USER doit être un identifiant complet : @nom:serveur")
        return value

    @field_validator("allowed_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    def serves(self, user_id: str) -> bool:
        """Whether a Matrix user's server is one of the allowed ones (exact server name).

        Exact names only: accepting sub-domains would let « e.tchap.gouv.fr » (external
        accounts) in whenever « tchap.gouv.fr » is listed.
        """
        return server_name(user_id) in self.allowed_domains


def server_name(user_id: str) -> str:
    """The server part of a Matrix id (``@local:server`` → ``server``), lower-cased."""
    return user_id.partition(":")[2].lower()
