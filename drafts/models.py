"""What an agent asks (annex 1) and what a manager decides (annex 4 or refusal), typed.

Field names are the API contract (ARCHITECTURE.md, ``POST /api/drafts``). Every text has a
size limit and is cleaned on the way in: control characters and bidirectional overrides are
dropped (they would break the DOCX XML or disguise text), the rest — braces, angle brackets,
right-to-left scripts — is kept as plain text, since no template ever evaluates it.
Validators raise ``ValueError`` with a French message that never repeats the value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from rules.inputs import StrictBody

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
HALF_DAYS = ("matin", "après-midi")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """Drop control characters and direction overrides, normalise, trim."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _required(value: str) -> str:
    if not value:
        raise ValueError("ce champ ne peut pas être vide")
    return value


_CLEAN = AfterValidator(clean_text)
_FILLED = AfterValidator(_required)
# Required texts (cleaned, not empty) and optional ones (may be ""), by maximum length.
Name = Annotated[str, Field(max_length=100), _CLEAN, _FILLED]
Text150 = Annotated[str, Field(max_length=150), _CLEAN, _FILLED]
Text200 = Annotated[str, Field(max_length=200), _CLEAN, _FILLED]
Text300 = Annotated[str, Field(max_length=300), _CLEAN, _FILLED]
Text5000 = Annotated[str, Field(max_length=5000), _CLEAN, _FILLED]
Opt100 = Annotated[str, Field(max_length=100), _CLEAN]
Opt200 = Annotated[str, Field(max_length=200), _CLEAN]
Opt300 = Annotated[str, Field(max_length=300), _CLEAN]
Opt1000 = Annotated[str, Field(max_length=1000), _CLEAN]
Opt3000 = Annotated[str, Field(max_length=3000), _CLEAN]
Percent = Annotated[float, Field(ge=0, le=100)]


def parse_day(value: str) -> tuple[str, str | None]:
    """Split « mardi » or « mardi après-midi » into the weekday and the half day.

    Raises:
        ValueError: not a working weekday, optionally followed by matin/après-midi.

    """
    words = clean_text(value).casefold().replace("apres", "après").split(maxsplit=1)
    day = words[0] if words else ""
    half = words[1].replace(" ", "-") if len(words) > 1 else None
    if day not in WEEKDAYS or (half is not None and half not in HALF_DAYS):
        raise ValueError(
            "jour non reconnu ; jours acceptés : "
            + ", ".join(WEEKDAYS)
            + " (éventuellement suivi de « matin » ou « après-midi »)"
        )
    return day, half


def day_weight(value: str) -> float:
    """A whole day counts 1, a half day 0.5."""
    return 0.5 if parse_day(value)[1] else 1.0


class Mission(BaseModel):
    """One line of annex 1's mission table."""

    model_config = ConfigDict(extra="forbid")

    intitule: Text200
    poids: Percent = Field(description="Poids de la mission (%).")
    part_teletravaillable: Percent = Field(description="Part télétravaillable (%).")
    taches: Opt1000 = ""


class DraftRequest(StrictBody):
    """Step 1 of annex 1, as the agent fills it (body of ``POST /api/drafts``)."""

    nom: Name
    prenom: Name
    corps: Text150
    affectation: Text300
    poste: Text200
    missions: list[Mission] = Field(min_length=1, max_length=10)
    motivations: Text5000
    quotite: float = Field(gt=0, le=100, description="Quotité de travail en %.")
    jours: list[str] = Field(min_length=1, max_length=5, description='Ex. ["mardi", "jeudi"].')
    base: Literal["hebdomadaire", "mensuelle"] = "hebdomadaire"
    motif_mensuel: Opt200 = ""
    lieux: list[Text300] = Field(min_length=1, max_length=3)
    temps_trajet: Opt100 = ""
    date_debut: dt.date
    connexion_internet: bool | None = None
    medical: bool = False
    amenagement_poste: bool | None = None
    chorus: bool = False
    email: Opt200 = ""

    @field_validator("jours")
    @classmethod
    def _days(cls, values: list[str]) -> list[str]:
        days = [" ".join(filter(None, parse_day(value))) for value in values]
        if len({parse_day(day)[0] for day in days}) != len(days):
            raise ValueError("chaque jour ne peut être demandé qu'une fois")
        return sorted(days, key=lambda day: WEEKDAYS.index(parse_day(day)[0]))

    @property
    def days_per_week(self) -> float:
        """Telework days asked per week on which the day appears (half days count 0.5)."""
        return sum(day_weight(day) for day in self.jours)


class Plages(BaseModel):
    """Fixed hours during which the teleworker must be reachable (annex 4, article 3)."""

    model_config = ConfigDict(extra="forbid")

    debut: dt.time
    fin: dt.time


class DecisionRequest(StrictBody):
    """What the manager decides on a stored request (body of ``POST /api/drafts/{id}/decision``).

    ``accord`` produces annex 4 (the acte individuel), ``refus`` a motivated refusal letter.
    Omitted values come from the agent's request (days, places, start date).
    """

    decision: Literal["accord", "refus"]
    autorite: Opt200 = ""
    civilite: Literal["Mme", "M.", ""] = ""
    date_debut: dt.date | None = None
    date_fin: dt.date | None = None
    adaptation_mois: int | None = Field(None, ge=1, le=12)
    jours: list[str] | None = Field(None, min_length=1, max_length=5)
    motif_mensuel: Opt200 | None = None
    jours_sur_site: list[str] | None = Field(None, max_length=5)
    adresse: Opt300 = ""
    service: Opt300 = ""
    plages_fixes: list[Plages] = Field(default_factory=list, max_length=3)
    chef_service: Opt200 = ""
    date_avis_chef: dt.date | None = None
    date_avis_medecin: dt.date | None = None
    motifs: Opt3000 = ""
    statut: Literal["fonctionnaire", "contractuel", ""] = ""
    date_entretien: dt.date | None = None

    @field_validator("jours", "jours_sur_site")
    @classmethod
    def _days(cls, values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        return [" ".join(filter(None, parse_day(value))) for value in values]
