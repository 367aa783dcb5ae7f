"""By when to notify a change for a wished effective date (the notice computed backwards).

Expected dates worked out by hand from the 2026–2027 calendar (weekdays and holidays noted).
"""

from __future__ import annotations

import datetime as dt

import pytest

from rules import NoticeRequest, compute_notice
from rules.deadline import compute_deadline, latest_notification

pytestmark = pytest.mark.unit
MONDAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("event", "wished", "latest"),
    [
        # 15 days before Friday 15 January 2027.
        ("calendar_change", dt.date(2027, 1, 15), dt.date(2026, 12, 31)),
        # Two months before Tuesday 2 February 2027.
        ("end", dt.date(2027, 2, 2), dt.date(2026, 12, 2)),
        # One month before 31 March: 28 February + 1 month is 28 March, 1 March reaches 1 April
        # — the last notification reaching 31 March at the latest is 28 February.
        ("end_during_adaptation", dt.date(2027, 3, 31), dt.date(2027, 2, 28)),
        # Two working days before Monday 14 December 2026: Thursday 10 December.
        ("ponctual_change", dt.date(2026, 12, 14), dt.date(2026, 12, 10)),
        # Two working days before Monday 4 January 2027: Christmas and New Year's Day are
        # holidays, so Wednesday 30 December 2026 (→ Thu 31, Mon 4).
        ("ponctual_change", dt.date(2027, 1, 4), dt.date(2026, 12, 30)),
    ],
)
def test_latest_notification_date(event: str, wished: dt.date, latest: dt.date) -> None:
    assert latest_notification(wished, event) == latest


@pytest.mark.parametrize(
    "event", ["ponctual_change", "calendar_change", "end_during_adaptation", "end"]
)
def test_the_latest_date_is_the_last_one_the_forward_computation_allows(event: str) -> None:
    for offset in range(0, 120, 7):
        wished = dt.date(2027, 1, 1) + dt.timedelta(days=offset)
        latest = latest_notification(wished, event)
        reached = compute_notice(NoticeRequest(event=event, date=latest)).effective_date
        after = compute_notice(
            NoticeRequest(event=event, date=latest + dt.timedelta(days=1))
        ).effective_date
        assert reached <= wished < after


def test_too_late_says_what_a_notification_today_reaches() -> None:
    result = compute_deadline("end", dt.date(2027, 2, 2), MONDAY)
    assert result.too_late and result.earliest_if_notified_today == dt.date(2027, 2, 7)
    assert "trop tard" in result.explanation and "dimanche 7 février 2027" in result.explanation
    assert result.sources and result.sources[0].doc_id == "maa-instruction-2019-781"


def test_in_time_names_the_last_day() -> None:
    result = compute_deadline("calendar_change", dt.date(2027, 1, 15), MONDAY)
    assert not result.too_late
    assert "au plus tard le jeudi 31 décembre 2026" in result.explanation


def test_a_deadline_on_a_weekend_also_gives_the_working_day_before() -> None:
    result = compute_deadline("ponctual_change", dt.date(2026, 12, 8), dt.date(2026, 12, 1))
    assert "dimanche 6 décembre 2026 (en jour ouvré : le vendredi 4 décembre 2026)" in (
        result.explanation
    )
