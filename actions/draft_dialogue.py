"""The request conversation without Rasa: read a message, update the answers, ask next.

The Rasa form (:mod:`actions.draft_form`) keeps the answers in slots and calls
:func:`interpret` on every message. Free-text questions (name, post, motivations, places…)
take the message as the answer; the other questions read every value the message holds
(« je suis à 80 % et je voudrais le mardi » fills the quotité and the days at once). A
message may also correct a field (« corriger la quotité », « en fait 90 % »), skip an
optional question (« passer »), jump to the summary (« aller à la fin ») or cancel
(« annuler »). Values are checked as they come by the drafts' request model and the rules
engine: days over the maximum without the medical « oui » are refused with the maximum; a
start date that is not the first of a month becomes the next first (and the agent is told).
Nothing medical is asked beyond the two oui/non of annex 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from actions.parsing import parse_date, parse_quotite, parse_yes_no
from drafts.models import WEEKDAYS, DraftRequest, Mission
from drafts.validation import DraftRuleError, check_days, next_first_of_month
from knowledge.analysis import fold
from rules.formatting import fr_date, fr_number

# The questions, in the order of annex 1. ``base`` and ``motif_mensuel`` come with ``jours``.
FIELDS = (
    "nom",
    "prenom",
    "corps",
    "affectation",
    "poste",
    "missions",
    "motivations",
    "quotite",
    "jours",
    "lieux",
    "temps_trajet",
    "date_debut",
    "connexion_internet",
    "medical",
    "amenagement_poste",
    "chorus",
    "email",
    "confirmation",
)
HIDDEN = ("base", "motif_mensuel")
FREE_TEXT = ("nom", "prenom", "corps", "affectation", "poste", "motivations", "temps_trajet")
YES_NO = ("connexion_internet", "medical", "amenagement_poste", "chorus")
OPTIONAL = ("temps_trajet", "connexion_internet", "medical", "amenagement_poste", "chorus", "email")
LABELS = {
    "nom": "nom",
    "prenom": "prénom",
    "corps": "corps",
    "affectation": "affectation",
    "poste": "intitulé du poste",
    "missions": "missions",
    "motivations": "motivations",
    "quotite": "quotité",
    "jours": "jours télétravaillés",
    "lieux": "lieu(x) de télétravail",
    "temps_trajet": "temps de trajet",
    "date_debut": "date de début",
    "connexion_internet": "connexion Internet",
    "medical": "préconisation du médecin de prévention",
    "amenagement_poste": "aménagement du poste",
    "chorus": "utilisation de Chorus",
    "email": "adresse électronique",
}
# Words that name a field in « corriger la quotité », folded (no accents), longest first.
_FIELD_WORDS = (
    ("prenom", "prenom"),
    ("nom", "nom"),
    ("corps", "corps"),
    ("grade", "corps"),
    ("affectation", "affectation"),
    ("service", "affectation"),
    ("intitule", "poste"),
    ("poste", "amenagement_poste"),
    ("fonction", "poste"),
    ("mission", "missions"),
    ("motivation", "motivations"),
    ("quotite", "quotite"),
    ("temps partiel", "quotite"),
    ("jour", "jours"),
    ("lieu", "lieux"),
    ("adresse", "lieux"),
    ("trajet", "temps_trajet"),
    ("date", "date_debut"),
    ("debut", "date_debut"),
    ("internet", "connexion_internet"),
    ("connexion", "connexion_internet"),
    ("medecin", "medical"),
    ("medical", "medical"),
    ("amenagement", "amenagement_poste"),
    ("chorus", "chorus"),
    ("courriel", "email"),
    ("mail", "email"),
)
_CORRECT = re.compile(r"\b(corrige\w*|modifie\w*|change\w*|rectifie\w*|revenir sur)\b")
_CANCEL = re.compile(
    r"^\W*(annule\w*|stop|arrete\w*|abandonne\w*|laisse tomber|on arrete|j'abandonne|"
    r"je ne veux plus|plus la peine)\b.{0,40}$"
)
_SKIP = re.compile(r"^\W*(passe\w*|je passe|suivant\w*|plus tard|je ne sais pas|aucune idee)\W*$")
_TO_END = re.compile(
    r"\b(aller|passe\w*|sauter|va|allons) (directement )?(a la fin|au resume)\b"
    r"|\btermine\w*\b|\bfinir\b"
)
_MONTHLY = re.compile(
    r"\b(semaines? (paires?|impaires?)|une semaine sur (deux|2|quatre|4)|"
    r"(premier|1er|deuxieme|2e|troisieme|3e|quatrieme|4e|dernier) \w+ du mois|par mois|mensuel\w*)"
)
_HALF = re.compile(r"\b(matin|apres-midi|apres midi|aprem)\b")
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_EXPLICIT_DATE = re.compile(
    r"\d{1,2}[/.-]\d{1,2}|\b(janv|fevr|mars|avril|mai|juin|juil|aout|sept|octo|nove|dece)"
)


@dataclass
class Turn:
    """What one message changed, what to tell the agent, and what to ask next."""

    updates: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    ask: str | None = None
    cancelled: bool = False


def applicable(name: str, values: dict[str, Any]) -> bool:
    """Whether a question applies (adaptation after a medical « oui », e-mail with Chorus)."""
    if name == "amenagement_poste":
        return values.get("medical") is True
    if name == "email":
        return values.get("chorus") is True
    return True


def next_question(values: dict[str, Any], skipped: list[str]) -> str | None:
    """The first question not answered yet (None once the summary is confirmed)."""
    for name in FIELDS:
        if values.get(name) is None and name not in skipped and applicable(name, values):
            return name
    return None


def _field_in(text: str) -> str | None:
    for word, name in _FIELD_WORDS:
        if re.search(rf"\b{word}", text):
            return name
    return None


def _check_text(name: str, text: str) -> str:
    """Clean a free text with the request model's own limits (French message on failure)."""
    info = DraftRequest.model_fields[name]
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[(str, *info.metadata)])
    try:
        return adapter.validate_python(text)
    except ValidationError as error:
        if error.errors()[0]["type"] == "string_too_long":
            limit = next(m.max_length for m in info.metadata if hasattr(m, "max_length"))
            raise ValueError(f"c'est trop long ({limit} caractères au plus)") from None
        raise ValueError("la réponse est vide") from None


