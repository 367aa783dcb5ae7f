"""Liveness probe for supervisors and load balancers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["santé"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer as soon as the process serves requests."""
    return {"status": "ok"}
