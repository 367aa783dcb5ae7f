"""Check a request against the rules engine: hard errors stop it, soft issues are warnings.

Hard (the API answers 422, the bot asks again): more telework days than the quotité allows
without the medical « oui » — the message names the maximum —, or more days than are worked
even with it. Soft (the draft is made, the agent is told): a start date that is not the first
of a month (the next first is proposed), a start date in the past, missions that do not add up
to 100 % or whose teleworkable share is smaller than the days asked, Chorus away from home, no
suitable internet connection, a workstation adaptation without a medical opinion.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction

from drafts.models import DraftRequest, day_weight
from rules import QuotaRequest, QuotaResult, compute_quota
from rules.formatting import fr_date, fr_days, fr_number
from rules.models import load_rules

# How many times a weekday comes in a month on a monthly pattern (the instruction's table
# counts a month as four weeks: rules/data/quota.yaml, weeks_per_month).
_ALTERNATE = re.compile(r"\b(paires?|impaires?|une semaine sur deux|1 semaine sur 2)\b")
_ONCE = re.compile(
    r"\b(premiers?|première|1er|1re|deuxième|2e|troisième|3e|quatrième|4e|dernier)\b"
)


class DraftRuleError(ValueError):
    """The request breaks a rule: ``field`` names the input, the message says the maximum."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Checked:
    """A request that passed the hard rules, with what the agent should know."""

    request: DraftRequest
    quota: QuotaResult
    days_per_week: float
    days_per_month: float
    warnings: list[str] = field(default_factory=list)
    proposed_start: dt.date | None = None


def next_first_of_month(day: dt.date) -> dt.date:
    """The first day of a month on or after ``day``."""
    if day.day == 1:
        return day
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def occurrences_per_month(pattern: str) -> int:
    """How many times each chosen weekday comes in a month for a monthly pattern."""
    text = pattern.casefold()
    if _ALTERNATE.search(text):
        return 2
    if _ONCE.search(text):
        return 1
    return int(load_rules().quota.weeks_per_month.value)


def check_quota(request: DraftRequest) -> tuple[QuotaResult, float, float]:
    """Compare the days asked with the ceilings of the quotité.

    Raises:
        DraftRuleError: over the ceiling without the medical « oui », or over the days worked.

    """
    return check_days(
        request.quotite, request.jours, request.base, request.motif_mensuel, request.medical
    )


def check_days(
    quotite: float, jours: list[str], base: str, motif_mensuel: str, medical: bool
) -> tuple[QuotaResult, float, float]:
    """:func:`check_quota` on the values alone (the conversation checks them as they come).

    Raises:
        DraftRuleError: over the ceiling without the medical « oui », or over the days worked.

    """
    request = _Days(quotite, jours, base, motif_mensuel, medical)
    quota = compute_quota(
        QuotaRequest.model_validate(
            {"quotite": request.quotite, "medical": request.medical, "base": request.base}
        )
    )
    weekly = sum(day_weight(day) for day in request.jours)
    monthly = weekly * (
        occurrences_per_month(request.motif_mensuel)
        if request.base == "mensuelle"
        else int(load_rules().quota.weeks_per_month.value)
    )
    at = f"à {fr_number(request.quotite)} %"
    if weekly > quota.worked_days_per_week:
        raise DraftRuleError(
            "jours",
            f"{fr_days(weekly)} demandés par semaine, mais {at} vous travaillez "
            f"{fr_days(quota.worked_days_per_week)} par semaine : c'est le maximum, même avec "
            "une dérogation médicale.",
        )
    if not request.medical:
        if request.base == "hebdomadaire" and weekly > quota.max_days_per_week:
            raise DraftRuleError(
                "jours",
                f"{fr_days(weekly)} de télétravail par semaine demandés ; {at}, le maximum est "
                f"de {fr_days(quota.max_days_per_week)} par semaine (présence sur site d'au moins "
                f"{fr_days(quota.min_presence_days_per_week)}), sauf dérogation pour raison "
                "médicale après avis du médecin de prévention.",
            )
        if request.base == "mensuelle" and monthly > quota.max_days_per_month:
            raise DraftRuleError(
                "jours",
                f"{fr_days(monthly)} de télétravail par mois demandés ; {at}, le maximum est de "
                f"{fr_days(quota.max_days_per_month)} par mois sur base mensuelle, sauf "
                "dérogation pour raison médicale après avis du médecin de prévention.",
            )
    return quota, weekly, monthly


