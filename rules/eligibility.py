"""Can this agent ask for telework? A checklist against the instruction, each answer cited.

The result is a pre-check, not a decision: telework is never a right and the manager weighs
the activities, the agent's aptitude and the service. So the verdict has three values:
``not_eligible`` when a condition of the texts is not met (status, no teleworkable task, a
home requirement), ``to_discuss`` when the texts call for an exchange with the manager
(non-teleworkable activities, management duties) or an answer is missing, and ``eligible``
when every checked condition is met. Missing answers are never guessed: they are listed as
points to check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from knowledge.models import Source
from rules.inputs import StrictBody, check_choice, parse_number
from rules.models import (
    ActivityCode,
    EligibilityRules,
    Fact,
    HomeCondition,
    cite,
    load_rules,
    unique_sources,
)

Status = Literal["fonctionnaire", "contractuel"]
Place = Literal["domicile", "tiers_lieu"]
Electrical = Literal["certificat", "attestation_sur_l_honneur", "non"]
CriterionStatus = Literal["ok", "not_met", "to_discuss"]
Verdict = Literal["eligible", "not_eligible", "to_discuss"]

STATUSES = {"fonctionnaire": "titulaire ou stagiaire", "contractuel": "agent contractuel"}
PLACES = {
    "domicile": "au domicile",
    "tiers_lieu": "locaux d'une autre administration ou structure dédiée",
}
ELECTRICAL = {
    "certificat": "certificat d'un organisme professionnel type CONSUEL",
    "attestation_sur_l_honneur": "attestation sur l'honneur de l'annexe 2",
    "non": "installation non conforme ou non attestée",
}
VERDICTS = {
    "eligible": "Les conditions vérifiées sont remplies",
    "not_eligible": "Au moins une condition des textes n'est pas remplie",
    "to_discuss": "Aucune condition bloquante, mais des points sont à examiner avec votre "
    "supérieur hiérarchique",
}


class EligibilityRequest(StrictBody):
    """The agent's answers (body of ``POST /api/eligibility``); unanswered means unknown."""

    status: Status = Field(description="fonctionnaire ou contractuel.")
    contract_months: int | None = Field(None, description="Durée du contrat en mois (CDD).")
    permanent_contract: bool = Field(False, description="Contrat à durée indéterminée.")
    has_teleworkable_tasks: bool | None = Field(
        None, description="Des tâches télétravaillables en quantité suffisante."
    )
    non_teleworkable_activities: list[ActivityCode] = Field(
        default_factory=list, description="Activités non télétravaillables exercées."
    )
    place: Place = Field("domicile", description="Lieu du télétravail.")
    electrical_conformity: Electrical | None = None
    smoke_detector: bool | None = None
    internet_suitable: bool | None = None
    home_insurance: bool | None = None
    children_during_telework: bool | None = Field(
        None, description="Des enfants à garder pendant les heures de télétravail."
    )
    ergonomic_workspace: bool | None = None
    chorus: bool = Field(False, description="Utilisation de Chorus ou Chorus-formulaire.")
    medical: bool = Field(False, description="Demande pour raison médicale.")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> str:
        return check_choice(value, STATUSES, "statut")

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, value: object) -> str:
        return check_choice(value, PLACES, "lieu")

    @field_validator("electrical_conformity", mode="before")
    @classmethod
    def _electrical(cls, value: object) -> str | None:
        return None if value is None else check_choice(value, ELECTRICAL, "conformité électrique")

    @field_validator("contract_months", mode="before")
    @classmethod
    def _months(cls, value: object) -> int | None:
        if value is None:
            return None
        months = parse_number(
            value, what="durée du contrat en mois", minimum=1, maximum=600, example="18"
        )
        if months != int(months):
            raise ValueError("durée du contrat en mois : un nombre entier de mois est attendu")
        return int(months)

    @field_validator("non_teleworkable_activities", mode="before")
    @classmethod
    def _activities(cls, value: object) -> list[str]:
        if not isinstance(value, list | tuple):
            raise ValueError("activités non télétravaillables : une liste de codes est attendue")
        activities = load_rules().eligibility.non_teleworkable_activities
        codes = dict.fromkeys(activities, "")
        return list(dict.fromkeys(check_choice(v, codes, "activité") for v in value))


class Criterion(BaseModel):
    """One checked point, with what the texts say about it."""

    code: str
    status: CriterionStatus
    message: str
    sources: list[Source]


class RequiredDocumentOut(BaseModel):
    """A document to join to the request."""

    code: str
    label: str
    sources: list[Source]


class EligibilityResult(BaseModel):
    """Verdict, the reasons behind it and the documents to join."""

    verdict: Verdict
    criteria: list[Criterion]
    documents: list[RequiredDocumentOut]
    explanation: str
    sources: list[Source]


def _criterion(code: str, status: CriterionStatus, message: str, *facts: Fact) -> Criterion:
    return Criterion(code=code, status=status, message=message, sources=cite(*facts))


def _status(request: EligibilityRequest, rules: EligibilityRules) -> Criterion:
    rule = rules.status
    limit = rule.value.min_contract_months_exclusive
    if request.status == "fonctionnaire":
        message = "Fonctionnaire : vous pouvez prétendre au télétravail."
        return _criterion("status", "ok", message, rule)
    if request.permanent_contract:
        message = f"Contrat à durée indéterminée : plus de {limit} mois, condition remplie."
        return _criterion("status", "ok", message, rule)
    if request.contract_months is None:
        message = f"Contractuel : durée du contrat à préciser ; elle doit dépasser {limit} mois."
        return _criterion("status", "to_discuss", message, rule)
    if request.contract_months > limit:
        months = request.contract_months
        message = f"Contrat de {months} mois : plus de {limit} mois, condition remplie."
        return _criterion("status", "ok", message, rule)
    message = (
        f"Contrat de {request.contract_months} mois : le télétravail est ouvert aux contractuels "
        f"dont le contrat dure plus de {limit} mois. {rule.note}"
    )
    return _criterion("status", "not_met", message, rule)


