"""How many telework days a week and a month an agent may have, and why.

The instruction gives one rule and a table: presence on site never under two days a week,
at most three telework days at full time, and a part-time table (50 % → 0.5 day … 90 % →
2.5 days). The table is that rule applied to the days worked (5 × quotité); the same rule is
applied here to every quotité, with exact fractions so that no rounding ever gives a day
more than the texts allow. The rule-book loader has already checked that this reproduces
every row of the table.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from knowledge.models import Source
from rules.formatting import fr_days, fr_number
from rules.inputs import check_choice, exact, parse_number
from rules.models import Fact, QuotaRules, cite, load_rules

Base = Literal["hebdomadaire", "mensuelle"]
Regime = Literal["temps_plein", "temps_partiel", "temps_incomplet"]
BASES = {"hebdomadaire": "plafond par semaine", "mensuelle": "plafond par mois, jours fixes"}
REGIMES = {
    "temps_plein": "temps complet, quotité 100 %",
    "temps_partiel": "temps partiel",
    "temps_incomplet": "temps incomplet",
}


class QuotaRequest(BaseModel):
    """What the agent tells about their working time (query of ``GET /api/quota``)."""

    quotite: float = Field(100, description="Quotité de travail en % (temps plein : 100).")
    decharge: float = Field(
        0, description="Décharge syndicale partielle, en points de quotité (0 si aucune)."
    )
    medical: bool = Field(False, description="Demande pour raison médicale (dérogation).")
    base: Base = Field("hebdomadaire", description="Base d'appréciation des jours.")
    regime: Regime | None = Field(
        None, description="Temps plein, partiel ou incomplet (déduit de la quotité si absent)."
    )

    @field_validator("quotite", mode="before")
    @classmethod
    def _quotite(cls, value: object) -> float:
        return parse_number(
            value,
            what="quotité de travail en %",
            minimum=0,
            min_inclusive=False,
            maximum=100,
            example="80 pour un temps partiel à 80 %, 100 pour un temps plein",
        )

    @field_validator("decharge", mode="before")
    @classmethod
    def _decharge(cls, value: object) -> float:
        return parse_number(
            value,
            what="décharge syndicale partielle en %",
            minimum=0,
            maximum=100,
            example="20 pour une décharge de 20 %",
        )

    @field_validator("base", mode="before")
    @classmethod
    def _base(cls, value: object) -> str:
        return check_choice(value, BASES, "base")

    @field_validator("regime", mode="before")
    @classmethod
    def _regime(cls, value: object) -> str | None:
        return None if value is None else check_choice(value, REGIMES, "régime de temps de travail")

    @model_validator(mode="after")
    def _coherent(self) -> QuotaRequest:
        if self.decharge >= self.quotite:
            raise ValueError(
                "la décharge syndicale partielle doit être inférieure à la quotité de travail "
                "(une décharge totale ne laisse aucun service à télétravailler)"
            )
        if self.regime == "temps_plein" and self.quotite != 100:
            raise ValueError("un temps plein correspond à une quotité de 100 %")
        if self.regime in ("temps_partiel", "temps_incomplet") and self.quotite == 100:
            raise ValueError(
                "un temps partiel ou incomplet correspond à une quotité inférieure à 100 %"
            )
        return self


class MedicalDerogation(BaseModel):
    """What a medical derogation can change, for how long, and what it never changes."""

    thresholds_may_be_exceeded: bool = True
    condition: str
    max_months: int
    renewals: int | None
    days_worked_per_week: float = Field(
        description="Jours travaillés par semaine : le télétravail ne peut pas aller au-delà."
    )
    non_teleworkable_activities_excluded: bool = True


class QuotaResult(BaseModel):
    """Telework ceilings for one situation (contract of ``GET /api/quota``, plus details)."""

    quotite: float
    decharge: float
    quotite_effective: float
    regime: Regime | None = Field(description="Régime déclaré ; temps plein déduit de 100 %.")
    base: Base
    worked_days_per_week: float
    max_days_per_week: float
    max_days_per_month: float
    min_presence_days_per_week: float
    no_telework_left: bool
    in_instruction_table: bool
    medical_derogation: MedicalDerogation | None
    explanation: str
    sources: list[Source]


def _floor_cents(value: Fraction) -> float:
    """Round down to two decimals: a ceiling must never be shown above itself."""
    return float(Fraction(int(value * 100), 100))


def compute_quota(request: QuotaRequest) -> QuotaResult:
    """Compute the telework ceilings for a quotité, a union discharge and a medical need."""
    rules = load_rules()
    quota = rules.quota
    effective = exact(request.quotite) - exact(request.decharge)
    worked = quota.worked_days(effective)
    weekly = quota.weekly_ceiling(worked)
    monthly = quota.monthly_ceiling(weekly)
    regime = request.regime or ("temps_plein" if request.quotite == 100 else None)
    table = {row.quotite for row in quota.part_time_table.value}
    in_table = effective in table or effective == 100
    medical = _medical(quota, worked) if request.medical else None

    facts: list[Fact] = [quota.min_presence_days_per_week, quota.full_time_max_days_per_week]
    if effective != 100:
        facts += [quota.part_time_table, quota.full_time_days_per_week]
    if request.decharge:
        facts.append(quota.union_discharge)
    if request.regime == "temps_incomplet":
        facts.append(quota.working_time_regimes)
    facts += [quota.weeks_per_month, quota.monthly_base, quota.presence_on_site]
    if medical is not None:
        derogation = quota.medical_derogation
        facts += [derogation.thresholds, rules.notice.periods["medical_derogation"]]
        facts += [derogation.new_authorisation, derogation.ineligible_activities]

    return QuotaResult(
        quotite=request.quotite,
        decharge=request.decharge,
        quotite_effective=float(effective),
        regime=regime,
        base=request.base,
        worked_days_per_week=_floor_cents(worked),
        max_days_per_week=_floor_cents(weekly),
        max_days_per_month=_floor_cents(monthly),
        min_presence_days_per_week=quota.min_presence_days_per_week.value,
        no_telework_left=_floor_cents(weekly) == 0,  # what is shown: « 0 jour » is none
        in_instruction_table=in_table,
        medical_derogation=medical,
        explanation=_explain(request, quota, effective, worked, weekly, monthly, in_table, medical),
        sources=cite(*facts),
    )


def _medical(quota: QuotaRules, worked: Fraction) -> MedicalDerogation:
    period = load_rules().notice.periods["medical_derogation"].value
    return MedicalDerogation(
        condition=quota.medical_derogation.thresholds.note,
        max_months=period.months,
        renewals=period.renewals,
        days_worked_per_week=_floor_cents(worked),
    )


def _explain(
    request: QuotaRequest,
    quota: QuotaRules,
    effective: Fraction,
    worked: Fraction,
    weekly: Fraction,
    monthly: Fraction,
    in_table: bool,
    medical: MedicalDerogation | None,
) -> str:
    presence = fr_days(quota.min_presence_days_per_week.value)
    parts: list[str] = []
    if request.decharge:
        parts.append(
            f"Votre décharge syndicale partielle se compte comme un temps partiel : "
            f"{fr_number(request.quotite)} % moins {fr_number(request.decharge)} % de décharge "
            f"donne une quotité retenue de {fr_number(effective)} %."
        )
    if request.regime == "temps_incomplet":
        parts.append(
            "Le temps incomplet suit la même règle que le temps partiel, à quotité égale "
            "(lecture retenue : l'instruction ouvre le télétravail au temps incomplet sans "
            "tableau propre)."
        )
    parts.append(
        f"À {fr_number(effective)} %, vous travaillez {fr_days(worked)} par semaine ; "
        f"la présence sur le lieu d'affectation ne peut être inférieure à {presence} par semaine "
        f"(réunions, formations et contrôles terrain comptent comme présence)."
    )
    if weekly == 0:
        parts.append(
            "Il ne reste donc aucun jour de télétravail possible"
            + (" hors dérogation pour raison médicale." if medical is None else ".")
        )
    else:
        week, month = fr_days(_floor_cents(weekly)), fr_days(_floor_cents(monthly))
        regular = "jours réguliers et fixes, par exemple « chaque lundi des semaines impaires »"
        parts.append(
            f"Sur base mensuelle, vous pouvez télétravailler au plus {month} par mois ({regular}), "
            f"soit {week} par semaine."
            if request.base == "mensuelle"
            else f"Vous pouvez télétravailler au plus {week} par semaine, soit {month} par mois "
            f"sur base mensuelle ({regular})."
        )
        if (weekly * 2).denominator != 1:
            parts.append(
                f"Le plafond de {week} par semaine ne tombe pas sur une demi-journée : la base "
                f"mensuelle ({month} par mois) permet de l'utiliser en jours entiers."
                if monthly.denominator == 1
                else "Ces plafonds ne tombent pas sur des demi-journées : les jours retenus "
                "restent en dessous."
            )
    if not in_table:
        rows = ", ".join(f"{row.quotite} %" for row in quota.part_time_table.value)
        parts.append(
            f"Le tableau de l'instruction ne donne que {rows} et le temps plein ; pour "
            f"{fr_number(effective)} %, la même règle est appliquée (jours travaillés moins "
            f"{presence} de présence, {fr_days(quota.full_time_max_days_per_week.value)} au plus)."
        )
    if medical is not None:
        renewals = "renouvelable une fois" if medical.renewals == 1 else "renouvelable"
        parts.append(
            f"Dérogation pour raison médicale. {medical.condition} Elle est accordée pour "
            f"{medical.max_months} mois au plus, {renewals} après avis du médecin de prévention, "
            f"dans la limite de vos {fr_days(medical.days_worked_per_week)} travaillés par "
            f"semaine. {quota.medical_derogation.ineligible_activities.note}"
        )
    parts.append(
        "Ce sont des plafonds : le télétravail n'est pas de droit et les jours sont fixés avec "
        "votre supérieur hiérarchique."
    )
    return " ".join(parts)
