"""Draft documents: ``POST /api/drafts`` and the draft's metadata, files, decision, deletion.

Routes stay thin: the request models of :mod:`drafts.models` validate (French 422s that
never echo the body), :mod:`drafts.service` checks the rules, writes the files and the rows.
A broken rule is a 422 whose ``detail`` names the field and the maximum. Ids are random
UUIDs; anything else, or an expired or deleted draft, is the same French 404. Files are
served with ``Cache-Control: no-store``: they hold personal data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel

from drafts.models import DecisionRequest, DraftRequest
from drafts.service import (
    DraftInfo,
    DraftNotFoundError,
    add_decision,
    create_draft,
    delete_draft,
    document_path,
    document_urls,
    get_draft,
)
from drafts.validation import DraftRuleError

router = APIRouter(prefix="/api/drafts", tags=["brouillons"])
NOT_FOUND = "Brouillon introuvable : identifiant inconnu, brouillon supprimé ou expiré."
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
DraftId = Annotated[str, Path(description="Identifiant du brouillon (UUID).", max_length=64)]
Urls = dict[str, dict[str, str]]


class DraftCreated(BaseModel):
    """``201`` of ``POST /api/drafts`` (contract of ARCHITECTURE.md)."""

    id: str
    warnings: list[str]
    documents: Urls


class DraftMetadata(BaseModel):
    """What ``GET /api/drafts/{id}`` tells: no personal data, only dates and documents."""

    id: str
    created_at: dt.datetime
    expires_at: dt.datetime
    warnings: list[str]
    documents: Urls


class DecisionCreated(BaseModel):
    """``201`` of ``POST /api/drafts/{id}/decision``."""

    id: str
    document: str
    warnings: list[str]
    documents: Urls


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


def _rule_error(error: DraftRuleError) -> HTTPException:
    return HTTPException(status_code=422, detail=f"« {error.field} » : {error}")


def _metadata(info: DraftInfo) -> DraftMetadata:
    return DraftMetadata(
        id=str(info.id),
        created_at=info.created_at,
        expires_at=info.expires_at,
        warnings=info.warnings,
        documents=document_urls(info.id, info.documents),
    )


@router.post("", status_code=201, response_model=DraftCreated)
async def post_draft(request: DraftRequest) -> DraftCreated:
    """Check a request against the rules and write annexes 1, 2 (and 5 with Chorus)."""
    try:
        info = await run_in_threadpool(create_draft, request)
    except DraftRuleError as error:
        raise _rule_error(error) from None
    return DraftCreated(
        id=str(info.id), warnings=info.warnings, documents=document_urls(info.id, info.documents)
    )


@router.get("/{draft_id}", response_model=DraftMetadata)
async def get_metadata(draft_id: DraftId) -> DraftMetadata:
    """Dates, warnings and document links of a draft."""
    try:
        return _metadata(await run_in_threadpool(get_draft, _uuid(draft_id)))
    except DraftNotFoundError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


@router.get("/{draft_id}/{filename}")
async def get_document(
    draft_id: DraftId, filename: Annotated[str, Path(max_length=64)]
) -> FileResponse:
    """Download one document, e.g. ``annexe-1.docx`` or ``annexe-4.pdf``."""
    name, _, fmt = filename.rpartition(".")
    try:
        path = await run_in_threadpool(document_path, _uuid(draft_id), name, fmt)
    except DraftNotFoundError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        filename=filename,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/{draft_id}/decision", status_code=201, response_model=DecisionCreated)
async def post_decision(draft_id: DraftId, decision: DecisionRequest) -> DecisionCreated:
    """For the manager: annex 4 (``accord``) or a motivated refusal (``refus``)."""
    try:
        info, name, warnings = await run_in_threadpool(add_decision, _uuid(draft_id), decision)
    except DraftNotFoundError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None
    except DraftRuleError as error:
        raise _rule_error(error) from None
    return DecisionCreated(
        id=str(info.id),
        document=name,
        warnings=warnings,
        documents=document_urls(info.id, [name]),
    )


@router.delete("/{draft_id}", status_code=204)
async def delete(draft_id: DraftId) -> Response:
    """Delete a draft and its files now (otherwise they expire after the retention)."""
    try:
        await run_in_threadpool(delete_draft, _uuid(draft_id))
    except DraftNotFoundError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None
    return Response(status_code=204)
