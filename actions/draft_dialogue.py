"""The request conversation without Rasa: read a message, update the answers, ask next.

The Rasa form (:mod:`actions.draft_form`) keeps the answers in slots and calls
:func:`interpret` on every message. Free-text questions (name, post, motivations, places…)
take the message as the answer, within the request model's limits; the other questions
keep only a value of the right shape — a quotité, weekdays, a real date, a duration, oui or
non, an e-mail address — and ask again with an example when the message holds none (a
value is never guessed from part of a message: « le mardi et le jeudi » is not a start
date). They also read every value the message holds (« je suis à 80 % et je voudrais le
mardi » fills the quotité and the days at once) and say what else they noted. A
message may also correct a field (« corriger la quotité », « en fait 90 % »), skip an
optional question (« passer »), jump to the summary (« aller à la fin ») or cancel
(« annuler »). Values are checked as they come by the drafts' request model and the rules
engine: days over the maximum without the medical « oui » are refused with the maximum; a
start date that is not the first of a month becomes the next first (and the agent is told).
Nothing medical is asked beyond the two oui/non of annex 1. What each question accepts, its
hint and its summary line come from the field table (:mod:`actions.draft_fields`). Dates are
read by :mod:`actions.dates` (dateparser), which blocks: the form calls :func:`interpret` in
a worker thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from actions.dates import current_day
from actions.draft_fields import BY_NAME, FIELDS, HIDDEN, OPTIONAL, field_named_in
from actions.draft_values import FIFTHS, PERCENT, parse_days, read_quotite, read_start_date
from actions.parsing import parse_yes_no
from drafts.models import DraftRequest
from drafts.validation import DraftRuleError, check_days, next_first_of_month
from knowledge.analysis import fold
from rules.formatting import fr_date

_CORRECT = re.compile(r"\b(corrige\w*|modifie\w*|change\w*|rectifie\w*|revenir sur)\b")
_CANCEL = re.compile(
    r"^\W*(annule\w*|stop|arrete\w*|abandonne\w*|laisse tomber|on arrete|j'abandonne|"
    r"je ne veux plus|plus la peine)\b.{0,40}$"
)
# « ok on reprend » after a question answered in the middle of the form: go on, the
# question is asked again (it is not a first name).
_RESUME = re.compile(
    r"^\W*((ok|okay|bon|bien|d accord|allez|c est bon|merci)\W+)*"
    r"(on (reprend|continue|y retourne|peut reprendre|peut continuer)|reprenons|continuons|"
    r"je reprends|je continue|reprendre|continuer|c est reparti)\W*$"
)
_SKIP = re.compile(r"^\W*(passe\w*|je passe|suivant\w*|plus tard|je ne sais pas|aucune idee)\W*$")
_TO_END = re.compile(
    r"\b(aller|passe\w*|sauter|va|allons) (directement )?(a la fin|au resume)\b"
    r"|\btermine\w*\b|\bfinir\b"
)


@dataclass
class Turn:
    """What one message changed, what to tell the agent, and what to ask next."""

    updates: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    ask: str | None = None
    cancelled: bool = False
    # Values read from an answer to another question, said back to the agent.
    noted: list[str] = field(default_factory=list)


def applicable(name: str, values: dict[str, Any]) -> bool:
    """Whether a question applies (adaptation after a medical « oui », e-mail with Chorus)."""
    return BY_NAME[name].applies(values)


def next_question(values: dict[str, Any], skipped: list[str]) -> str | None:
    """The first question not answered yet (None once the summary is confirmed)."""
    for item in FIELDS:
        if values.get(item.name) is None and item.name not in skipped and item.applies(values):
            return item.name
    return None


def _read_value(name: str, text: str, today: dt.date) -> Any:
    """The value of one field in a message (None: not there). Raises ValueError if wrong."""
    return BY_NAME[name].read(text, today)


def _structured(text: str, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every structured value a message holds: quotité, days (and base), explicit date."""
    found: dict[str, Any] = {}
    folded = fold(text).replace("\u2019", "'")
    if (
        PERCENT.search(text)
        or FIFTHS.search(folded)
        or re.search(r"temps (plein|complet)|plein temps|mi-temps", folded)
    ):
        with contextlib.suppress(ValueError):
            found["quotite"] = read_quotite(text)
    days, base, pattern = parse_days(text)
    if days:
        found.update(jours=days, base=base, motif_mensuel=pattern)
    with contextlib.suppress(ValueError):
        found["date_debut"] = read_start_date(text, today, loose=False)
    return {k: v for k, v in found.items() if v is not None}


