"""Reading the values people type: « 80 % », « temps plein », « ouais », « 12 km », « le 4 mai ».

NLU entities come first; these functions read the free text when the entity extractor found
nothing, so that a form accepts what an agent naturally writes. They only turn words into
values: the rules engine alone decides whether a value is allowed and what it implies.
"""

from __future__ import annotations

import datetime as dt
import re

from actions import dates
from knowledge.analysis import fold

_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![\w])")
# « 4/5 », « 4/5e », « 4/5ème », « 4 jours sur 5 », « quatre cinquièmes ».
_FRACTION_OF_FIVE = re.compile(
    r"\b([1-5]|un|deux|trois|quatre)\s*(?:/\s*5(?:e|eme|ieme)?s?|jours?\s+sur\s*5"
    r"|cinquiemes?)(?!\w)"
)
# « 20 % de décharge (syndicale) », « décharge syndicale de 20 % ».
_DISCHARGE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*%?\s*(?:de\s+|d')?decharge"
    r"|decharge\w*(?:\s+syndicale)?\s*(?:de|a|:)?\s*(\d+(?:[.,]\d+)?)"
)
_WORD_NUMBERS = {"un": 1.0, "une": 1.0, "deux": 2.0, "trois": 3.0, "quatre": 4.0, "cinq": 5.0}
_FULL_TIME = ("temps plein", "plein temps", "temps complet")
_HALF_TIME = ("mi-temps", "mi temps", "demi-temps", "demi temps", "mitemps")
_YES = (
    "oui",
    "ouais",
    "ouai",
    "yes",
    "ok",
    "okay",
    "d'accord",
    "bien sur",
    "exact",
    "exactement",
    "tout a fait",
    "absolument",
    "effectivement",
    "evidemment",
    "carrement",
    "affirmatif",
    "c'est le cas",
)
# Phrases that say yes with a negative word in them.
_YES_DESPITE_NO = ("pas de souci", "pas de probleme", "sans probleme", "pourquoi pas")
_NO = ("non", "nan", "no", "pas", "aucun", "aucune", "jamais", "negatif", "nope")
# Phrases that answer neither yes nor no (the question is then asked again).
_UNSURE = (
    "sais pas", "sait pas", "sais plus", "aucune idee", "pas sur", "pas sure", "bof",
    "peut-etre", "peut etre", "ca depend", "pas certain", "pas certaine", "hesite",
)  # fmt: skip
_STATUS_WORDS = {
    "fonctionnaire": ("fonctionnaire", "titulaire", "stagiaire", "titularise"),
    "contractuel": ("contractuel", "contractuelle", "cdd", "cdi", "vacataire", "contrat"),
}
_TRANSPORT_WORDS = {
    "voiture": ("voiture", "auto", "automobile", "bagnole", "diesel", "gazole", "essence"),
    "transports_en_commun": (
        "transports en commun",
        "transport en commun",
        "train",
        "rer",
        "metro",
        "bus",
        "tram",
        "car",
        "ter",
    ),
    "velo": ("velo", "bicyclette", "trottinette"),
    "marche": ("a pied", "marche", "pied"),
    "deux_roues": ("moto", "scooter", "deux-roues", "deux roues", "mobylette"),
}


