"""The other way round: by when a change must be notified to take effect on a wished date.

Agents often know the day they want (« je veux arrêter le 2 février, ça passe ? », « à
partir du 15 janvier, je dois prévenir quand au plus tard ? »): the answer is the last
notification date whose notice period (``rules.notice.apply_delay``) still reaches that
day, and, when that date is already past, the earliest date a notification made today
reaches. Same cited rules as the forward computation.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from knowledge.models import Source
from rules.formatting import fr_date
from rules.models import Fact, NoticeEvent, cite, load_rules
from rules.notice import apply_delay, describe_delay, is_working_day


class DeadlineResult(BaseModel):
    """Latest notification date for a wished effective date, and what today allows."""

    event: NoticeEvent
    label: str
    wished_date: dt.date
    latest_notification: dt.date
    too_late: bool
    earliest_if_notified_today: dt.date
    explanation: str
    sources: list[Source]


def latest_notification(wished: dt.date, event: str) -> dt.date:
    """The last day a notification can be made for the change to take effect on ``wished``.

    Stepped back one day at a time from ``wished``: month delays are clamped at the end of
    shorter months and working days skip weekends and holidays, so the delay is never simply
    subtracted.
    """
    delay = load_rules().notice.events[event].value  # type: ignore[index]
    day = wished
    while apply_delay(day, delay) > wished:
        day -= dt.timedelta(days=1)
    return day


def working_day_before(day: dt.date) -> str:
    """« (en jour ouvré : le vendredi 4 décembre) » when ``day`` is a weekend or a holiday."""
    if is_working_day(day):
        return ""
    before = day - dt.timedelta(days=1)
    while not is_working_day(before):
        before -= dt.timedelta(days=1)
    return f" (en jour ouvré : le {fr_date(before)})"


def compute_deadline(event: NoticeEvent, wished: dt.date, today: dt.date) -> DeadlineResult:
    """By when to notify ``event`` to take effect on ``wished``, seen from ``today``."""
    notice = load_rules().notice
    rule = notice.events[event]
    latest = latest_notification(wished, event)
    too_late = latest < today
    earliest = apply_delay(today, rule.value)
    parts = [
        f"Pour une {rule.label} qui prenne effet le {fr_date(wished)} : délai de prévenance "
        f"{describe_delay(rule.value)}, la notification doit être faite au plus tard le "
        f"{fr_date(latest)}{working_day_before(latest)}.",
    ]
    if too_late:
        parts.append(
            f"C'est trop tard pour cette date : notifiée aujourd'hui ({fr_date(today)}), elle "
            f"prendrait effet au plus tôt le {fr_date(earliest)}."
        )
    else:
        parts.append(f"Vous êtes dans les temps : il reste jusqu'au {fr_date(latest)}.")
    parts.append(rule.note)
    facts: list[Fact] = [rule]
    if rule.value.unit == "working_days":
        facts.append(notice.working_days)
        parts.append(notice.working_days.note)
    return DeadlineResult(
        event=event,
        label=rule.label,
        wished_date=wished,
        latest_notification=latest,
        too_late=too_late,
        earliest_if_notified_today=earliest,
        explanation=" ".join(part for part in parts if part),
        sources=cite(*facts),
    )
