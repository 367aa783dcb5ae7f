"""The start of the telework and its adaptation period, as an agent says them."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.adaptation_start import AdaptationStart, stated_start

pytestmark = pytest.mark.unit
TODAY = dt.date(2026, 12, 8)
D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "months"),
    [
        # Said in December without its year: last October, not next.
        ("ah mais g commence le 1er octobre avec 3 mois d'adaptation", D(2026, 10, 1), 3),
        ("jai débuté le 15/11 avec une période d'adaptation de deux mois", D(2026, 11, 15), 2),
        # With its year, the date is read as written.
        ("il a commencé le 1er septembre 2025 avec 3 mois d'adaptation", D(2025, 9, 1), 3),
    ],
)
def test_a_start_and_its_length_are_read(text: str, start: dt.date, months: int) -> None:
    assert stated_start(text, TODAY) == AdaptationStart(start, months)


@pytest.mark.parametrize(
    "text",
    [
        "g commencé le 1er octobre",  # no adaptation period said
        "avec 3 mois d'adaptation",  # no start
        "le 1er octobre avec 3 mois d'adaptation",  # a date, but not said to be the start
        "g commencé le 1er mars avec 6 mois d'adaptation",  # beyond the texts' three months
    ],
)
def test_nothing_is_computed_from_half_a_statement(text: str) -> None:
    assert stated_start(text, TODAY) is None


def test_the_period_covers_its_last_day_and_not_the_next() -> None:
    started = AdaptationStart(D(2026, 10, 1), 3)
    assert started.last_day == D(2026, 12, 31)
    assert started.covers(D(2026, 12, 31)) and not started.covers(D(2027, 1, 1))
    assert "délai de prévenance d'un mois" in started.standing(D(2026, 12, 8))
    assert "délai de prévenance de deux mois" in started.standing(D(2027, 1, 4))