def parse_days(text: str) -> tuple[list[str], str, str]:
    """Weekdays (with matin/après-midi), the base and the monthly pattern of a message."""
    folded = fold(text)
    days = []
    for day in WEEKDAYS:
        match = re.search(rf"\b{fold(day)}s?\b(\s+(matin|apres-midi|apres midi|aprem))?", folded)
        if match:
            half = match.group(2)
            suffix = "" if not half else (" matin" if half == "matin" else " après-midi")
            days.append(day + suffix)
    monthly = _MONTHLY.search(folded)
    if monthly:
        return days, "mensuelle", monthly.group(1)
    return days, "hebdomadaire", ""


def parse_missions(text: str) -> list[dict[str, Any]]:
    """Read « intitulé, 60 %, 80 % (tâches) ; autre mission, 40 %, 0 % ».

    The first percentage is the mission's weight, the second its teleworkable share; what
    follows is the description of the tasks. A single mission without weight weighs 100 %.
    """
    missions = []
    parts = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
    for part in parts:
        numbers = list(_PERCENT.finditer(part))
        if len(numbers) < 1 or (len(numbers) < 2 and len(parts) > 1):
            raise ValueError(
                "indiquez pour chaque mission son poids et sa part télétravaillable en %, "
                "par exemple « Rédaction des rapports, 60 %, 80 % ; Accueil, 40 %, 0 % »"
            )
        title = part[: numbers[0].start()].strip(" ,:-–(")
        weight, share = (100.0, numbers[0]) if len(numbers) == 1 else (None, numbers[1])
        tasks = part[share.end() :].strip(" ,:-–()")
        mission = Mission.model_validate(
            {
                "intitule": title,
                "poids": weight if weight is not None else _number(numbers[0].group(1)),
                "part_teletravaillable": _number(share.group(1)),
                "taches": tasks,
            }
        )
        missions.append(mission.model_dump())
    return missions


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _read_value(name: str, text: str, today: dt.date) -> Any:
    """The value of one field in a message (None: not there). Raises ValueError if wrong."""
    folded = fold(text)
    if name in FREE_TEXT:
        return _check_text(name, text)
    if name == "email":
        match = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", text)
        return _check_text(name, match.group(0)) if match else None
    if name in YES_NO or name == "confirmation":
        return parse_yes_no(text)
    if name == "missions":
        return parse_missions(text)
    if name == "lieux":
        places = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
        return [_check_text("affectation", place) for place in places[:3]] or None
    if name == "quotite":
        if not (
            _PERCENT.search(text)
            or re.search(
                r"temps (plein|complet|partiel)|mi-temps|"
                r"\d\s*/\s*5|\b\d{2,3}\b",
                folded,
            )
        ):
            return None
        quotite = parse_quotite(text)
        if quotite is None or not 0 < quotite <= 100:
            raise ValueError("une quotité entre 1 et 100 % est attendue (par exemple 80 %)")
        return quotite
    if name == "jours":
        days, _, _ = parse_days(text)
        return days or None
    if name == "date_debut":
        day = parse_date(text, today=today)
        return day.isoformat() if day else None
    return None


