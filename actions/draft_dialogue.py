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
Nothing medical is asked beyond the two oui/non of annex 1. Dates are read with dateparser,
which blocks: the form calls :func:`interpret` in a worker thread.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from actions.parsing import parse_quotite, parse_yes_no
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
FREE_TEXT = ("nom", "prenom", "corps", "affectation", "poste", "motivations")
# Answers that are not searched for other values (a place or a duration is not a quotité).
_ONLY_ITSELF = (*FREE_TEXT, "missions", "lieux", "temps_trajet", "email")
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
    ("adresse electronique", "email"),
    ("adresse mail", "email"),
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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A quotité given as a bare number (« à 80 ») is not followed by another unit (« 35 heures »).
_BARE_QUOTITE = re.compile(
    r"(?<![\d/])(?<!\d[,.])\d{2,3}(?!\d|[,.]\d|\s*/)"
    r"(?!\s*(h\b|heures?|min|jours?|ans?|km|mois|semaines?|euros?|€))"
)
_QUOTITE_WORDS = re.compile(r"temps (plein|complet|partiel)|plein temps|mi-temps|mi temps")
_FIFTHS = re.compile(r"\b[1-5]\s*(/|jours? sur)\s*5\b")

# Dates. dateparser reads them, but only in the parts of a message that hold a real date —
# a day and a month (« 1er mars », « 01/03/2027 »), a month (« mars 2027 », « début avril »)
# or a relative expression (« le mois prochain », « dans deux mois ») —: its own search
# (``search_dates``) splits « 1er mars 2027 » and reads « je » as « jeudi », and a whole
# sentence given to ``dateparser.parse`` may come back computed from one word (« le mardi et
# le jeudi » → next Tuesday). Weekday names alone, a day alone or a year alone are not dates.
_MONTH = (
    r"janvier|janv\.|fevrier|fevr\.|fev\.|mars|avril|avr\.|mai|juin|juillet|juil\.|aout|"
    r"septembre|sept\.|octobre|oct\.|novembre|nov\.|decembre|dec\."
)
_TEXT_DATE = re.compile(
    rf"(?<![\w.])(?:(?P<part>debut|mi|fin)[- ]+(?:de |du |d')?)?"
    rf"(?:(?P<day>1 ?er|premier|\d{{1,2}})\s+)?(?P<month>{_MONTH})(?![\w])"
    r"(?:\s+(?P<year>\d{4})(?!\d))?"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.,-])(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-](?P<year>\d{4}|\d{2}))?)"
    r"(?![\d/%,-]|\.\d)"
)
_COUNT = r"\d{1,2}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze"
_RELATIVE_DATE = re.compile(
    r"(?<![\w])(?:(?P<month>(?:le |du |au )?mois (?:prochain|suivant))"
    r"|(?P<week>(?:la )?semaine (?:prochaine|suivante))"
    rf"|(?:dans|d'ici) (?P<count>{_COUNT}) (?P<unit>jours?|semaines?|mois)"
    r"|(?P<tomorrow>demain))(?![\w])"
)