def _tasks(request: EligibilityRequest, rules: EligibilityRules) -> list[Criterion]:
    fact = rules.teleworkable_tasks
    if request.has_teleworkable_tasks is False:
        message = "Sans tâches télétravaillables en quantité suffisante, pas de télétravail."
        found = [_criterion("teleworkable_tasks", "not_met", message, fact)]
    elif request.has_teleworkable_tasks is None:
        message = "Tâches télétravaillables en quantité suffisante : à vérifier."
        found = [_criterion("teleworkable_tasks", "to_discuss", message, fact)]
    else:
        message = "Vous avez des tâches télétravaillables en quantité suffisante."
        found = [_criterion("teleworkable_tasks", "ok", message, fact)]
    for code in request.non_teleworkable_activities:
        activity = rules.non_teleworkable_activities[code]
        message = (
            f"Activité non télétravaillable : {activity.label} ; elle reste sur site. "
            f"{rules.activity_grouping.note}"
        )
        if activity.nuance:
            message += f" {activity.nuance}"
        facts: list[Fact] = [activity, rules.activity_grouping]
        if request.medical:
            derogation = load_rules().quota.medical_derogation.ineligible_activities
            message += f" {derogation.note}"
            facts.append(derogation)
        found.append(_criterion(f"activity:{code}", "to_discuss", message, *facts))
    return found


_HOME_ANSWERS: dict[HomeCondition, Callable[[EligibilityRequest], bool | None]] = {
    "electrical_conformity": lambda r: (
        None if r.electrical_conformity is None else r.electrical_conformity != "non"
    ),
    "smoke_detector": lambda r: r.smoke_detector,
    "internet": lambda r: r.internet_suitable,
    "insurance": lambda r: r.home_insurance,
    "no_children": lambda r: (
        None if r.children_during_telework is None else not r.children_during_telework
    ),
    "ergonomics": lambda r: r.ergonomic_workspace,
}


def _home(request: EligibilityRequest, rules: EligibilityRules) -> list[Criterion]:
    if request.place != "domicile":
        message = (
            "Télétravail dans les locaux d'une autre administration ou d'une structure dédiée : "
            "les exigences propres au domicile ne s'appliquent pas ; le lieu figure dans l'acte "
            "individuel."
        )
        return [_criterion("place", "ok", message, rules.places)]
    found = []
    for code, condition in rules.home_conditions.items():
        answer = _HOME_ANSWERS[code](request)
        if answer is None:
            found.append(
                _criterion(code, "to_discuss", f"{condition.requirement} : à vérifier.", condition)
            )
        elif answer:
            found.append(_criterion(code, "ok", f"{condition.requirement} : oui.", condition))
        else:
            found.append(_criterion(code, "not_met", condition.if_not_met, condition))
    return found


def _extras(request: EligibilityRequest, rules: EligibilityRules) -> list[Criterion]:
    found = []
    if request.chorus:
        chorus = rules.chorus
        if request.place == "domicile":
            message = f"{chorus.form.note} {chorus.home_only.note}"
            found.append(_criterion("chorus", "ok", message, chorus.form, chorus.home_only))
        else:
            message = (
                f"{chorus.home_only.note} Choisissez le domicile comme lieu de télétravail, ou "
                "télétravaillez sans Chorus dans le tiers-lieu."
            )
            found.append(_criterion("chorus", "to_discuss", message, chorus.home_only))
    if request.medical:
        derogation = load_rules().quota.medical_derogation.thresholds
        message = f"{rules.medical.note} {derogation.note}"
        found.append(_criterion("medical", "ok", message, rules.medical, derogation))
    return found


def _documents(request: EligibilityRequest, rules: EligibilityRules) -> list[RequiredDocumentOut]:
    home = request.place == "domicile"
    needed = {
        "always": True,
        "home": home,
        "home_certificate": home and request.electrical_conformity == "certificat",
        "chorus": request.chorus,
        "medical": request.medical,
    }
    return [
        RequiredDocumentOut(code=doc.code, label=doc.label, sources=cite(doc))
        for doc in rules.documents
        if needed[doc.when]
    ]


def evaluate_eligibility(request: EligibilityRequest) -> EligibilityResult:
    """Check the agent's answers against the instruction's conditions, each one cited."""
    rules = load_rules().eligibility
    criteria = [
        _status(request, rules),
        *_tasks(request, rules),
        *_home(request, rules),
        *_extras(request, rules),
    ]
    statuses = {criterion.status for criterion in criteria}
    verdict: Verdict = "eligible"
    if "not_met" in statuses:
        verdict = "not_eligible"
    elif "to_discuss" in statuses:
        verdict = "to_discuss"
    documents = _documents(request, rules)
    parts = [f"{VERDICTS[verdict]}."]
    for status, title in (("not_met", "Non rempli"), ("to_discuss", "À examiner")):
        messages = [c.message for c in criteria if c.status == status]
        if messages:
            parts.append(f"{title} : " + " ".join(messages))
    parts.append(rules.discretion.note)
    parts.append("Pièces à joindre : " + " ; ".join(doc.label for doc in documents) + ".")
    all_sources = [s for c in criteria for s in c.sources] + [
        s for d in documents for s in d.sources
    ]
    return EligibilityResult(
        verdict=verdict,
        criteria=criteria,
        documents=documents,
        explanation=" ".join(parts),
        sources=unique_sources(cite(rules.discretion) + all_sources),
    )
