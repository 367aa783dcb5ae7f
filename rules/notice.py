"""When a change of telework takes effect, and how long an authorisation may last.

Every delay counts forward from the notification date: ``date + delay`` is the earliest date
the change can take effect. Working days (jours ouvrés, for the 48 h of a one-off change)
are Monday to Friday minus the public holidays of metropolitan France, taken from the
maintained ``holidays`` library rather than a hand-written list that would go stale. Months
are calendar months, clamped to the end of shorter months (31 January + 1 month = 28 or 29
February), as ``dateutil.relativedelta`` does.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, Field, field_validator

from knowledge.models import Source
from rules.formatting import fr_date
from rules.inputs import check_choice
from rules.models import Delay, Fact, NoticeEvent, PeriodKind, cite, load_rules

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
EVENTS = {
    "ponctual_change": "modification ponctuelle d'un jour télétravaillé",
    "calendar_change": "modification durable du calendrier",
    "end_during_adaptation": "fin pendant la période d'adaptation",
    "end": "fin après la période d'adaptation",
}
PERIODS = {
    "authorisation": "autorisation de télétravail",
    "adaptation": "période d'adaptation",
    "medical_derogation": "dérogation pour raison médicale",
}


def parse_day(value: object, what: str) -> dt.date:
    """Read a real calendar date between 1990 and 2100, written AAAA-MM-JJ.

    Raises:
        ValueError: with a French message that does not repeat the input.

    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                f"{what} : date inexistante ou mal écrite ; une date réelle au format AAAA-MM-JJ "
                "est attendue (par exemple 2026-05-04)"
            ) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{what} : une date entre {EARLIEST.year} et {LATEST.year} est attendue")
    return day


class NoticeRequest(BaseModel):
    """Which change, notified on which day (query of ``GET /api/notice``)."""

    event: NoticeEvent = Field(description="Événement : " + " ; ".join(EVENTS))
    date: dt.date = Field(description="Date de notification, AAAA-MM-JJ.")

    @field_validator("event", mode="before")
    @classmethod
    def _event(cls, value: object) -> str:
        return check_choice(value, EVENTS, "événement")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> dt.date:
        return parse_day(value, "date de notification")


class NoticeResult(BaseModel):
    """Earliest effective date of a change (contract of ``GET /api/notice``, plus details)."""

    event: NoticeEvent
    label: str
    from_date: dt.date = Field(serialization_alias="from", description="Date de notification.")
    effective_date: dt.date
    delay: Delay
    effective_is_working_day: bool
    first_working_day: dt.date = Field(
        description="Premier jour ouvré à partir de la date d'effet (elle-même si ouvrée)."
    )
    explanation: str
    sources: list[Source]


class PeriodRequest(BaseModel):
    """Which duration, starting on which day (query of ``GET /api/period``)."""

    period: PeriodKind = Field(description="Durée : " + " ; ".join(PERIODS))
    start: dt.date = Field(description="Premier jour, AAAA-MM-JJ.")

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> str:
        return check_choice(value, PERIODS, "durée")

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: object) -> dt.date:
        return parse_day(value, "date de début")


class PeriodResult(BaseModel):
    """Last day a maximum duration covers, and after renewal when the text allows one."""

    period: PeriodKind
    label: str
    start: dt.date
    max_months: int
    last_day: dt.date
    renewals: int | None
    last_day_if_renewed: dt.date | None
    explanation: str
    sources: list[Source]


@lru_cache(maxsize=256)
def _holidays(year: int) -> dict[dt.date, str]:
    calendar = load_rules().notice.working_days.value.holiday_calendar
    return dict(holidays.country_holidays(calendar, years=year, language="fr"))