# Durations: « 45 minutes », « 1 h 15 », « 1h », « une heure et demie », « 3/4 d'heure ».
_DURATION_WORDS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "quinze": 15,
    "vingt": 20,
    "vingt-cinq": 25,
    "trente": 30,
    "trente-cinq": 35,
    "quarante": 40,
    "quarante-cinq": 45,
    "cinquante": 50,
    "cinquante-cinq": 55,
}
_N = r"\d+(?:[.,]\d+)?|" + "|".join(sorted(_DURATION_WORDS, key=len, reverse=True))
_HOUR_FRACTION = re.compile(
    r"(?<![\w/])(?P<frac>3 ?/ ?4|trois[- ]quarts?|1 ?/ ?4|un quart|1 ?/ ?2|une demi|demi)"
    r"\s*-?\s*(?:d'\s*|d |de )?heure"
)
_HOURS_MINUTES = re.compile(
    rf"(?<![\w/.,])(?<!vers )(?<!des )(?P<h>{_N})\s*(?:h|heures?)(?![a-z])"
    r"(?:\s*(?:et\s+)?(?P<half>demie?|quart)(?![a-z])"
    rf"|\s*(?:et\s+)?(?P<m>\d{{1,2}}|{'|'.join(sorted(_DURATION_WORDS, key=len, reverse=True))})"
    r"(?![\w/])(?:\s*(?:min|mn|minutes?)(?![a-z]))?)?"
)
_MINUTES = re.compile(rf"(?<![\w/.,])(?P<m>{_N})\s*(?:min|mn|minutes?)(?![a-z])")
_ROUND_TRIP = re.compile(r"aller[- ]retour|aller et retour|\ba/r\b")
MAX_TRAVEL_MINUTES = 300


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
    """The field named first in « corriger le temps de trajet : … » (not in the new value)."""
    named = re.split(r"[:=]", text, maxsplit=1)[0]
    found = []
    for rank, (word, name) in enumerate(_FIELD_WORDS):
        match = re.search(rf"\b{word}", named)
        if match:
            found.append((match.start(), rank, name))
    return min(found)[2] if found else None


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


def _fold(text: str) -> str:
    return fold(text).replace("\u2019", "'")


def _dateparser(phrase: str, today: dt.date, day_of_month: str) -> dt.date | None:
    """One date phrase read by dateparser (French, day first, the next one to come)."""
    import dateparser

    parsed = dateparser.parse(
        phrase,
        languages=["fr"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": day_of_month,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        },
    )
    return parsed.date() if parsed else None


def _date_phrases(folded: str, *, loose: bool) -> list[tuple[int, str, str, str]]:
    """The parts of a message that hold a real date: (position, phrase, day rule, part)."""
    found = []
    for match in _TEXT_DATE.finditer(folded):
        day = match.group("day")
        if day is not None:
            day = "1er" if day.replace(" ", "") in ("1er", "premier") else day
        phrase = " ".join(filter(None, (day, match.group("month"), match.group("year"))))
        found.append((match.start(), phrase, "first", match.group("part") or ""))
    for match in _NUMERIC_DATE.finditer(folded):
        if match.group("iso"):
            found.append((match.start(), match.group("iso"), "first", ""))
        elif match.group("year") or loose:  # « 4/5 » is a quotité, « 3/4 » of an hour…
            numbers = (match.group("day"), match.group("month"), match.group("year"))
            found.append((match.start(), "/".join(filter(None, numbers)), "first", ""))
    for match in _RELATIVE_DATE.finditer(folded):
        if match.group("month"):
            found.append((match.start(), "le mois prochain", "first", ""))
        elif match.group("week"):
            found.append((match.start(), "la semaine prochaine", "current", ""))
        elif match.group("tomorrow"):
            found.append((match.start(), "demain", "current", ""))
        else:
            phrase = f"dans {match.group('count')} {match.group('unit')}"
            found.append((match.start(), phrase, "current", ""))
    return sorted(found)


def read_date(text: str, today: dt.date, *, loose: bool = True) -> dt.date | None:
    """The first real date of a message, wherever it stands (None: the message holds none).

    « 1er mars » and « mars » are the next ones to come; a month alone is its first day
    (« mi-mars » the 15th, « fin mars » its last day); « le mois prochain » is the first of
    next month, « dans deux mois » the day two months from ``today``. With ``loose=False``
    (values read from an answer to another question) a numeric date needs its year, so that
    « 4/5 » stays a quotité. A date that does not exist (« 31/02/2027 ») is not read.
    """
    for _, phrase, day_of_month, part in _date_phrases(_fold(text), loose=loose):
        day = _dateparser(phrase, today, day_of_month)
        if day is None:
            continue
        if part == "mi":
            return day.replace(day=15)
        if part == "fin":
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day
    return None


def _duration_number(text: str) -> float:
    return float(_DURATION_WORDS.get(text) or _number(text))


def parse_duration(text: str) -> int | None:
    """A travel time in minutes (« 45 minutes », « 1 h 15 », « une heure et demie »…)."""
    folded = _fold(text)
    fraction = _HOUR_FRACTION.search(folded)
    if fraction:
        word = fraction.group("frac").replace(" ", "")
        if word.startswith(("3/4", "trois")):
            return 45
        return 15 if word in ("1/4", "unquart") else 30
    hours = _HOURS_MINUTES.search(folded)
    if hours:
        minutes = _duration_number(hours.group("h")) * 60
        half = hours.group("half")
        if half:
            minutes += 15 if half == "quart" else 30
        elif hours.group("m"):
            minutes += _duration_number(hours.group("m"))
        return round(minutes)
    only_minutes = _MINUTES.search(folded)
    return round(_duration_number(only_minutes.group("m"))) if only_minutes else None


def fr_duration(minutes: int) -> str:
    """Write a duration as « 45 minutes », « 1 h », « 1 h 15 »."""
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest:02d}" if rest else "")