def _apply_rules(turn: Turn, values: dict[str, Any]) -> None:
    """Check the days against the quotité, and the start date against the first of a month."""
    merged = {**values, **turn.updates}
    if turn.updates.get("date_debut"):
        day = dt.date.fromisoformat(turn.updates["date_debut"])
        first = next_first_of_month(day)
        if first != day:
            turn.updates["date_debut"] = first.isoformat()
            turn.messages.append(
                f"Le télétravail commence le 1er jour d'un mois : je propose le {fr_date(first)} "
                "(dites « corriger la date » pour en choisir une autre)."
            )
    if merged.get("quotite") is None or not merged.get("jours"):
        return
    if not {"quotite", "jours", "medical"} & set(turn.updates):
        return
    try:
        check_days(
            float(merged["quotite"]),
            list(merged["jours"]),
            merged.get("base") or "hebdomadaire",
            merged.get("motif_mensuel") or "",
            bool(merged.get("medical")),
        )
    except DraftRuleError as error:
        if merged.get("medical") is None and "médecin" in str(error):
            # The medical « oui » would allow it: ask that question now, then check again.
            turn.messages.append(
                f"{str(error)[0].upper()}{str(error)[1:]} Je vous pose donc la question dès "
                "maintenant."
            )
            turn.ask = "medical"
            return
        turn.messages.append(f"{str(error)[0].upper()}{str(error)[1:]} Quels jours retenez-vous ?")
        turn.updates.update(jours=None, base=None, motif_mensuel=None)
        turn.ask = "jours"


def is_cancel(text: str, intent: str = "") -> bool:
    """« annuler », « stop », « laisse tomber »… (a long answer that holds such a word is not)."""
    return intent == "stop" or bool(_CANCEL.search(fold(text).strip()))


def interpret(
    text: str,
    requested: str | None,
    values: dict[str, Any],
    skipped: list[str],
    *,
    intent: str = "",
    today: dt.date | None = None,
) -> Turn:
    """Read one message of the conversation (``requested``: the question it answers)."""
    today = today or current_day()
    turn = Turn()
    folded = fold(text).strip()
    if is_cancel(text, intent):
        turn.cancelled = True
        return turn
    if requested is None:  # the message that started the form
        turn.updates.update(_structured(text, values, today))
    elif _CORRECT.search(folded) and (target := field_named_in(_CORRECT.split(folded, 1)[-1])):
        _correct(turn, target, text, values, today)
    elif _TO_END.search(folded) and requested != "motivations":
        turn.skipped = [
            name for name in OPTIONAL if values.get(name) is None and name not in skipped
        ]
        turn.messages.append("D'accord, je laisse les questions facultatives de côté.")
    elif _RESUME.search(folded.replace("'", " ")):
        turn.messages.append("Reprenons.")
        turn.ask = requested
    elif _SKIP.search(folded):
        if requested in OPTIONAL:
            turn.skipped = [requested]
        else:
            turn.messages.append(
                f"Cette information est nécessaire au formulaire ({BY_NAME[requested].label})."
            )
    else:
        _answer(turn, requested, text, values, today)
    _apply_rules(turn, values)
    merged = {**values, **turn.updates}
    noted = [
        f"{BY_NAME[name].label} : {BY_NAME[name].shown(merged)}"
        for name in turn.noted
        if merged.get(name) is not None and merged.get(name) != values.get(name)
    ]
    if noted:
        turn.messages.insert(0, "J'ai aussi noté — " + " ; ".join(noted) + ".")
    if turn.ask is None:
        turn.ask = next_question(merged, [*skipped, *turn.skipped])
    return turn