def holiday_name(day: dt.date) -> str | None:
    """Name the public holiday on that day, in French, if there is one."""
    return _holidays(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    """Tell whether a day is a jour ouvré: a working weekday that is not a public holiday."""
    weekdays = load_rules().notice.working_days.value.weekdays
    return day.weekday() in weekdays and holiday_name(day) is None


def add_working_days(start: dt.date, count: int) -> dt.date:
    """Step ``count`` working days forward from ``start`` (``start`` itself never counts)."""
    day = start
    remaining = count
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def apply_delay(start: dt.date, delay: Delay) -> dt.date:
    """Find the date a delay running from ``start`` reaches."""
    if delay.unit == "working_days":
        return add_working_days(start, delay.amount)
    if delay.unit == "calendar_days":
        return start + dt.timedelta(days=delay.amount)
    return start + relativedelta(months=delay.amount)


def last_day_of_period(start: dt.date, months: int) -> dt.date:
    """Give the last day (inclusive) of a period of ``months`` calendar months from ``start``.

    From the 15th, the period ends on the 14th; from the 31st into a 30-day month, it ends on
    the 30th: when the same day number does not exist, the period runs to the month's end.
    """
    same_day = start + relativedelta(months=months)
    return same_day if same_day.day < start.day else same_day - dt.timedelta(days=1)


def first_working_day(day: dt.date) -> dt.date:
    """Return ``day`` itself if it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


_UNITS = {
    "working_days": ("jour ouvré", "jours ouvrés"),
    "calendar_days": ("jour", "jours"),
    "months": ("mois", "mois"),
}


def describe_delay(delay: Delay) -> str:
    """Write « de 2 jours ouvrés », « de 15 jours », « d'un mois »."""
    singular, plural = _UNITS[delay.unit]
    return f"de {delay.amount} {plural}" if delay.amount > 1 else f"d'un {singular}"


def _skipped_holidays(start: dt.date, end: dt.date) -> list[str]:
    """List the weekday holidays the working-day count stepped over, to show the user."""
    weekdays = load_rules().notice.working_days.value.weekdays
    days = (start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1))
    return [
        f"{fr_date(day)} ({name})"
        for day in days
        if (name := holiday_name(day)) is not None and day.weekday() in weekdays
    ]


def compute_notice(request: NoticeRequest) -> NoticeResult:
    """Give the earliest date a change of telework can take effect after its notification."""
    notice = load_rules().notice
    rule = notice.events[request.event]
    effective = apply_delay(request.date, rule.value)
    working = first_working_day(effective)
    parts = [
        f"{rule.label.capitalize()} notifiée le {fr_date(request.date)} : délai de prévenance "
        f"{describe_delay(rule.value)}. {rule.note}",
        f"Elle peut prendre effet au plus tôt le {fr_date(effective)}.",
    ]
    facts: list[Fact] = [rule]
    if rule.value.unit == "working_days":
        facts.append(notice.working_days)
        parts.insert(1, notice.working_days.note)
        skipped = _skipped_holidays(request.date, effective)
        if skipped:
            parts.insert(2, f"Jours fériés non comptés : {', '.join(skipped)}.")
    elif working != effective:
        parts.append(
            f"Ce jour n'est pas un jour ouvré : le premier jour ouvré concerné est le "
            f"{fr_date(working)}."
        )
    if request.event in ("end", "end_during_adaptation"):
        facts += [notice.immediate_end, notice.change_of_post]
        parts += [notice.immediate_end.note, notice.change_of_post.note]
    return NoticeResult(
        event=request.event,
        label=rule.label,
        from_date=request.date,
        effective_date=effective,
        delay=rule.value,
        effective_is_working_day=working == effective,
        first_working_day=working,
        explanation=" ".join(part for part in parts if part),
        sources=cite(*facts),
    )


def compute_period(request: PeriodRequest) -> PeriodResult:
    """Give the last day an authorisation, an adaptation or a medical derogation can cover."""
    rule = load_rules().notice.periods[request.period]
    spec = rule.value
    last = last_day_of_period(request.start, spec.months)
    renewed = None
    if spec.renewals:
        renewed = last_day_of_period(request.start, spec.months * (1 + spec.renewals))
    parts = [
        f"{rule.label.capitalize()} à partir du {fr_date(request.start)} : {spec.months} mois "
        f"au plus, soit jusqu'au {fr_date(last)} inclus."
    ]
    if renewed is not None:
        times = "une fois" if spec.renewals == 1 else f"{spec.renewals} fois"
        parts.append(f"Renouvelable {times} : jusqu'au {fr_date(renewed)} inclus au plus tard.")
    parts.append(rule.note)
    return PeriodResult(
        period=request.period,
        label=rule.label,
        start=request.start,
        max_months=spec.months,
        last_day=last,
        renewals=spec.renewals,
        last_day_if_renewed=renewed,
        explanation=" ".join(part for part in parts if part),
        sources=cite(rule),
    )
