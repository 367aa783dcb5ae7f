"""Reading the values of annex 1 in what agents type: days, missions, durations, dates.

Each reader keeps only a value of its shape and returns None when the message holds none;
it raises :class:`ValueError` with a French reason when a value is there but out of bounds.
The field table (:mod:`actions.draft_fields`) says which reader answers which question.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from actions import dates
from actions.parsing import MONTH_WORDS, parse_quotite
from actions.replies import yes_or_no
from drafts.models import WEEKDAYS, DraftRequest, Mission
from drafts.validation import next_first_of_month
from knowledge.analysis import fold
from rules.formatting import fr_date

_MONTHLY = re.compile(
    r"\b(semaines? (paires?|impaires?)|une semaine sur (deux|2|quatre|4)|"
    r"(premier|1er|deuxieme|2e|troisieme|3e|quatrieme|4e|dernier) \w+ du mois|par mois|mensuel\w*)"
)
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A quotité given as a bare number (« à 80 ») is not followed by another unit (« 35 heures »).
_BARE_QUOTITE = re.compile(
    r"(?<![\d/])(?<!\d[,.])\d{2,3}(?!\d|[,.]\d|\s*/)"
    rf"(?!\s*(h\b|heures?|min|jours?|ans?|km|mois|semaines?|euros?|€|(?:{MONTH_WORDS})\b))"
)
_QUOTITE_WORDS = re.compile(r"temps (plein|complet|partiel)|plein temps|mi-temps|mi temps")
FIFTHS = re.compile(r"\b[1-5]\s*(/|jours? sur)\s*5\b")

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


def check_text(name: str, text: str) -> str:
    """Clean a free text with the request model's own limits (French message on failure).

    A name, a corps or a service has letters, and is not a bare « oui » or « 2 » typed to
    the previous question's buttons.
    """
    if sum(char.isalpha() for char in text) < 2:
        raise ValueError("la réponse ne contient pas de mot")
    if yes_or_no(text) is not None and len(text.split()) <= 2:
        raise ValueError("un « oui » ou un « non » ne répond pas à cette question")
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
        numbers = list(PERCENT.finditer(part))
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


def read_travel_time(text: str) -> str | None:
    """A travel time as the form writes it (« 1 h 15 aller-retour »), within bounds."""
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


def read_quotite(text: str) -> float | None:
    """A quotité in percent, if the message holds one (« 80 % », « 4/5 », « temps plein »)."""
    folded = _fold(text)
    if not (
        PERCENT.search(text)
        or _QUOTITE_WORDS.search(folded)
        or FIFTHS.search(folded)
        or _BARE_QUOTITE.search(folded)
    ):
        return None
    from actions.quota import part_time_range  # the rules' table: no quotité under its first row

    quotite = parse_quotite(text)
    low, _ = part_time_range()
    if quotite is None or not low <= quotite <= 100:
        raise ValueError(
            f"une quotité de {low:g} à 100 % est attendue (par exemple « 80 % » ou « temps plein »)"
        )
    return quotite


def read_places(text: str) -> list[str] | None:
    """Up to three places, separated by « ; » or new lines."""
    places = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
    limit = DraftRequest.model_fields["lieux"].metadata
    most = next((m.max_length for m in limit if hasattr(m, "max_length")), 3)
    if len(places) > most:
        raise ValueError(
            f"{most} lieux au plus, séparés par « ; » (par exemple « Domicile, 12 rue des "
            "Acacias, Toulouse ; Tiers-lieu de Blagnac »)"
        )
    return [check_text("affectation", place) for place in places] or None


def read_email(text: str) -> str | None:
    """The first e-mail address of a message, within the request model's limits."""
    match = EMAIL.search(text)
    return check_text("email", match.group(0)) if match else None


def read_start(text: str, today: dt.date, *, loose: bool = True) -> dates.DateReading:
    """The start date a message holds: a real date or a month, never a weekday.

    The telework starts on a first of a month, so « mars 2027 », « le mois prochain » are
    enough; « mardi » or « le mardi et le jeudi » are days of telework, not a start. With
    ``loose=False`` (values read from an answer to another question) a numeric date needs
    its year, so that « 4/5 » stays a quotité.
    """
    return dates.read(text, today, weekdays=False, vague=True, short_numeric=loose)


def read_start_date(text: str, today: dt.date, *, loose: bool = True) -> str | None:
    """The start date as ISO text; a past date or two different dates ask again."""
    reading = read_start(text, today, loose=loose)
    if reading.ambiguous:
        said = " ou ".join(fr_date(day).split(" ", 1)[1] for day in reading.ambiguous)
        raise ValueError(
            f"j'ai lu plusieurs dates ({said}) ; donnez-en une seule, par exemple "
            f"« {example_date(today)} »"
        )
    if reading.date is None:
        return None
    if next_first_of_month(reading.date) < today:
        raise ValueError(
            "cette date est déjà passée ; donnez une date à venir, par exemple "
            f"« {example_date(today)} »"
        )
    return reading.date.isoformat()
