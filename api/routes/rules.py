"""Rules endpoints: quotas, notice periods, durations, eligibility and impact.

Thin on purpose: each route validates its input with the request model of ``rules`` (whose
validators write the French messages the 422 handler shows) and calls the same function as
the CLI and the bot. The rules data is loaded when this module is imported, so a broken
rules file stops the application at start-up rather than on an agent's first question.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from rules import (
    EligibilityRequest,
    EligibilityResult,
    ImpactRequest,
    ImpactResult,
    NoticeRequest,
    NoticeResult,
    PeriodRequest,
    PeriodResult,
    QuotaRequest,
    QuotaResult,
    compute_notice,
    compute_period,
    compute_quota,
    evaluate_eligibility,
    load_rules,
    simulate_impact,
)

load_rules()
router = APIRouter(prefix="/api", tags=["règles"])


@router.get("/quota", response_model=QuotaResult)
def quota(query: Annotated[QuotaRequest, Query()]) -> QuotaResult:
    """Give the telework ceilings for a quotité (and a décharge, a medical need)."""
    return compute_quota(query)


@router.get("/notice", response_model=NoticeResult)
def notice(query: Annotated[NoticeRequest, Query()]) -> NoticeResult:
    """Give the earliest date a change notified on ``date`` takes effect."""
    return compute_notice(query)


@router.get("/period", response_model=PeriodResult)
def period(query: Annotated[PeriodRequest, Query()]) -> PeriodResult:
    """Give the last day an authorisation, adaptation period or medical derogation covers."""
    return compute_period(query)


@router.post("/eligibility", response_model=EligibilityResult)
def eligibility(answers: EligibilityRequest) -> EligibilityResult:
    """Check an agent's answers against the eligibility conditions, each one cited."""
    return evaluate_eligibility(answers)


@router.post("/impact", response_model=ImpactResult)
def impact(request: ImpactRequest) -> ImpactResult:
    """Estimate the commuting hours, km, fuel and CO2 a telework rhythm saves in a year."""
    return simulate_impact(request)