def _travel_time(text: str) -> str | None:
    minutes = parse_duration(text)
    if minutes is None:
        return None
    if not 0 < minutes <= MAX_TRAVEL_MINUTES:
        raise ValueError(
            f"un temps de trajet entre 1 minute et {MAX_TRAVEL_MINUTES // 60} heures est attendu "
            "(par exemple « 45 minutes » ou « 1 h 15 »)"
        )
    round_trip = " aller-retour" if _ROUND_TRIP.search(_fold(text)) else ""
    return fr_duration(minutes) + round_trip


def example_date(today: dt.date, *, numeric: bool = False) -> str:
    """A start date to show as an example: the next first of a month after ``today``."""
    first = next_first_of_month(today + dt.timedelta(days=1))
    return first.strftime("%d/%m/%Y") if numeric else fr_date(first).split(" ", 1)[1]


def _start_date(text: str, today: dt.date, *, loose: bool = True) -> str | None:
    day = read_date(text, today, loose=loose)
    if day is None:
        return None
    if next_first_of_month(day) < today:
        raise ValueError(
            "cette date est déjà passée ; donnez une date à venir, par exemple "
            f"« {example_date(today)} »"
        )
    return day.isoformat()


def _quotite(text: str) -> float | None:
    folded = _fold(text)
    if not (
        _PERCENT.search(text)
        or _QUOTITE_WORDS.search(folded)
        or _FIFTHS.search(folded)
        or _BARE_QUOTITE.search(folded)
    ):
        return None
    quotite = parse_quotite(text)
    if quotite is None or not 0 < quotite <= 100:
        raise ValueError("une quotité entre 1 et 100 % est attendue (par exemple « 80 % »)")
    return quotite


def _places(text: str) -> list[str] | None:
    places = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
    limit = DraftRequest.model_fields["lieux"].metadata
    most = next((m.max_length for m in limit if hasattr(m, "max_length")), 3)
    if len(places) > most:
        raise ValueError(
            f"{most} lieux au plus, séparés par « ; » (par exemple « Domicile, 12 rue des "
            "Acacias, Toulouse ; Tiers-lieu de Blagnac »)"
        )
    return [_check_text("affectation", place) for place in places] or None


def _read_value(name: str, text: str, today: dt.date) -> Any:
    """The value of one field in a message (None: not there). Raises ValueError if wrong."""
    if name in FREE_TEXT:
        return _check_text(name, text)
    if name == "email":
        match = _EMAIL.search(text)
        return _check_text(name, match.group(0)) if match else None
    if name in YES_NO or name == "confirmation":
        return parse_yes_no(text)
    if name == "missions":
        return parse_missions(text)
    if name == "lieux":
        return _places(text)
    if name == "temps_trajet":
        return _travel_time(text)
    if name == "quotite":
        return _quotite(text)
    if name == "jours":
        days, _, _ = parse_days(text)
        return days or None
    if name == "date_debut":
        return _start_date(text, today)
    return None


