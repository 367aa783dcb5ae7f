"""Properties the rules must keep for every input, not only the table's rows."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules import (
    ImpactRequest,
    NoticeRequest,
    PeriodRequest,
    QuotaRequest,
    compute_notice,
    compute_period,
    compute_quota,
    simulate_impact,
)
from rules.notice import is_working_day

pytestmark = pytest.mark.unit

quotites = st.decimals(min_value="0.01", max_value="100", places=2).map(float)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 10, 31))


def quota(quotite: float, decharge: float = 0, medical: bool = False):  # type: ignore[no-untyped-def]
    return compute_quota(QuotaRequest(quotite=quotite, decharge=decharge, medical=medical))


@given(quotites, quotites)
def test_days_never_decrease_when_the_quotite_grows(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert quota(low).max_days_per_week <= quota(high).max_days_per_week
    assert quota(low).max_days_per_month <= quota(high).max_days_per_month


@given(quotites, st.booleans())
@example(40.01, False)  # a ceiling of 0.0005 day, shown as 0: no telework left
def test_never_more_than_three_days_nor_less_than_two_of_presence(q: float, medical: bool) -> None:
    result = quota(q, medical=medical)
    assert 0 <= result.max_days_per_week <= 3
    # weekly is shown rounded down to the hundredth; monthly is 4 × the exact weekly ceiling
    assert 0 <= result.max_days_per_month - 4 * result.max_days_per_week < 0.05
    if result.max_days_per_week > 0:
        assert result.worked_days_per_week - result.max_days_per_week >= 2 - 0.011
    assert result.no_telework_left == (result.max_days_per_week == 0)
    # Exactly: none at 40 % or less; from 40.2 % the ceiling reaches the hundredth shown.
    if q <= 40:
        assert result.no_telework_left
    if q >= 40.2:
        assert not result.no_telework_left


@given(quotites, st.decimals(min_value="0", max_value="100", places=2).map(float))
def test_discharge_is_the_same_as_the_reduced_quotite(q: float, d: float) -> None:
    if d >= q:
        return
    with_discharge = quota(q, decharge=d)
    reduced = quota(round(q - d, 2))
    assert with_discharge.max_days_per_week == reduced.max_days_per_week
    assert with_discharge.max_days_per_month == reduced.max_days_per_month


@settings(max_examples=300)
@given(days)
def test_ponctual_change_lands_on_the_second_working_day(day: dt.date) -> None:
    result = compute_notice(NoticeRequest(event="ponctual_change", date=day))
    effective = result.effective_date
    assert is_working_day(effective)
    between = [day + dt.timedelta(days=n) for n in range(1, (effective - day).days + 1)]
    assert sum(is_working_day(x) for x in between) == 2
    assert (effective - day).days <= 2 + 7  # two working days are never more than a week away


@given(days)
def test_calendar_change_is_always_fifteen_days(day: dt.date) -> None:
    result = compute_notice(NoticeRequest(event="calendar_change", date=day))
    assert (result.effective_date - day).days == 15
    assert result.first_working_day >= result.effective_date
    assert is_working_day(result.first_working_day)


@given(days, st.sampled_from([("end_during_adaptation", 1), ("end", 2)]))
def test_month_notices_keep_the_day_number_or_the_month_end(
    day: dt.date, event_months: tuple[str, int]
) -> None:
    event, months = event_months
    effective = compute_notice(NoticeRequest(event=event, date=day)).effective_date  # type: ignore[arg-type]
    assert (effective.year * 12 + effective.month) - (day.year * 12 + day.month) == months
    month_end = calendar.monthrange(effective.year, effective.month)[1]
    assert effective.day == min(day.day, month_end)


@given(days, st.sampled_from(["authorisation", "adaptation", "medical_derogation"]))
def test_periods_end_the_day_before_the_same_date_or_at_a_month_end(
    day: dt.date, period: str
) -> None:
    result = compute_period(PeriodRequest(period=period, start=day))  # type: ignore[arg-type]
    after = result.last_day + dt.timedelta(days=1)
    months = (after.year * 12 + after.month) - (day.year * 12 + day.month)
    assert after.day == day.day or after.day == 1
    assert months in (result.max_months, result.max_months + 1)
    if result.last_day_if_renewed is not None:
        assert result.last_day_if_renewed > result.last_day


@given(
    st.floats(min_value=0.5, max_value=5),
    st.floats(min_value=0, max_value=200),
    st.sampled_from(["moyenne_nationale", "voiture_essence", "voiture_gazole", "velo_marche"]),
)
def test_impact_grows_with_days_and_distance(
    days_a_week: float, distance: float, mode: str
) -> None:
    fewer = simulate_impact(
        ImpactRequest(telework_days_per_week=days_a_week / 2, distance_km=distance, mode=mode)
    )  # type: ignore[arg-type]
    more = simulate_impact(
        ImpactRequest(telework_days_per_week=days_a_week, distance_km=distance, mode=mode)
    )  # type: ignore[arg-type]
    for name in ("km_avoided_per_year", "hours_saved_per_year", "fuel_litres_saved_per_year"):
        assert 0 <= getattr(fewer, name) <= getattr(more, name)
    assert more.co2_kg_avoided_per_year is not None and more.co2_kg_avoided_per_year >= 0