@dataclass(frozen=True)
class _Days:
    quotite: float
    jours: list[str]
    base: str
    motif_mensuel: str
    medical: bool


def check_request(request: DraftRequest, today: dt.date | None = None) -> Checked:
    """Apply the hard rules (may raise :class:`DraftRuleError`), then gather the warnings."""
    today = today or dt.date.today()
    quota, weekly, monthly = check_quota(request)
    checked = Checked(request, quota, weekly, monthly)
    warnings = checked.warnings
    over = (
        monthly > quota.max_days_per_month
        if request.base == "mensuelle"
        else weekly > quota.max_days_per_week
    )
    if request.medical and over:
        months = load_rules().notice.periods["medical_derogation"].value.months
        warnings.append(
            f"Au-delà du plafond ({fr_days(quota.max_days_per_week)} par semaine à "
            f"{fr_number(request.quotite)} %) : dérogation pour raison médicale, accordée pour "
            f"{months} mois au plus ; joignez l'avis du médecin de prévention."
        )
    if request.date_debut.day != 1:
        checked.proposed_start = next_first_of_month(request.date_debut)
        warnings.append(
            "La date de début souhaitée se fixe au 1er jour du mois : le brouillon propose le "
            f"{fr_date(checked.proposed_start)}."
        )
    if request.date_debut < today:
        warnings.append("La date de début souhaitée est déjà passée : choisissez une date à venir.")
    _check_missions(checked)
    _check_context(checked)
    return checked


def teleworkable_share(request: DraftRequest) -> Fraction:
    """Share of the job that can be teleworked, in % (missions weighted by their weight)."""
    return sum(
        (
            Fraction(str(m.poids)) * Fraction(str(m.part_teletravaillable)) / 100
            for m in request.missions
        ),
        Fraction(0),
    )


def equivalent_days(request: DraftRequest, worked_days: float) -> Fraction:
    """Annex 1's « Soit en équivalents jours par semaine »: the share of the days worked."""
    return teleworkable_share(request) * Fraction(str(worked_days)) / 100


def _check_missions(checked: Checked) -> None:
    request = checked.request
    total = sum(Fraction(str(m.poids)) for m in request.missions)
    if total != 100:
        checked.warnings.append(
            f"Le poids des missions totalise {fr_number(total)} % au lieu de 100 %."
        )
    equivalent = equivalent_days(request, checked.quota.worked_days_per_week)
    if Fraction(str(checked.days_per_week)) > equivalent:
        checked.warnings.append(
            f"Vos missions sont télétravaillables à hauteur de {fr_days(equivalent)} par "
            f"semaine, moins que les {fr_days(checked.days_per_week)} demandés : précisez les "
            "tâches télétravaillables ou réduisez les jours."
        )


def _check_context(checked: Checked) -> None:
    request = checked.request
    eligibility = load_rules().eligibility
    if request.chorus and any("domicile" not in place.casefold() for place in request.lieux):
        checked.warnings.append(eligibility.chorus.home_only.note)
    if request.connexion_internet is False:
        checked.warnings.append(eligibility.home_conditions["internet"].if_not_met)
    if request.amenagement_poste and not request.medical:
        checked.warnings.append(
            "L'aménagement du poste de travail se demande quand le télétravail est préconisé "
            "par le médecin de prévention : cochez d'abord ce point."
        )
    if request.base == "mensuelle" and not request.motif_mensuel:
        checked.warnings.append(
            "Sur base mensuelle, précisez les semaines (par exemple « semaines impaires ») : "
            "les jours doivent rester réguliers et fixes."
        )
