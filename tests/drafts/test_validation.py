"""The rules engine applied to a request: hard errors name the maximum, soft ones warn."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from drafts.models import DraftRequest
from drafts.validation import DraftRuleError, check_request, next_first_of_month
from tests.drafts.conftest import request_data

pytestmark = pytest.mark.unit
TODAY = dt.date(2030, 6, 15)


def check(**overrides: object) -> list[str]:
    return check_request(DraftRequest.model_validate(request_data(**overrides)), TODAY).warnings


def test_a_request_within_the_rules_has_no_warning() -> None:
    assert check() == []


@pytest.mark.parametrize(
    ("quotite", "jours", "maximum"),
    [
        (80, ["lundi", "mardi", "jeudi"], "2 jours par semaine"),
        (100, ["lundi", "mardi", "jeudi", "vendredi"], "3 jours par semaine"),
        (60, ["mardi", "jeudi"], "1 jour par semaine"),
    ],
)
def test_over_the_quota_without_medical_names_the_maximum(
    quotite: float, jours: list[str], maximum: str
) -> None:
    with pytest.raises(DraftRuleError) as error:
        check(quotite=quotite, jours=jours)
    assert error.value.field == "jours"
    assert maximum in str(error.value)
    assert "médecin de prévention" in str(error.value)


def test_medical_allows_more_days_with_a_warning() -> None:
    warnings = check(jours=["lundi", "mardi", "jeudi"], medical=True)
    assert any("dérogation pour raison médicale" in w and "6 mois" in w for w in warnings)


def test_never_more_days_than_worked_even_with_medical() -> None:
    with pytest.raises(DraftRuleError, match="4 jours par semaine"):
        check(jours=["lundi", "mardi", "mercredi", "jeudi", "vendredi"], medical=True)


def test_monthly_base_counts_the_pattern() -> None:
    # 80 %: 8 days a month; Monday and Tuesday of odd weeks = 4 days a month.
    assert (
        check(base="mensuelle", jours=["lundi", "mardi"], motif_mensuel="semaines impaires") == []
    )
    with pytest.raises(DraftRuleError, match="8 jours par mois"):
        check(base="mensuelle", jours=["lundi", "mardi", "jeudi"], motif_mensuel="chaque semaine")


def test_half_days_count_half() -> None:
    # 50 %: half a day a week.
    assert check(quotite=50, jours=["mardi après-midi"]) == []
    with pytest.raises(DraftRuleError, match="0,5 jour par semaine"):
        check(quotite=50, jours=["mardi"])


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (dt.date(2031, 3, 15), dt.date(2031, 4, 1)),
        (dt.date(2031, 12, 2), dt.date(2032, 1, 1)),
        (dt.date(2031, 5, 1), dt.date(2031, 5, 1)),
    ],
)
def test_next_first_of_month(day: dt.date, first: dt.date) -> None:
    assert next_first_of_month(day) == first


def test_start_not_on_the_first_proposes_the_next_first() -> None:
    checked = check_request(
        DraftRequest.model_validate(request_data(date_debut="2031-03-15")), TODAY
    )
    assert checked.proposed_start == dt.date(2031, 4, 1)
    assert any("1er avril 2031" in warning for warning in checked.warnings)


def test_soft_issues_are_warnings() -> None:
    warnings = check(
        missions=[{"intitule": "Instruction", "poids": 50, "part_teletravaillable": 100}],
        chorus=True,
        lieux=["Tiers-lieu de Montpellier"],
        connexion_internet=False,
        amenagement_poste=True,
        date_debut="2030-01-01",
    )
    text = " | ".join(warnings)
    assert "totalise 50 %" in text
    assert "domicile" in text  # Chorus only from home
    assert "connexion Internet" in text
    assert "aménagement du poste" in text
    assert "déjà passée" in text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nom": ""}, "nom"),
        ({"nom": "x" * 101}, "nom"),
        ({"motivations": "x" * 5001}, "motivations"),
        ({"missions": []}, "missions"),
        ({"jours": ["dimanche"]}, "jours"),
        ({"jours": ["mardi", "mardi"]}, "jours"),
        ({"quotite": 0}, "quotite"),
        ({"lieux": ["a", "b", "c", "d"]}, "lieux"),
        ({"inconnu": 1}, "inconnu"),
    ],
)
def test_bad_fields_are_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        DraftRequest.model_validate(request_data(**overrides))
    located = {str(part) for e in error.value.errors() for part in e["loc"]}
    assert field in located or field == "inconnu"


def test_control_characters_are_dropped_and_rtl_kept() -> None:
    request = DraftRequest.model_validate(
        request_data(nom="Le\x00fè\x1bvre\u202e", prenom="שָׁלוֹם مرحبا")
    )
    assert request.nom == "Lefèvre"
    assert request.prenom == "שָׁלוֹם مرحبا"