def _answer(turn: Turn, requested: str, text: str, values: dict[str, Any], today: dt.date) -> None:
    if requested == "confirmation":
        answer = parse_yes_no(text)
        if answer is None or answer is False:
            turn.messages.append(
                "Que voulez-vous corriger ? Dites par exemple « corriger la quotité » ou "
                "« corriger les jours »."
            )
            turn.ask = "confirmation"
            return
        turn.updates["confirmation"] = True
        return
    if not (BY_NAME[requested].whole or BY_NAME[requested].alone):
        # Other values the answer holds (« 80 %, le mardi » to the quotité question).
        mine = {requested, "base", "motif_mensuel"} if requested == "jours" else {requested}
        extra = {k: v for k, v in _structured(text, values, today).items() if k not in mine}
        turn.updates.update(extra)
        turn.noted = [name for name in extra if name in BY_NAME]
    try:
        value = _read_value(requested, text, today)
    except (ValueError, ValidationError) as error:
        turn.messages.append(f"Je n'ai pas pu retenir cette réponse : {_message(error)}.")
        turn.ask = requested
        return
    if value is None:
        # Never kept from part of the message, nor replaced by the other values it holds.
        turn.messages.append(BY_NAME[requested].hint_for(today))
        turn.ask = requested
        return
    turn.updates[requested] = value
    if requested == "jours":
        _, base, pattern = parse_days(text)
        turn.updates.update(base=base, motif_mensuel=pattern)
    if requested == "medical" and value is False:
        turn.updates["amenagement_poste"] = None


def _correct(turn: Turn, target: str, text: str, values: dict[str, Any], today: dt.date) -> None:
    """« corriger la quotité : 90 % » sets it; « corriger la quotité » asks it again."""
    rest = re.split(r"[:=]", text, maxsplit=1)
    value = None
    if len(rest) == 2 and rest[1].strip():
        try:
            value = _read_value(target, rest[1].strip(), today)
        except (ValueError, ValidationError) as error:
            turn.messages.append(f"Je n'ai pas pu retenir cette réponse : {_message(error)}.")
        else:
            if value is None:
                turn.messages.append(BY_NAME[target].hint_for(today))
    elif not BY_NAME[target].whole:
        try:
            value = _read_value(target, text, today)
        except (ValueError, ValidationError):
            value = None
    turn.updates[target] = value
    if target == "jours":
        if value:
            _, base, pattern = parse_days(text)
            turn.updates.update(base=base, motif_mensuel=pattern)
        else:
            turn.updates.update(base=None, motif_mensuel=None)
    turn.updates["confirmation"] = None
    if value is None:
        turn.ask = target
        if not turn.messages:
            turn.messages.append(f"D'accord, corrigeons : {BY_NAME[target].label}.")
    else:
        turn.messages.append(f"C'est corrigé ({BY_NAME[target].label}).")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        kinds = {e["type"] for e in error.errors()}
        if kinds & {"less_than_equal", "greater_than_equal"}:
            return "les pourcentages vont de 0 à 100"
        return "une valeur n'est pas reconnue"
    return str(error)


def summary(values: dict[str, Any]) -> str:
    """The answers, one line per field, as the agent will read them on annex 1."""
    lines = []
    for item in FIELDS:
        if not item.in_request or not item.applies(values):
            continue
        lines.append(f"- {item.label[0].upper()}{item.label[1:]} : {item.shown(values)}")
    return "\n".join(lines)


def to_request(values: dict[str, Any]) -> DraftRequest:
    """The request model of the collected answers (what the API would receive)."""
    data = {
        name: values.get(name)
        for name in (*(item.name for item in FIELDS if item.in_request), *HIDDEN)
        if values.get(name) is not None
    }
    data.setdefault("medical", False)
    data.setdefault("chorus", False)
    return DraftRequest.model_validate(data)
