"""Telework rules engine: quotas, notice periods, eligibility and impact, as cited data.

Plain Python with no Rasa import, so that the API, the CLI, the Rasa actions and the Matrix
bot all call the same functions. Each ``compute`` function takes a validated request model
(whose validators give French messages) and returns a result with a French ``explanation``
and its ``sources``. Call :func:`load_rules` at start-up: it fails fast on bad rules data.
"""

from rules.eligibility import EligibilityRequest, EligibilityResult, evaluate_eligibility
from rules.impact import ImpactRequest, ImpactResult, simulate_impact
from rules.models import RulesDataError, load_rules
from rules.notice import (
    NoticeRequest,
    NoticeResult,
    PeriodRequest,
    PeriodResult,
    compute_notice,
    compute_period,
)
from rules.quota import QuotaRequest, QuotaResult, compute_quota

__all__ = [
    "EligibilityRequest",
    "EligibilityResult",
    "ImpactRequest",
    "ImpactResult",
    "NoticeRequest",
    "NoticeResult",
    "PeriodRequest",
    "PeriodResult",
    "QuotaRequest",
    "QuotaResult",
    "RulesDataError",
    "compute_notice",
    "compute_period",
    "compute_quota",
    "evaluate_eligibility",
    "load_rules",
    "simulate_impact",
]
