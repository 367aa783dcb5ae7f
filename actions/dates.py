"""Dates in French messages: one reader for the calculators, the forms and the drafts.

A computed answer built on a misread date is the worst thing the assistant can say, so this
reader finds only what is really a date, wherever it stands in the sentence, and says when a
message holds two. It locates date phrases with patterns, then lets dateparser (French, day
before month, the next one to come, relative to ``today``) turn each phrase into a day.
dateparser is not given whole sentences: its ``search_dates`` reads « je » as « jeudi »,
keeps « avril » of « le 1er avril » with today's day, takes a lone « 2027 » for today's
day and month in 2027, and ``parse`` on a sentence may come back computed from one word.
Every day it returns is checked against the phrase (day, month, year), so « 03/15/2027 »
is not silently read month first.

What counts as a date:

- a day and a month: « le 15 mars 2027 », « 1er avril », « 15 mars » (the next one to
  come), « 15/03/2027 », « 15-03-27 », « 2027-03-15 », « 15/03 » (unless ``short_numeric``
  is off, where « 4/5 » is more likely a quotité);
- a relative day: « aujourd'hui », « demain », « après-demain », « hier », « avant-hier »,
  « dans 3 jours », « d'ici deux semaines »;
- a weekday said as a day (``weekdays``): « lundi », « mardi prochain » (the next one after
  today), « lundi dernier », « mardi 15 »; not a habit (« le mardi et le jeudi »,
  « les lundis », « chaque vendredi »);
- with ``vague`` only (a start of telework, that becomes a first of month anyway): a month
  (« mars 2027 », « début avril », « mi-mars », « fin mars »), « le mois prochain »,
  « la semaine prochaine ».

A lone day (« le 15 »), a lone year (« 2027 ») or a month without ``vague`` is not a date.
Two different dates in one message are not chosen between: the reading is ambiguous and
lists them, for the dialogue to ask which one. Common typos of month and weekday names
(« mrs », « setpembre », « mardi prochian ») are read as the word they are one or two
letters away from. Plain Python, no Rasa: the API, the CLI and the action server share it.
dateparser blocks (its first call loads its data): call it from a worker thread in a handler.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actions.settings import get_action_settings
from knowledge.analysis import fold

logger = logging.getLogger(__name__)

MONTHS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_ABBREVIATIONS = r"janv\.?|fevr?\.|avr\.|juil\.|sept\.|oct\.|nov\.|dec\."
_MONTH = rf"(?:{_ABBREVIATIONS}|{'|'.join(MONTHS)})"
_WEEKDAY = "|".join(WEEKDAYS)
_DAY = r"1\s?(?:er|ere|re)|premier|\d{1,2}"
# A month named without its day (« début février », « courant mars », « en avril »).
_VAGUE = re.compile(rf"\b((?:debut|fin|mi|milieu|courant|en|vers)\W+(?:de\W+|d\W+)?{_MONTH})(?!\w)")


def vague_date(text: str) -> str | None:
    """The words of a month named without its day (« début février »), when no day is given.

    Such a date cannot be computed; the agent is asked for the exact day rather than given a
    date computed from a guess.
    """
    folded = fold(text)
    found = _VAGUE.search(folded)
    if found is None or re.search(rf"\b(?:{_DAY})\W+{_MONTH}|\d{{1,2}}/\d{{1,2}}", folded):
        return None
    start, end = found.span(1)
    # Quoted back as typed (« début février »), when folding kept the positions.
    return text[start:end] if len(folded) == len(text) else found.group(1)


# Words typed wrong are compared with these (folded), never with shorter ones: « mai »,
# « mars » and « aout » are too close to « mais », « mari », « tout » to be guessed.
_VOCABULARY = (
    *(m for m in MONTHS if len(m) >= 5),
    *WEEKDAYS,
    "demain",
    "prochain",
    "prochaine",
)
# Real words one letter away from a date word.
_NOT_TYPOS = frozenset({"dedain", "hardi"})

_TEXT_DATE = re.compile(
    rf"(?<![\w.])(?:(?P<weekday>{_WEEKDAY})\s+)?"
    rf"(?:(?P<part>debut|mi|fin)[- ]+(?:de |du |d')?)?"
    rf"(?:(?P<day>{_DAY})\s+)?(?P<month>{_MONTH})(?!\w)"
    r"(?:\s+(?P<year>\d{4})(?!\d))?"
)
# After « 3/4 » or « 1/2 », a unit says it is a fraction, not a day and a month.
_UNIT_AFTER = re.compile(
    r"\s*(?:%|h\b|heures?|d'heures?|min|jours?|journees?|de journee|semaines?|mois|ans?|km|"
    r"euros?|€)"
)
_NUMERIC_DATE = re.compile(
    rf"(?<![\w/.,-])(?:(?P<weekday>{_WEEKDAY})\s+)?"
    r"(?:(?P<iso>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})"
    r"|(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2}))?)"
    # A comma may follow a full date (« le 15/01/2027, je… »), not a short one: « 4/5, » is
    # a quotité as often as a date.
    r"(?(year)(?![\d/%-]|[.,]\d)|(?(iso)(?![\d/%-]|[.,]\d)|(?![\d/%,-]|\.\d)))"
)
# A count of days, weeks or months, in figures or words (« dans 3 jours », « dans un mois »).
COUNT = r"\d{1,2}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze"
_RELATIVE = re.compile(
    r"(?<![\w-])(?:(?P<today>aujourd\W?hui|aujourdhui|aujourd'?ui|ajourd'?hui|aujd|auj|ajd)(?![\w-])"
    r"|(?P<after_tomorrow>apres[- ]?demain)|(?P<before_yesterday>avant[- ]?hier)"
    r"|(?P<tomorrow>demain)|(?P<yesterday>hier)"
    r"|(?:dans|ds|d'ici) (?P<count>" + COUNT + r") (?P<unit>jours?|semaines?|mois)"
    r"|(?P<next_month>(?:le |du |au )?mois (?:prochain|suivant))"
    r"|(?P<next_week>(?:la )?semaine (?:prochaine|suivante)))(?![\w-])"
)
# A weekday after one of these, without « prochain » or a day number, is a habit.
_HABIT = r"le|les|du|au|aux|chaque|tous les|mon|mes|ton|tes|son|ses|un|des|ces|nos|vos|leurs?"
_WEEKDAY_DATE = re.compile(
    rf"(?<![\w'])(?:(?P<habit>{_HABIT})\s+)?(?P<weekday>{_WEEKDAY})(?P<plural>s)?(?!\w)"
    r"(?:\s+(?P<which>prochaine?|qui vient|d'apres|dernier|passe|en huit)(?!\w)"
    r"|\s+(?P<day>\d{1,2}|1er)(?![\d/.,:h]|\s*(?:" + _MONTH + r"|h\b|heures?|%)))?"
)


@dataclass(frozen=True)
class DateReading:
    """What a message says about a date.

    Attributes:
        date: the one date the message holds (None: none, or several).
        ambiguous: the different dates it holds when there are several, in message order.
        text: the phrase(s) read, as folded text (« le 15 mars 2027 »), for messages.

    """

    date: dt.date | None
    ambiguous: tuple[dt.date, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    dates: tuple[dt.date, ...]  # one, or two when the phrase contradicts itself
    bare_weekday: bool = False  # « lundi » alone: no « prochain », no day number


def read(
    text: object,
    today: dt.date | None = None,
    *,
    weekdays: bool = True,
    vague: bool = False,
    short_numeric: bool = True,
) -> DateReading:
    """Read the date a French message holds, wherever it stands (see the module docstring).

    Args:
        text: the message (anything else than text holds no date).
        today: the day relative dates count from (default: the machine's today).
        weekdays: read « lundi », « mardi prochain » as dates (off for a telework start).
        vague: also read months and weeks (« mars 2027 », « le mois prochain »).
        short_numeric: read « 15/03 » without its year (off where « 4/5 » is a quotité).

    """
    if not isinstance(text, str) or not text.strip():
        return DateReading(None)
    today = today or current_day()
    folded = _correct_typos(fold(text).replace("\u2019", "'"))
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []
    readers: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[dt.date, ...]]]] = [
        (_NUMERIC_DATE, lambda m: _numeric(m, today, short_numeric=short_numeric)),
        (_TEXT_DATE, lambda m: _text_date(m, today, vague=vague)),
        (_RELATIVE, lambda m: _relative(m, today, vague=vague)),
    ]
    if weekdays:
        readers.append((_WEEKDAY_DATE, lambda m: _weekday(m, today)))
    for pattern, reader in readers:  # the most explicit first; a phrase is read once
        for match in pattern.finditer(folded):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            dates = reader(match)
            if dates:
                bare = pattern is _WEEKDAY_DATE and not (match["which"] or match["day"])
                found.append(_Found(start, end, dates, bare))
    found = _without_days_of_telework(found)
    found.sort(key=lambda item: item.start)
    dates = tuple(dict.fromkeys(day for item in found for day in item.dates))
    phrases = " ; ".join(folded[item.start : item.end].strip() for item in found)
    if len(dates) == 1:
        return DateReading(dates[0], (), phrases)
    if dates:
        logger.debug("Plusieurs dates lues : %s", dates)
    return DateReading(None, dates, phrases)


def current_day() -> dt.date:
    """The day relative dates count from: today, or the configured reference date."""
    return get_action_settings().reference_date or dt.date.today()


def read_date(text: object, today: dt.date | None = None, **options: Any) -> dt.date | None:
    """The one date of a message (None when it holds none, or several: see :func:`read`)."""
    return read(text, today, **options).date


def _correct_typos(folded: str) -> str:
    """Replace words one letter (two in long words) away from a month or weekday name."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 5 or word in _NOT_TYPOS or word.removesuffix("s") in _VOCABULARY:
            return word
        for known in _VOCABULARY:
            limit = 1 if min(len(word), len(known)) <= 6 else 2
            if known[0] == word[0] and _distance(word, known, limit) <= limit:
                return known
        return word

    corrected = re.sub(r"[a-z]+", fix, folded)
    # « le 15 mrs 2027 »: a short month only where a day number stands before it.
    return re.sub(
        rf"(?<![\w/])({_DAY})\s+([a-z]{{3,4}})(?=\s+\d{{4}}\b)",
        lambda m: f"{m.group(1)} {_short_month(m.group(2))}",
        corrected,
    )


def _short_month(word: str) -> str:
    for month in MONTHS:
        if len(month) <= 5 and month[0] == word[0] and _distance(word, month, 1) <= 1:
            return month
    return word


def _distance(first: str, second: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two letters) from one word to the other."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _dateparser(phrase: str, today: dt.date, day_of_month: str = "first") -> dt.date | None:
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


def _with_weekday(day: dt.date, weekday: str | None) -> tuple[dt.date, ...]:
    """The date, or it and the nearest date of the weekday said with it if they disagree."""
    if weekday is None or day.weekday() == WEEKDAYS.index(weekday):
        return (day,)
    shift = (WEEKDAYS.index(weekday) - day.weekday()) % 7
    nearest = day + dt.timedelta(days=shift if shift <= 3 else shift - 7)
    return (day, nearest)


def _numeric(match: re.Match[str], today: dt.date, *, short_numeric: bool) -> tuple[dt.date, ...]:
    if match.group("iso"):
        numbers = (match.group("iso_day"), match.group("iso_month"), match.group("iso"))
        phrase = match.group(0).split()[-1]
    else:
        numbers = (match.group("day"), match.group("month"), match.group("year"))
        if numbers[2] is None and (
            not short_numeric
            or match.group("sep") == "."
            or _UNIT_AFTER.match(match.string, match.end())
        ):
            return ()
        phrase = "/".join(filter(None, numbers))
    day, month = int(numbers[0]), int(numbers[1])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return ()
    parsed = _dateparser(phrase, today)
    if parsed is None or (parsed.day, parsed.month) != (day, month):
        return ()  # « 31/02 » does not exist; « 03/15 » is not read month first
    year = numbers[2]
    if year is not None and parsed.year % (100 if len(year) == 2 else 10000) != int(year):
        return ()
    return _with_weekday(parsed, match.group("weekday"))


def _text_date(match: re.Match[str], today: dt.date, *, vague: bool) -> tuple[dt.date, ...]:
    raw_day, part = match.group("day"), match.group("part")
    if raw_day is None or part:
        if not vague:
            return ()
        day = None
    else:
        day = 1 if not raw_day.isdigit() else int(raw_day)
    month_word, year = match.group("month"), match.group("year")
    phrase = " ".join(filter(None, ("1er" if day == 1 else str(day or ""), month_word, year)))
    parsed = _dateparser(phrase.strip(), today)
    month = next(i for i, m in enumerate(MONTHS, 1) if m.startswith(month_word.rstrip(".")))
    if parsed is None or parsed.month != month or (day is not None and parsed.day != day):
        return ()
    if year is not None and parsed.year != int(year):
        return ()
    if part == "mi":
        parsed = parsed.replace(day=15)
    elif part == "fin":
        following = (parsed.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        parsed = following - dt.timedelta(days=1)
    return _with_weekday(parsed, match.group("weekday") if day else None)


def _relative(match: re.Match[str], today: dt.date, *, vague: bool) -> tuple[dt.date, ...]:
    shifts = {"today": 0, "tomorrow": 1, "after_tomorrow": 2, "yesterday": -1}
    for name, days in (*shifts.items(), ("before_yesterday", -2)):
        if match.group(name):
            return (today + dt.timedelta(days=days),)
    if match.group("count"):
        count, unit = match.group("count"), match.group("unit")
        parsed = _dateparser(f"dans {count} {unit}", today, "current")
        return (parsed,) if parsed else ()
    if not vague:
        return ()
    if match.group("next_month"):
        parsed = _dateparser("le mois prochain", today, "first")
    else:
        parsed = _dateparser("la semaine prochaine", today, "current")
    return (parsed,) if parsed else ()


def _without_days_of_telework(found: list[_Found]) -> list[_Found]:
    """Drop bare weekdays that name days of telework beside the date of the message.

    « le 3 février je change mes jours (lundi -> jeudi) »: with a day and a month given,
    two bare weekdays or more are the days moved, not two more dates. One bare weekday stays
    a date (« je préviens lundi pour le 3 février » is ambiguous, and asked).
    """
    bare = [item for item in found if item.bare_weekday]
    if len(bare) < 2 or len(bare) == len(found):
        return found
    return [item for item in found if not item.bare_weekday]


def _weekday(match: re.Match[str], today: dt.date) -> tuple[dt.date, ...]:
    """« lundi », « mardi prochain », « lundi dernier », « mardi 15 »; not « le mardi »."""
    which, number = match.group("which"), match.group("day")
    if match.group("plural") or (match.group("habit") and not (which or number)):
        return ()
    weekday = WEEKDAYS.index(match.group("weekday"))
    if which in ("dernier", "passe"):
        back = (today.weekday() - weekday - 1) % 7 + 1
        return (today - dt.timedelta(days=back),)
    ahead = (weekday - today.weekday() - 1) % 7 + 1
    coming = today + dt.timedelta(days=ahead + (7 if which == "en huit" else 0))
    if number is None:
        return (coming,)
    # « mardi 15 »: the next 15th (this month or the next) if it is a Tuesday; else ask.
    wanted = 1 if number == "1er" else int(number)
    first = today.replace(day=1)
    for months_ahead in (0, 1, 2):
        year, month = divmod(first.month - 1 + months_ahead, 12)
        try:
            candidate = dt.date(first.year + year, month + 1, wanted)
        except ValueError:
            continue
        if candidate >= today:
            return (candidate,) if candidate.weekday() == weekday else (coming, candidate)
    return ()