def _structured(text: str, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every structured value a message holds: quotité, days (and base), explicit date."""
    found: dict[str, Any] = {}
    folded = _fold(text)
    if (
        _PERCENT.search(text)
        or _FIFTHS.search(folded)
        or re.search(r"temps (plein|complet)|plein temps|mi-temps", folded)
    ):
        with contextlib.suppress(ValueError):
            found["quotite"] = _quotite(text)
    days, base, pattern = parse_days(text)
    if days:
        found.update(jours=days, base=base, motif_mensuel=pattern)
    with contextlib.suppress(ValueError):
        found["date_debut"] = _start_date(text, today, loose=False)
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
    noted = [
        f"{LABELS[name]} : {_shown(name, merged)}"
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
    if requested not in _ONLY_ITSELF:
        # Other values the answer holds (« 80 %, le mardi » to the quotité question).
        mine = {requested, "base", "motif_mensuel"} if requested == "jours" else {requested}
        extra = {k: v for k, v in _structured(text, values, today).items() if k not in mine}
        turn.updates.update(extra)
        turn.noted = [name for name in extra if name in LABELS]
    try:
        value = _read_value(requested, text, today)
    except (ValueError, ValidationError) as error:
        turn.messages.append(f"Je n'ai pas pu retenir cette réponse : {_message(error)}.")
        turn.ask = requested
        return
    if value is None:
        # Never kept from part of the message, nor replaced by the other values it holds.
        turn.messages.append(_hint(requested, today))
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
                turn.messages.append(_hint(target, today))
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
        if not turn.messages:
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


def _hint(name: str, today: dt.date) -> str:
    """Why the answer was not kept, with an example of one that would be (French)."""
    hints = {
        "quotite": "Je n'ai pas reconnu de quotité : répondez par exemple « 80 % » ou "
        "« temps plein ».",
        "jours": "Je n'ai pas reconnu de jour : répondez par exemple « mardi et jeudi », ou "
        "« le lundi des semaines impaires ».",
        "date_debut": "Je n'ai pas reconnu de date de début : répondez par exemple "
        f"« {example_date(today)} », « {example_date(today, numeric=True)} » ou "
        "« le mois prochain ».",
        "temps_trajet": "Je n'ai pas reconnu de durée : répondez par exemple « 45 minutes » ou "
        "« 1 h 15 » (ou « passer »).",
        "email": "Je n'ai pas reconnu d'adresse électronique : répondez par exemple "
        "« prenom.nom@agriculture.gouv.fr » (ou « passer »).",
        "lieux": "Je n'ai pas reconnu de lieu : répondez par exemple « Domicile, 12 rue des "
        "Acacias, Toulouse ».",
    }
    return hints.get(
        name, "Je n'ai pas compris : répondez par « oui » ou par « non » (ou « passer »)."
    )


def summary(values: dict[str, Any]) -> str:
    """The answers, one line per field, as the agent will read them on annex 1."""
    lines = []
    for name in FIELDS[:-1]:
        if not applicable(name, values):
            continue
        label = LABELS[name]
        lines.append(f"- {label[0].upper()}{label[1:]} : {_shown(name, values)}")
    return "\n".join(lines)


def _shown(name: str, values: dict[str, Any]) -> str:
    """One answer as the agent reads it in the summary."""
    value = values.get(name)
    if name == "missions" and value:
        return " ; ".join(
            f"{m['intitule']} ({fr_number(m['poids'])} %, télétravaillable à "
            f"{fr_number(m['part_teletravaillable'])} %)"
            for m in value
        )
    if name == "jours" and value:
        return ", ".join(value) + (
            f" – {values.get('motif_mensuel')} (base mensuelle)"
            if values.get("base") == "mensuelle"
            else " (base hebdomadaire)"
        )
    if name == "quotite" and value is not None:
        return f"{fr_number(value)} %"
    if name == "date_debut" and value:
        return fr_date(dt.date.fromisoformat(value))
    if name == "lieux" and value:
        return " ; ".join(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value) if value not in (None, "") else "—"


def to_request(values: dict[str, Any]) -> DraftRequest:
    """The request model of the collected answers (what the API would receive)."""
    data = {
        name: values.get(name) for name in (*FIELDS[:-1], *HIDDEN) if values.get(name) is not None
    }
    data.setdefault("medical", False)
    data.setdefault("chorus", False)
    return DraftRequest.model_validate(data)
