"""One table of the request's questions; the domain, the model and the form agree with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.draft_dialogue import summary
from actions.draft_fields import BY_NAME, FIELDS, HIDDEN, NAMES, field_named_in
from actions.draft_form import SKIPPED, SLOTS
from actions.draft_manager import NAMES as DECISION_NAMES
from actions.draft_manager import PREFIX as DECISION_PREFIX
from drafts.models import DraftRequest

pytestmark = pytest.mark.unit
DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain.yml"


def model_fields_required() -> dict[str, bool]:
    return {name: info.is_required() for name, info in DraftRequest.model_fields.items()}


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


def test_the_forms_required_slots_are_the_table(domain: dict[str, Any]) -> None:
    required = domain["forms"]["draft_form"]["required_slots"]
    assert required == [item.slot for item in FIELDS]


def test_every_slot_of_the_form_is_in_the_domain_and_filled_by_the_validator(
    domain: dict[str, Any],
) -> None:
    drafts = {name for name in domain["slots"] if name.startswith("draft_")}
    assert drafts == {*SLOTS, SKIPPED}
    for name in drafts:
        assert domain["slots"][name]["mappings"] == [{"type": "custom"}], name


def test_every_question_is_asked_in_the_domain(domain: dict[str, Any]) -> None:
    for item in FIELDS:
        if item.in_request:
            assert f"utter_ask_{item.slot}" in domain["responses"], item.name
        else:  # the summary and its confirmation
            assert f"action_ask_{item.slot}" in domain["actions"], item.name


def test_the_table_names_the_request_models_fields() -> None:
    model = set(DraftRequest.model_fields)
    asked = {item.name for item in FIELDS if item.in_request}
    assert asked | set(HIDDEN) <= model
    assert {name for name, required in model_fields_required().items() if required} <= asked


def test_optional_questions_are_not_required_by_the_model() -> None:
    required = model_fields_required()
    for item in FIELDS:
        if item.optional:
            assert not required[item.name], item.name


def test_the_decision_forms_required_slots_are_its_questions(domain: dict[str, Any]) -> None:
    required = domain["forms"]["decision_form"]["required_slots"]
    assert required == [f"{DECISION_PREFIX}{name}" for name in DECISION_NAMES]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("le prénom", "prenom"),
        ("le nom", "nom"),
        ("mon adresse électronique", "email"),
        ("l'adresse mail", "email"),
        ("l'adresse", "lieux"),
        ("l'intitulé du poste", "poste"),
        ("l'aménagement du poste", "amenagement_poste"),
        ("la date de début", "date_debut"),
        ("le temps de trajet : 50 minutes", "temps_trajet"),
        ("les jours : le lundi", "jours"),
        ("rien", None),
    ],
)
def test_a_correction_names_its_field(text: str, name: str | None) -> None:
    folded = text.replace("é", "e").replace("ô", "o")
    assert field_named_in(folded) == name


def test_every_field_has_a_hint_and_a_summary_line() -> None:
    today = dt.date(2030, 6, 1)
    for item in FIELDS:
        assert item.hint_for(today).startswith("Je n'ai pas"), item.name
    assert "« 1er juillet 2030 », « 01/07/2030 »" in BY_NAME["date_debut"].hint_for(today)
    lines = summary({"medical": True, "chorus": True}).splitlines()
    assert len(lines) == len(NAMES) - 1  # every question but the confirmation
    assert lines[0] == "- Nom : —"
