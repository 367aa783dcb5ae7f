"""Quotas: the instruction's table row by row, its extension, décharges and medical cases."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from rules import QuotaRequest, compute_quota

if TYPE_CHECKING:
    from conftest import TableRow

pytestmark = pytest.mark.unit
SECTION_QUOTITE = "I – Le télétravail c'est quoi ? › 2 – La quotité de télétravail"


def quota(**fields: object):  # type: ignore[no-untyped-def]
    return compute_quota(QuotaRequest.model_validate(fields))


@pytest.mark.parametrize("row_index", range(5), ids=["50", "60", "70", "80", "90"])
def test_every_row_of_the_instruction_table(
    instruction_table: list[TableRow], row_index: int
) -> None:
    row = instruction_table[row_index]
    result = quota(quotite=row.quotite)
    assert Fraction(str(result.worked_days_per_week)) == row.worked
    assert Fraction(str(result.max_days_per_week)) == row.weekly
    assert Fraction(str(result.max_days_per_month)) == row.monthly
    assert result.in_instruction_table
    assert result.min_presence_days_per_week == 2


@pytest.mark.parametrize(
    ("quotite", "weekly", "monthly"),
    [(100, 3, 12), (90, 2.5, 10), (80, 2, 8), (70, 1.5, 6), (60, 1, 4), (50, 0.5, 2)],
)
def test_well_known_values(quotite: float, weekly: float, monthly: float) -> None:
    result = quota(quotite=quotite)
    assert (result.max_days_per_week, result.max_days_per_month) == (weekly, monthly)


def test_full_time_is_three_days_and_says_why() -> None:
    result = quota(quotite=100)
    assert result.regime == "temps_plein"
    assert result.quotite_effective == 100
    assert "au plus 3 jours par semaine" in result.explanation
    assert "12 jours par mois" in result.explanation
    excerpts = " ".join(s.excerpt for s in result.sources)
    assert "trois jours télétravaillés par semaine" in excerpts
    assert "deux jours par semaine" in excerpts


def test_sources_carry_title_date_and_section() -> None:
    result = quota(quotite=80)
    assert result.sources
    for source in result.sources:
        assert source.doc_id == "maa-instruction-2019-781"
        assert source.date == "2019-11-21"
        assert "télétravail" in source.title
        assert source.excerpt
    assert any(s.section == SECTION_QUOTITE for s in result.sources)


@pytest.mark.parametrize(
    ("quotite", "decharge", "expected"), [(100, 20, 80), (100, 50, 50), (80, 10, 70)]
)
def test_union_discharge_counts_as_part_time(
    quotite: float, decharge: float, expected: float
) -> None:
    with_discharge = quota(quotite=quotite, decharge=decharge)
    part_time = quota(quotite=expected)
    assert with_discharge.quotite_effective == expected
    assert with_discharge.max_days_per_week == part_time.max_days_per_week
    assert with_discharge.max_days_per_month == part_time.max_days_per_month
    assert "décharge syndicale partielle" in with_discharge.explanation
    assert any("décharges syndicales partielles" in s.excerpt for s in with_discharge.sources)


def test_full_time_with_20_percent_discharge_is_two_days() -> None:
    result = quota(quotite=100, decharge=20)
    assert (result.max_days_per_week, result.max_days_per_month) == (2, 8)
    assert result.regime == "temps_plein"


@pytest.mark.parametrize("quotite", [10, 25, 33.3, 40])
def test_no_day_left_at_or_below_forty_percent(quotite: float) -> None:
    result = quota(quotite=quotite)
    assert result.no_telework_left
    assert result.max_days_per_week == 0 and result.max_days_per_month == 0
    assert "aucun jour de télétravail" in result.explanation
    assert "dérogation pour raison médicale" in result.explanation


def test_just_above_forty_percent_leaves_a_little() -> None:
    result = quota(quotite=45)
    assert not result.no_telework_left
    assert (result.max_days_per_week, result.max_days_per_month) == (0.25, 1)


def test_quotite_outside_the_table_extends_the_rule() -> None:
    result = quota(quotite=75)
    assert not result.in_instruction_table
    assert (result.worked_days_per_week, result.max_days_per_week) == (3.75, 1.75)
    assert result.max_days_per_month == 7
    assert "la même règle est appliquée" in result.explanation
    assert "demi-journée" in result.explanation


def test_ceilings_are_never_rounded_up() -> None:
    result = quota(quotite=77.7)  # 3.885 days worked, 1.885 left: shown 1.88, never 1.89
    assert result.max_days_per_week == 1.88
    assert result.max_days_per_month == 7.54


def test_temps_incomplet_follows_the_part_time_rule() -> None:
    incomplete = quota(quotite=70, regime="temps_incomplet")
    assert (incomplete.max_days_per_week, incomplete.max_days_per_month) == (1.5, 6)
    assert "temps incomplet" in incomplete.explanation
    assert any("à temps incomplet" in s.excerpt for s in incomplete.sources)


def test_monthly_base_leads_with_the_month_and_regular_days() -> None:
    result = quota(quotite=80, base="mensuelle")
    text = result.explanation
    assert text.index("au plus 8 jours par mois") < text.index("soit 2 jours par semaine")
    assert "chaque lundi des semaines impaires" in result.explanation
    assert any("réguliers et fixes" in s.excerpt for s in result.sources)


def test_medical_derogation_says_everything_the_text_says() -> None:
    result = quota(quotite=80, medical=True)
    derogation = result.medical_derogation
    assert derogation is not None
    assert derogation.thresholds_may_be_exceeded
    assert derogation.max_months == 6 and derogation.renewals == 1
    assert derogation.non_teleworkable_activities_excluded
    assert derogation.days_worked_per_week == 4
    text = result.explanation
    for words in ("médecin de prévention", "6 mois au plus", "renouvelable une fois", "jamais"):
        assert words in text
    sections = {s.section for s in result.sources}
    assert "VI – Le cas particulier des dérogations pour raisons médicales" in sections
    # the ceilings stay those of the rule: the derogation is a decision, not a new ceiling
    assert result.max_days_per_week == 2


def test_no_medical_block_without_medical_need() -> None:
    assert quota(quotite=80).medical_derogation is None


@pytest.mark.parametrize(
    ("fields", "field_words"),
    [
        ({"quotite": 0}, "quotité"),
        ({"quotite": 150}, "quotité"),
        ({"quotite": -10}, "quotité"),
        ({"quotite": "abc"}, "quotité"),
        ({"quotite": "nan"}, "quotité"),
        ({"quotite": None}, "quotité"),
        ({"quotite": 100, "decharge": -5}, "décharge"),
        ({"quotite": 80, "decharge": 80}, "décharge"),
        ({"quotite": 100, "decharge": 120}, "décharge"),
        ({"quotite": 100, "base": "annuelle"}, "base"),
        ({"quotite": 80, "regime": "temps_plein"}, "temps plein"),
        ({"quotite": 100, "regime": "temps_partiel"}, "temps partiel"),
    ],
)
def test_bad_input_is_refused_in_french(fields: dict[str, object], field_words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        QuotaRequest.model_validate(fields)
    message = str(caught.value)
    assert field_words in message
    assert (
        "attendu" in message
        or "doit" in message
        or "correspond" in message
        or "acceptées" in message
    )


def test_messages_never_repeat_the_input() -> None:
    with pytest.raises(ValidationError) as caught:
        QuotaRequest.model_validate({"quotite": "Jean Dupont 12 rue X"})
    assert "Jean Dupont" not in str(caught.value.errors()[0]["msg"])


def test_decimal_comma_is_accepted() -> None:
    assert quota(quotite="87,5").worked_days_per_week == 4.37  # 4.375 rounded down
