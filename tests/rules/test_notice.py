"""Notice periods around French public holidays, month clamping, and maximum durations.

Expected dates are worked out by hand from a 2025–2027 calendar (weekday and holiday noted
in each case), not by calling the library the code uses.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from rules import NoticeRequest, PeriodRequest, compute_notice, compute_period
from rules.notice import is_working_day

pytestmark = pytest.mark.unit


def notice(event: str, day: str):  # type: ignore[no-untyped-def]
    return compute_notice(NoticeRequest.model_validate({"event": event, "date": day}))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


PONCTUAL = [
    # notified, expected, why
    ("2026-05-04", "2026-05-06", "lundi → mercredi, semaine sans férié"),
    ("2026-04-30", "2026-05-05", "jeudi ; vendredi 1er mai férié ; lundi 4, mardi 5"),
    ("2026-05-02", "2026-05-05", "samedi ; lundi 4, mardi 5"),
    ("2026-05-06", "2026-05-11", "mercredi ; jeudi 7 ; vendredi 8 mai férié ; lundi 11"),
    ("2026-05-07", "2026-05-12", "jeudi ; vendredi 8 mai férié ; lundi 11, mardi 12"),
    ("2026-05-12", "2026-05-15", "mardi ; mercredi 13 ; jeudi 14 Ascension ; vendredi 15"),
    ("2026-05-13", "2026-05-18", "mercredi ; jeudi 14 Ascension ; vendredi 15, lundi 18"),
    ("2026-05-22", "2026-05-27", "vendredi ; lundi 25 Pentecôte ; mardi 26, mercredi 27"),
    ("2026-04-03", "2026-04-08", "vendredi ; lundi 6 avril (Pâques) ; mardi 7, mercredi 8"),
    ("2026-07-13", "2026-07-16", "lundi ; mardi 14 juillet ; mercredi 15, jeudi 16"),
    ("2025-08-14", "2025-08-19", "jeudi ; vendredi 15 août ; lundi 18, mardi 19"),
    ("2027-10-29", "2027-11-03", "vendredi ; lundi 1er novembre ; mardi 2, mercredi 3"),
    ("2026-11-10", "2026-11-13", "mardi ; mercredi 11 novembre ; jeudi 12, vendredi 13"),
    ("2026-12-23", "2026-12-28", "mercredi ; jeudi 24 ; vendredi 25 Noël ; lundi 28"),
    ("2026-12-30", "2027-01-04", "mercredi ; jeudi 31 ; vendredi 1er janvier ; lundi 4"),
]


@pytest.mark.parametrize(("notified", "expected", "why"), PONCTUAL, ids=[c[2] for c in PONCTUAL])
def test_ponctual_change_counts_two_working_days(notified: str, expected: str, why: str) -> None:
    result = notice("ponctual_change", notified)
    assert result.effective_date == d(expected), why
    assert result.effective_is_working_day and result.first_working_day == d(expected)
    assert result.delay.amount == 2 and result.delay.unit == "working_days"


def test_ponctual_change_names_the_skipped_holidays() -> None:
    result = notice("ponctual_change", "2026-05-06")
    assert "vendredi 8 mai 2026" in result.explanation
    assert "lundi 11 mai 2026" in result.explanation
    assert any("jours ouvrés" in s.excerpt for s in result.sources)
    assert any("48 h" in s.excerpt for s in result.sources)


@pytest.mark.parametrize(
    ("notified", "expected"),
    [
        ("2026-05-06", "2026-05-21"),
        ("2026-04-30", "2026-05-15"),  # holidays do not matter: calendar days
        ("2026-12-17", "2027-01-01"),
        ("2024-02-20", "2024-03-06"),  # leap February
    ],
)
def test_calendar_change_is_fifteen_calendar_days(notified: str, expected: str) -> None:
    result = notice("calendar_change", notified)
    assert result.effective_date == d(expected)
    assert any("quinze jours" in s.excerpt for s in result.sources)


def test_calendar_change_landing_on_new_year_points_to_next_working_day() -> None:
    result = notice("calendar_change", "2026-12-17")
    assert not result.effective_is_working_day
    assert result.first_working_day == d("2027-01-04")
    assert "lundi 4 janvier 2027" in result.explanation


@pytest.mark.parametrize(
    ("notified", "expected"),
    [
        ("2026-01-15", "2026-02-15"),
        ("2026-01-31", "2026-02-28"),  # clamped to the month's end
        ("2024-01-31", "2024-02-29"),  # leap year
        ("2026-03-31", "2026-04-30"),
        ("2026-12-15", "2027-01-15"),
    ],
)
def test_end_during_adaptation_is_one_calendar_month(notified: str, expected: str) -> None:
    result = notice("end_during_adaptation", notified)
    assert result.effective_date == d(expected)
    assert any("délai de prévenance d'un mois" in s.excerpt for s in result.sources)


@pytest.mark.parametrize(
    ("notified", "expected"),
    [
        ("2026-05-06", "2026-07-06"),
        ("2026-12-31", "2027-02-28"),
        ("2027-12-31", "2028-02-29"),
        ("2026-10-31", "2026-12-31"),
        ("2026-06-30", "2026-08-30"),
    ],
)
def test_end_is_two_calendar_months(notified: str, expected: str) -> None:
    result = notice("end", notified)
    assert result.effective_date == d(expected)
    assert any("deux mois" in s.excerpt for s in result.sources)


def test_end_explains_immediate_end_and_change_of_post() -> None:
    result = notice("end", "2026-05-06")
    assert "cessation immédiate" in result.explanation
    assert "changement de poste" in result.explanation.lower()
    excerpts = " ".join(s.excerpt for s in result.sources)
    assert "Un changement de poste entraîne automatiquement la cessation du télétravail" in excerpts


def test_notice_result_uses_the_contract_field_names() -> None:
    payload = notice("end", "2026-05-06").model_dump(mode="json", by_alias=True)
    assert {"event", "from", "effective_date", "explanation", "sources"} <= set(payload)
    assert payload["from"] == "2026-05-06"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-05-01", False),  # Fête du Travail
        ("2026-05-08", False),  # Victoire 1945
        ("2026-05-14", False),  # Ascension
        ("2026-05-25", False),  # Lundi de Pentecôte
        ("2026-07-14", False),
        ("2025-08-15", False),
        ("2026-11-11", False),
        ("2026-12-25", False),
        ("2027-01-01", False),
        ("2026-12-26", False),  # a Saturday
        ("2026-04-03", True),  # Good Friday: a holiday in Alsace-Moselle only
        ("2026-12-24", True),
        ("2026-05-15", True),
    ],
)
def test_working_days_are_metropolitan(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


@pytest.mark.parametrize(
    ("period", "start", "last", "renewed"),
    [
        ("authorisation", "2026-01-01", "2026-12-31", None),
        ("authorisation", "2026-03-01", "2027-02-28", None),
        ("adaptation", "2026-01-15", "2026-04-14", None),
        ("adaptation", "2026-01-31", "2026-04-30", None),
        ("medical_derogation", "2026-01-01", "2026-06-30", "2026-12-31"),
        ("medical_derogation", "2025-08-31", "2026-02-28", "2026-08-30"),
    ],
)
def test_maximum_durations(period: str, start: str, last: str, renewed: str | None) -> None:
    result = compute_period(PeriodRequest.model_validate({"period": period, "start": start}))
    assert result.last_day == d(last)
    assert result.last_day_if_renewed == (d(renewed) if renewed else None)
    assert result.sources


def test_authorisation_renewal_must_be_express() -> None:
    result = compute_period(
        PeriodRequest.model_validate({"period": "authorisation", "start": "2026-01-01"})
    )
    assert result.max_months == 12
    assert "exprès" in result.explanation
    assert any("d'un an maximum" in s.excerpt for s in result.sources)


@pytest.mark.parametrize(
    "fields",
    [
        {"event": "resignation", "date": "2026-05-04"},
        {"event": "", "date": "2026-05-04"},
        {"event": "end", "date": "2026-02-30"},
        {"event": "end", "date": "04/05/2026"},
        {"event": "end", "date": "demain"},
        {"event": "end", "date": "1789-07-14"},
        {"event": "end"},
    ],
)
def test_bad_notice_input_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        NoticeRequest.model_validate(fields)


def test_unknown_event_lists_accepted_values_in_french() -> None:
    with pytest.raises(ValidationError) as caught:
        NoticeRequest.model_validate({"event": "resignation", "date": "2026-05-04"})
    message = caught.value.errors()[0]["msg"]
    assert "valeurs acceptées" in message
    for event in ("ponctual_change", "calendar_change", "end_during_adaptation", "end"):
        assert event in message
    assert "resignation" not in message


def test_impossible_date_says_what_is_accepted() -> None:
    with pytest.raises(ValidationError) as caught:
        NoticeRequest.model_validate({"event": "end", "date": "2026-02-30"})
    message = caught.value.errors()[0]["msg"]
    assert "AAAA-MM-JJ" in message and "2026-02-30" not in message
