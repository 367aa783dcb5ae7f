"""Eligibility checklist: verdicts, cited reasons and the documents to join."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from rules import EligibilityRequest, EligibilityResult, evaluate_eligibility

pytestmark = pytest.mark.unit

HOME_OK: dict[str, Any] = {
    "electrical_conformity": "attestation_sur_l_honneur",
    "smoke_detector": True,
    "internet_suitable": True,
    "home_insurance": True,
    "children_during_telework": False,
    "ergonomic_workspace": True,
}
ACTIVITIES = [
    "accueil_public",
    "presence_physique",
    "donnees_confidentielles",
    "dossiers_papier",
    "logiciels_restreints",
    "encadrement",
    "travail_collegial",
    "laboratoires_soins_animaux",
]


def evaluate(**fields: Any) -> EligibilityResult:
    answers = {"status": "fonctionnaire", "has_teleworkable_tasks": True, **HOME_OK, **fields}
    return evaluate_eligibility(EligibilityRequest.model_validate(answers))


def status_of(result: EligibilityResult, code: str) -> str:
    return next(c.status for c in result.criteria if c.code == code)


def documents(result: EligibilityResult) -> list[str]:
    return [doc.code for doc in result.documents]


def test_everything_met_at_home_is_eligible_with_three_documents() -> None:
    result = evaluate()
    assert result.verdict == "eligible"
    assert documents(result) == ["annexe_1", "annexe_2", "assurance_habitation"]
    assert "n'est pas de droit" in result.explanation
    assert all(c.sources for c in result.criteria)
    assert any("n'est pas de droit" in s.excerpt for s in result.sources)


@pytest.mark.parametrize(
    ("fields", "verdict", "status"),
    [
        ({"status": "contractuel", "contract_months": 12}, "not_eligible", "not_met"),
        ({"status": "contractuel", "contract_months": 6}, "not_eligible", "not_met"),
        ({"status": "contractuel", "contract_months": 13}, "eligible", "ok"),
        ({"status": "contractuel", "permanent_contract": True}, "eligible", "ok"),
        ({"status": "contractuel"}, "to_discuss", "to_discuss"),
        ({"status": "fonctionnaire"}, "eligible", "ok"),
    ],
)
def test_status_and_contract_length(fields: dict[str, Any], verdict: str, status: str) -> None:
    result = evaluate(**fields)
    assert result.verdict == verdict
    assert status_of(result, "status") == status
    criterion = next(c for c in result.criteria if c.code == "status")
    assert any("d'une durée supérieure à un an" in s.excerpt for s in criterion.sources)


def test_one_year_contract_explains_the_strict_reading() -> None:
    result = evaluate(status="contractuel", contract_months=12)
    assert "plus de 12 mois" in result.explanation


def test_no_teleworkable_task_is_not_eligible() -> None:
    result = evaluate(has_teleworkable_tasks=False)
    assert result.verdict == "not_eligible"
    assert status_of(result, "teleworkable_tasks") == "not_met"


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_each_excluded_activity_calls_for_an_exchange(activity: str) -> None:
    result = evaluate(non_teleworkable_activities=[activity])
    assert result.verdict == "to_discuss"
    criterion = next(c for c in result.criteria if c.code == f"activity:{activity}")
    assert criterion.status == "to_discuss"
    assert "regrouper" in criterion.message
    assert any("tout ou partie des tâches non éligibles" in s.excerpt for s in criterion.sources)


def test_managers_are_not_excluded_by_principle() -> None:
    result = evaluate(non_teleworkable_activities=["encadrement"])
    criterion = next(c for c in result.criteria if c.code == "activity:encadrement")
    assert "pas exclus par principe" in criterion.message
    assert any(
        "Il ne s'agit pas d'exclure par principe les encadrants" in s.excerpt
        for s in criterion.sources
    )


def test_medical_need_never_derogates_excluded_activities() -> None:
    result = evaluate(non_teleworkable_activities=["accueil_public"], medical=True)
    criterion = next(c for c in result.criteria if c.code == "activity:accueil_public")
    assert "même pour motif médical" in criterion.message
    assert "avis_medecin_prevention" in documents(result)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("smoke_detector", False, "smoke_detector"),
        ("internet_suitable", False, "internet"),
        ("home_insurance", False, "insurance"),
        ("children_during_telework", True, "no_children"),
        ("ergonomic_workspace", False, "ergonomics"),
        ("electrical_conformity", "non", "electrical_conformity"),
    ],
)
def test_each_home_requirement_can_block(field: str, value: object, code: str) -> None:
    result = evaluate(**{field: value})
    assert result.verdict == "not_eligible"
    assert status_of(result, code) == "not_met"
    assert next(c for c in result.criteria if c.code == code).sources


def test_children_to_look_after_is_cited() -> None:
    result = evaluate(children_during_telework=True)
    criterion = next(c for c in result.criteria if c.code == "no_children")
    assert any("présence d'enfants" in s.excerpt for s in criterion.sources)


def test_unanswered_home_questions_are_points_to_check() -> None:
    result = evaluate_eligibility(
        EligibilityRequest.model_validate(
            {"status": "fonctionnaire", "has_teleworkable_tasks": True}
        )
    )
    assert result.verdict == "to_discuss"
    unknown = {c.code for c in result.criteria if c.status == "to_discuss"}
    assert unknown == {
        "electrical_conformity",
        "smoke_detector",
        "internet",
        "insurance",
        "no_children",
        "ergonomics",
    }


def test_third_place_skips_home_requirements_and_documents() -> None:
    result = evaluate_eligibility(
        EligibilityRequest.model_validate(
            {"status": "fonctionnaire", "has_teleworkable_tasks": True, "place": "tiers_lieu"}
        )
    )
    assert result.verdict == "eligible"
    assert documents(result) == ["annexe_1"]
    assert status_of(result, "place") == "ok"


def test_chorus_at_home_needs_annex_five() -> None:
    result = evaluate(chorus=True)
    assert result.verdict == "eligible"
    assert "annexe_5" in documents(result)
    criterion = next(c for c in result.criteria if c.code == "chorus")
    assert "annexe 6" in criterion.message
    assert any(
        "uniquement à un travail effectué à son domicile" in s.excerpt for s in criterion.sources
    )


def test_chorus_away_from_home_is_to_discuss() -> None:
    result = evaluate(chorus=True, place="tiers_lieu")
    assert status_of(result, "chorus") == "to_discuss"
    assert result.verdict == "to_discuss"


def test_certificate_adds_the_professional_certificate() -> None:
    result = evaluate(electrical_conformity="certificat")
    assert "certificat_conformite" in documents(result)
    assert "certificat_conformite" not in documents(evaluate())


def test_blocking_wins_over_points_to_discuss() -> None:
    result = evaluate(non_teleworkable_activities=["encadrement"], smoke_detector=False)
    assert result.verdict == "not_eligible"
    assert result.explanation.index("Non rempli") < result.explanation.index("À examiner")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "intérimaire"},
        {"status": "fonctionnaire", "non_teleworkable_activities": ["jardinage"]},
        {"status": "fonctionnaire", "non_teleworkable_activities": "encadrement"},
        {"status": "contractuel", "contract_months": 0},
        {"status": "contractuel", "contract_months": 2.5},
        {"status": "contractuel", "contract_months": "abc"},
        {"status": "fonctionnaire", "place": "plage"},
        {"status": "fonctionnaire", "electrical_conformity": "peut-être"},
        {"status": "fonctionnaire", "nom": "Dupont"},
        {},
    ],
)
def test_bad_answers_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        EligibilityRequest.model_validate(fields)
    for error in caught.value.errors():
        assert "Dupont" not in error["msg"]
