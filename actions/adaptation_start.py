"""Where an agent stands in the adaptation period, from when the telework started.

« ah mais g commencé le 1er octobre avec 3 mois d'adaptation », after the end of telework was
asked: the date is the start of the telework, not the day of notice — read as the day of
notice, it gave « à notifier au plus tard le 1er septembre 2027 ». The period's last day
(:func:`rules.notice.last_day_of_period`, the same count as ``teletravail period``) says
which delay applies on the day of notice: one month within it, two months after.

Plain Python (no Rasa import): the chat's follow-ups use it, and it is unit-tested alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from actions.dates import read_date
from actions.replies import words
from rules.formatting import fr_date
from rules.notice import last_day_of_period, load_rules

# « g commencé », « il a débuté », « ça a démarré », « en tt depuis le … ».
_STARTED = re.compile(r"\b(commence\w*|debute\w*|demarre\w*|depuis)\b")
# « avec 3 mois d'adaptation », « une période d'adaptation de deux mois ».
_MONTHS = re.compile(
    r"\b(?P<before>\d|un|une|deux|trois) mois d (?:adaptation|essai)\b"
    r"|\b(?:adaptation|essai) (?:de |d )?(?P<after>\d|un|une|deux|trois) mois\b"
)
_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3}
_YEAR = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2} ?[/.-] ?\d{1,2} ?[/.-] ?\d{2}\b")


@dataclass(frozen=True)
class AdaptationStart:
    """The start of the telework and the length of its adaptation period, as the agent said."""

    start: dt.date
    months: int

    @property
    def last_day(self) -> dt.date:
        """The period's last day, inclusive."""
        return last_day_of_period(self.start, self.months)

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` (the day of notice) falls within the adaptation period."""
        return self.start <= day <= self.last_day

    def standing(self, day: dt.date) -> str:
        """Where the agent stands on the day of notice, in French, with the count shown."""
        period = (
            f"Période d'adaptation de {self.months} mois à partir du {fr_date(self.start)} : "
            f"jusqu'au {fr_date(self.last_day)} inclus."
        )
        notified = f"Le {fr_date(day)}, jour où la fin est notifiée"
        if self.covers(day):
            return f"{period} {notified}, elle court encore : délai de prévenance d'un mois."
        return f"{period} {notified}, elle est terminée : délai de prévenance de deux mois."


def stated_start(text: str, today: dt.date) -> AdaptationStart | None:
    """The start and adaptation length a message states, or None when it does not say both.

    A date without its year is the past one: the telework has started (« le 1er octobre »,
    said in December, is last October). A length beyond the texts' maximum (three months)
    is no adaptation period the texts know: nothing is computed from it.
    """
    folded = " ".join(words(text))
    length = _MONTHS.search(folded)
    if length is None or _STARTED.search(folded) is None:
        return None
    said = length["before"] or length["after"]
    months = int(said) if said.isdigit() else _NUMBERS[said]
    maximum = load_rules().notice.periods["adaptation"].value.months
    if not 1 <= months <= maximum:
        return None
    start = read_date(text, today, weekdays=False)
    if start is None:
        return None
    if start > today and _YEAR.search(folded) is None:
        start -= relativedelta(years=1)
    return AdaptationStart(start, months)