def _structured(text: str, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every structured value a message holds: quotité, days (and base), explicit date."""
    found: dict[str, Any] = {}
    folded = fold(text)
    if _PERCENT.search(text) or re.search(r"temps (plein|complet)|mi-temps", folded):
        with contextlib.suppress(ValueError):
            found["quotite"] = _read_value("quotite", text, today)
    days, base, pattern = parse_days(text)
    if days:
        found.update(jours=days, base=base, motif_mensuel=pattern)
    if _EXPLICIT_DATE.search(folded):
        day = parse_date(text, today=today)
        if day:
            found["date_debut"] = day.isoformat()
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
    today = today or dt.date.today()
    turn = Turn()
    folded = fold(text).strip()
    if is_cancel(text, intent):
        turn.cancelled = True
        return turn
    if requested is None:  # the message that started the form
        turn.updates.update(_structured(text, values, today))
    elif _CORRECT.search(folded) and (target := _field_in(_CORRECT.split(folded, 1)[-1])):
        _correct(turn, target, text, values, today)
    elif _TO_END.search(folded) and requested != "motivations":
        turn.skipped = [
            name for name in OPTIONAL if values.get(name) is None and name not in skipped
        ]
        turn.messages.append("D'accord, je laisse les questions facultatives de côté.")
    elif _SKIP.search(folded):
        if requested in OPTIONAL:
            turn.skipped = [requested]
        else:
            turn.messages.append(
                f"Cette information est nécessaire au formulaire "
                f"({LABELS.get(requested, requested)})."
            )
    else:
        _answer(turn, requested, text, values, today)
    _apply_rules(turn, values)
    merged = {**values, **turn.updates}
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
    if requested not in FREE_TEXT and requested not in ("missions", "lieux", "email"):
        turn.updates.update(_structured(text, values, today))
    try:
        value = _read_value(requested, text, today)
    except (ValueError, ValidationError) as error:
        turn.messages.append(f"Je n'ai pas pu retenir cette réponse : {_message(error)}.")
        turn.ask = requested
        return
    if value is None and not turn.updates:
        turn.messages.append(_hint(requested))
        turn.ask = requested
        return
    if value is not None:
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
        except (ValueError, ValidationError):
            value = None
    elif target not in FREE_TEXT and target not in ("missions", "lieux"):
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
        turn.messages.append(f"D'accord, corrigeons : {LABELS[target]}.")
    else:
        turn.messages.append(f"C'est corrigé ({LABELS[target]}).")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        kinds = {e["type"] for e in error.errors()}
        if kinds & {"less_than_equal", "greater_than_equal"}:
            return "les pourcentages vont de 0 à 100"
        return "une valeur n'est pas reconnue"
    return str(error)


def _hint(name: str) -> str:
    hints = {
        "quotite": "Je n'ai pas reconnu de quotité : répondez par exemple « 80 % » ou "
        "« temps plein ».",
        "jours": "Je n'ai pas reconnu de jour : répondez par exemple « mardi et jeudi », ou "
        "« le lundi des semaines impaires ».",
        "date_debut": "Je n'ai pas reconnu de date : répondez par exemple « 1er mars 2027 ».",
        "email": "Je n'ai pas reconnu d'adresse électronique (ou dites « passer »).",
    }
    return hints.get(name, "Je n'ai pas compris : répondez par oui ou par non (ou « passer »).")


def summary(values: dict[str, Any]) -> str:
    """The answers, one line per field, as the agent will read them on annex 1."""
    lines = []
    for name in FIELDS[:-1]:
        if not applicable(name, values):
            continue
        value = values.get(name)
        if name == "missions" and value:
            shown = " ; ".join(
                f"{m['intitule']} ({fr_number(m['poids'])} %, télétravaillable à "
                f"{fr_number(m['part_teletravaillable'])} %)"
                for m in value
            )
        elif name == "jours" and value:
            shown = ", ".join(value) + (
                f" – {values.get('motif_mensuel')} (base mensuelle)"
                if values.get("base") == "mensuelle"
                else " (base hebdomadaire)"
            )
        elif name == "quotite" and value is not None:
            shown = f"{fr_number(value)} %"
        elif name == "date_debut" and value:
            shown = fr_date(dt.date.fromisoformat(value))
        elif name == "lieux" and value:
            shown = " ; ".join(value)
        elif isinstance(value, bool):
            shown = "oui" if value else "non"
        else:
            shown = str(value) if value not in (None, "") else "—"
        label = LABELS[name]
        lines.append(f"- {label[0].upper()}{label[1:]} : {shown}")
    return "\n".join(lines)


def to_request(values: dict[str, Any]) -> DraftRequest:
    """The request model of the collected answers (what the API would receive)."""
    data = {
        name: values.get(name) for name in (*FIELDS[:-1], *HIDDEN) if values.get(name) is not None
    }
    data.setdefault("medical", False)
    data.setdefault("chorus", False)
    return DraftRequest.model_validate(data)