def _has_phrase(folded: str, phrases: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![\w']){re.escape(p)}(?![\w])", folded) for p in phrases)


_PERCENT_FIGURE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|pour ?cent)")
# « je bosse à 70 », « jsuis a 60, pas 80 »: the figure one works at, percent sign or not
# (not « je suis à 30 km », « je suis à 2 jours »).
_WORKING_AT = re.compile(
    r"\b(?:travaill\w*|bosse\w*|jbosse|suis|jsuis|chui|passe|passerai\w*)\s+a\s+"
    r"(\d{2,3}(?:[.,]\d+)?)(?!\d|[.,]\d)(?!\s*(?:km|kilo\w*|min\w*|jours?|h\b|heures?|ans?)\b)"
)


def first_number(text: str) -> float | None:
    """The first number of a text, decimal comma accepted (« 1,5 » → 1.5)."""
    match = _NUMBER.search(text)
    return float(match.group(1).replace(",", ".")) if match else None


def to_float(value: object) -> float | None:
    """A number given as a number or as text (« 80 », « 80 % », « 12,5 km »), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return first_number(value)
    return None


def parse_quotite(value: object) -> float | None:
    """Read a quotité in percent: « 80 », « 80 % », « temps plein » (100), « mi-temps » (50).

    « 4/5 » and « 4 jours sur 5 » are read as 80. The value is not checked here: the rules
    engine says which quotités exist.
    """
    if not isinstance(value, str):
        return to_float(value)
    folded = _DISCHARGE.sub(" ", fold(value))  # « 20 % de décharge » is not the quotité
    if _has_phrase(folded, _FULL_TIME):
        return 100.0
    if _has_phrase(folded, _HALF_TIME):
        return 50.0
    fraction = _FRACTION_OF_FIVE.search(folded)
    if fraction:
        count = fraction.group(1)
        return (_WORD_NUMBERS[count] if count in _WORD_NUMBERS else float(count)) * 20
    figure = _WORKING_AT.search(folded) or _PERCENT_FIGURE.search(folded)
    if figure:  # « 2 enfants, temps partiel 90 % »: the figure of the percentage
        return float(figure.group(1).replace(",", "."))
    return first_number(folded)


def works_at(text: str) -> bool:
    """Whether a message says the quotité one works at (« je bosse à 70 »), sign or not."""
    return _WORKING_AT.search(_DISCHARGE.sub(" ", fold(text))) is not None


def worded_quotite(text: str) -> float | None:
    """The quotité a text says in words (« temps plein », « mi-temps », « 4 jours sur 5 »).

    These forms come before any number of the text: the entity extractor reads « 5 » in
    « 4 jours sur 5 ».
    """
    folded = _DISCHARGE.sub(" ", fold(text))
    if _has_phrase(folded, _FULL_TIME) or _has_phrase(folded, _HALF_TIME):
        return parse_quotite(text)
    return parse_quotite(text) if _FRACTION_OF_FIVE.search(folded) else None


def parse_discharge(texts: list[str]) -> float | None:
    """The union discharge, in percent, named in the latest of ``texts`` that names one.

    « temps plein avec 20 % de décharge syndicale » → 20: the rules engine deducts it from
    the quotité, as the instruction says.
    """
    for text in reversed(texts):
        match = _DISCHARGE.search(fold(text))
        if match:
            return float((match.group(1) or match.group(2)).replace(",", "."))
    return None


def parse_days(value: object) -> float | None:
    """Read a number of days: « 2 », « 2 jours », « deux jours et demi », « une demi-journée »."""
    if not isinstance(value, str):
        return to_float(value)
    folded = fold(value)
    number = first_number(folded)
    if number is None:
        if "et demi" not in folded and re.search(r"\bdemi", folded):
            return 0.5
        words = re.findall(r"[a-z]+", folded)
        number = next((_WORD_NUMBERS[w] for w in words if w in _WORD_NUMBERS), None)
    if number is not None and re.search(r"\bet demi", folded):
        number += 0.5
    return number


def parse_yes_no(text: object) -> bool | None:
    """Read a yes or a no in free text (« ouais », « pas vraiment »); None when unclear."""
    if isinstance(text, bool):
        return text
    if not isinstance(text, str):
        return None
    folded = fold(text)
    if _has_phrase(folded, _UNSURE):
        return None
    if _has_phrase(folded, _YES_DESPITE_NO):
        return True
    if _has_phrase(folded, _NO):
        return False
    return True if _has_phrase(folded, _YES) else None


def parse_status(text: object) -> str | None:
    """Read « fonctionnaire » (titulaire, stagiaire) or « contractuel » (CDD, CDI…)."""
    if not isinstance(text, str):
        return None
    folded = fold(text)
    for status, words in _STATUS_WORDS.items():
        if _has_phrase(folded, words):
            return status
    return None


def mentions_permanent_contract(text: object) -> bool:
    """Tell whether the text names a CDI (an open-ended contract is more than a year)."""
    return isinstance(text, str) and _has_phrase(fold(text), ("cdi",))


def parse_transport_mode(text: object) -> str | None:
    """Read a transport mode with the domain's codes (voiture, transports_en_commun…)."""
    if not isinstance(text, str):
        return None
    folded = fold(text)
    for mode, words in _TRANSPORT_WORDS.items():
        if _has_phrase(folded, words):
            return mode
    return None


def transport_word(text: str, mode: str) -> str | None:
    """The word of ``mode`` the message uses (« train » for the transports en commun)."""
    folded = fold(text)
    return next((w for w in _TRANSPORT_WORDS.get(mode, ()) if _has_phrase(folded, (w,))), None)


def mentions_diesel(text: str) -> bool:
    """Tell whether the text says the car runs on diesel."""
    return _has_phrase(fold(text), ("diesel", "gazole", "gasoil"))


def parse_date(text: object, today: dt.date | None = None) -> dt.date | None:
    """Read the one French date of a text, wherever it stands (« le 4 mai », « mardi prochain »).

    A thin name for :func:`actions.dates.read_date`, the one date reader: None when the text
    holds no date, only part of one (a lone year), or two different dates.
    """
    return dates.read_date(text, today)


_DISTANCE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:km|kms|kilometres?)\b")


def stated_distance(text: str) -> str | None:
    """The number a text gives in kilometres (« j'habite à 1200 km » → « 1200 »), if any."""
    match = _DISTANCE.search(fold(text))
    return match.group(1) if match else None


_DAYS_PER_WEEK = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:jours?|jrs?|j)\b(?! (?:par|/) mois)")


def stated_days(text: str) -> str | None:
    """The number a text gives in days (« avec 8 jours de tt par semaine » → « 8 »), if any.

    Days per month are not days per week: « 8 jours par mois » gives none.
    """
    match = _DAYS_PER_WEEK.search(fold(text))
    return match.group(1) if match else None


# The months, as typed (accents or not, abbreviated or not): a number before one is a day of
# a date, never a quotité (« le 31 février », « le 3 mars 2027 »).
MONTH_WORDS = (
    r"janv\w*|f[eé]v\w*|mars|avr\w*|mai|juin|juil\w*|ao[uû]t|sept\w*|oct\w*|nov\w*|d[eé]c\w*"
)
