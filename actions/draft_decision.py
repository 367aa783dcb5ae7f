"""The manager's conversation without Rasa: from a stored request to annex 4 or a refusal.

The manager gives the draft's link (or id), then says « accord » or « refus ». For an
accord: the start date (« comme demandé » keeps the agent's), an adaptation period in
months (« aucune »), the fixed hours the agent must be reachable (« 9 h 30 - 12 h, 14 h -
16 h 30 ») and the days on site; for a refusal: the motives and whether the agent is
fonctionnaire or contractuel (it decides the committee named in the recourse). The rules
(one year at most, three months of adaptation at most, the quota, motives required) are
checked by :func:`drafts.decision.decide` before anything is written. A start date is read
by :mod:`actions.dates` from a real date (« 1er mars 2031 », « 01/03/2031 », « lundi
prochain », « le mois prochain »), never from a habit (« le mardi ») nor from a message that
holds two dates; dateparser blocks, so the form calls :func:`interpret` in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from actions import dates
from actions.draft_values import parse_days
from actions.parsing import parse_status
from drafts.models import DecisionRequest
from knowledge.analysis import fold

ACCORD_FIELDS = ("draft_id", "kind", "start", "adaptation", "hours", "onsite")
REFUS_FIELDS = ("draft_id", "kind", "motifs", "statut")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HOURS = re.compile(
    r"(\d{1,2})\s*(?:h|:)\s*(\d{2})?\s*(?:-|–|à|a|jusqu'a)\s*(\d{1,2})\s*(?:h|:)?\s*(\d{2})?"
)
_SKIP = re.compile(r"^\W*(passe\w*|aucune?|non|pas de\b.*|sans\b.*)\W*$")
_AS_ASKED = re.compile(r"comme (demande|prevu)|identique|la meme|oui")
# Which question answers for a rule that the decision breaks.
FIELD_OF_RULE = {
    "date_fin": "start",
    "adaptation_mois": "adaptation",
    "plages_fixes": "hours",
    "jours_sur_site": "onsite",
    "jours": "start",
    "motifs": "motifs",
}


@dataclass
class DecisionTurn:
    """What one message of the manager changed and what to ask next."""

    updates: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    ask: str | None = None


def fields_for(values: dict[str, Any]) -> tuple[str, ...]:
    """The questions of this decision (accord and refus ask different things)."""
    return REFUS_FIELDS if values.get("kind") == "refus" else ACCORD_FIELDS


def next_question(values: dict[str, Any]) -> str | None:
    """The first unanswered question (answers may be "" or [] when skipped)."""
    return next((name for name in fields_for(values) if values.get(name) is None), None)


def parse_kind(text: str) -> str | None:
    """« accord » / « favorable » or « refus » / « défavorable »."""
    folded = fold(text)
    if re.search(r"\b(refus\w*|defavorable|rejet\w*)\b", folded):
        return "refus"
    if re.search(r"\b(accord\w*|accepte\w*|favorable|valide\w*|autorise\w*)\b", folded):
        return "accord"
    return None


def parse_hours(text: str) -> list[dict[str, str]]:
    """« 9 h 30 - 12 h et 14 h à 16 h 30 » → ``[{"debut": "09:30", "fin": "12:00"}, …]``."""
    ranges = []
    for start_h, start_m, end_h, end_m in _HOURS.findall(fold(text)):
        ranges.append(
            {
                "debut": f"{int(start_h):02d}:{start_m or '00'}",
                "fin": f"{int(end_h):02d}:{end_m or '00'}",
            }
        )
    return ranges


def read(name: str, text: str, today: dt.date | None = None) -> Any:
    """The answer to one question in a message (None: not understood)."""
    folded = fold(text)
    if name == "draft_id":
        match = _UUID.search(text)
        return str(uuid.UUID(match.group(0))) if match else None
    if name == "kind":
        return parse_kind(text)
    if name == "start":
        if _AS_ASKED.search(folded):
            return ""
        day = dates.read_date(text, today or dates.current_day(), vague=True)
        return day.isoformat() if day else None
    if name == "adaptation":
        months = re.search(r"(\d+)\s*mois", folded)
        if months:
            return int(months.group(1))
        return 0 if _SKIP.search(folded) else None
    if name == "hours":
        hours = parse_hours(text)
        return hours or ([] if _SKIP.search(folded) else None)
    if name == "onsite":
        days, _, _ = parse_days(text)
        return days or ([] if _SKIP.search(folded) else None)
    if name == "motifs":
        return text.strip()[:3000] or None
    if name == "statut":
        return parse_status(text) or ("" if _SKIP.search(folded) else None)
    return None


def interpret(
    text: str, requested: str | None, values: dict[str, Any], today: dt.date | None = None
) -> DecisionTurn:
    """Read one message of the manager's conversation."""
    turn = DecisionTurn()
    if requested is None:  # the message that started it may already hold the link, the kind
        for name in ("draft_id", "kind"):
            value = read(name, text)
            if value is not None:
                turn.updates[name] = value
    else:
        value = read(requested, text, today)
        if value is None:
            turn.messages.append(HINTS[requested])
            turn.ask = requested
            return turn
        turn.updates[requested] = value
    turn.ask = next_question({**values, **turn.updates})
    return turn


HINTS = {
    "draft_id": "Je n'ai pas trouvé d'identifiant : collez le lien du document envoyé par "
    "l'agent (il contient un identifiant comme 3f2b…-…).",
    "kind": "Répondez « accord » (acte individuel, annexe 4) ou « refus » (lettre motivée).",
    "start": "Donnez une date (par exemple « 1er mars 2031 ») ou dites « comme demandé ».",
    "adaptation": "Indiquez une durée en mois (trois au plus), par exemple « 2 mois », ou "
    "« aucune ».",
    "hours": "Indiquez les plages fixes, par exemple « 9 h 30 - 12 h et 14 h - 16 h 30 ».",
    "onsite": "Indiquez les jours sur site, par exemple « lundi, mercredi et vendredi ».",
    "motifs": "Indiquez les motifs du refus.",
    "statut": "Répondez « fonctionnaire » ou « contractuel ».",
}


def to_decision(values: dict[str, Any]) -> DecisionRequest:
    """The body ``POST /api/drafts/{id}/decision`` would receive for these answers."""
    data: dict[str, Any] = {"decision": values["kind"]}
    if values.get("kind") == "refus":
        data.update(motifs=values.get("motifs") or "", statut=values.get("statut") or "")
    else:
        if values.get("start"):
            data["date_debut"] = values["start"]
        if values.get("adaptation"):
            data["adaptation_mois"] = values["adaptation"]
        data["plages_fixes"] = values.get("hours") or []
        if values.get("onsite"):
            data["jours_sur_site"] = values["onsite"]
    return DecisionRequest.model_validate(data)
