"""Numbers, days and dates written the French way, for every message a person reads.

Shared by the rules engine, the Rasa actions, the drafts and the CLI, so that « 2,5 jours »
and « vendredi 1er mai 2026 » read the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# fmt: off
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")
# fmt: on


def fr_number(value: float | Fraction, decimals: int = 2) -> str:
    """Write a number the French way: decimal comma, spaced thousands, no useless zeros."""
    text = f"{float(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return "0" if text in ("-0", "") else text


def fr_days(value: float | Fraction) -> str:
    """Write « 0,5 jour », « 1 jour », « 2 jours »: French puts the plural from two on."""
    return f"{fr_number(value)} jour{'s' if value >= 2 else ''}"


def fr_date(day: dt.date) -> str:
    """Write a date as « mercredi 6 mai 2026 », « vendredi 1er mai 2026 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{_WEEKDAYS[day.weekday()]} {number} {_MONTHS[day.month - 1]} {day.year}"
