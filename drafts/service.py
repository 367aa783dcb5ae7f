"""Make, store, find, decide on and delete drafts: what the API, the bot and the CLI call.

A draft is written files first, row second: every document is rendered to DOCX and PDF
with an atomic rename (:mod:`drafts.files`), and only when all are on disk is the row
committed; if anything fails, the draft's folder is removed, so the database never points at
a missing or half-written file. A decision follows the same order: its new files are written
(the previous decision's set aside), then its row; if the row fails, the new files are removed
and the previous ones put back. Files live in ``<drafts_dir>/<uuid>/<name>.<docx|pdf>``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, select

from drafts.config import DraftSettings, get_draft_settings
from drafts.decision import MANAGER_FORMS, decide
from drafts.docx_render import render_docx
from drafts.files import TEMP_SUFFIX, write_atomically
from drafts.forms import AGENT_FORMS, agent_forms
from drafts.layout import Form
from drafts.models import DecisionRequest, DraftRequest
from drafts.pdf_render import render_pdf
from drafts.store import DocumentRow, DraftRow, utcnow
from drafts.validation import check_request
from storage import session_scope

logger = logging.getLogger(__name__)
Format = Literal["docx", "pdf"]
RENDERERS: dict[str, Callable[[Form, Path], None]] = {"docx": render_docx, "pdf": render_pdf}
DOCUMENT_TITLES = {**AGENT_FORMS, **MANAGER_FORMS}


class DraftNotFoundError(LookupError):
    """No draft with this id (never made, deleted or expired)."""


@dataclass(frozen=True)
class DraftInfo:
    """A stored draft as the API describes it."""

    id: uuid.UUID
    created_at: dt.datetime
    expires_at: dt.datetime
    warnings: list[str]
    documents: list[str]
    request: DraftRequest


def document_urls(draft_id: uuid.UUID, names: list[str]) -> dict[str, dict[str, str]]:
    """``{"annexe-1": {"docx": url, "pdf": url}}``: the ``documents`` of the API contract."""
    return {
        name: {fmt: f"/api/drafts/{draft_id}/{name}.{fmt}" for fmt in RENDERERS} for name in names
    }


def _folder(draft_id: uuid.UUID, settings: DraftSettings) -> Path:
    return settings.drafts_dir / str(draft_id)


def _write(forms: list[Form], folder: Path) -> None:
    for form in forms:
        for fmt, render in RENDERERS.items():
            write_atomically(folder / f"{form.name}.{fmt}", partial(render, form))


def _info(row: DraftRow) -> DraftInfo:
    warnings = list(row.warnings) + [w for doc in row.documents for w in doc.warnings]
    return DraftInfo(
        id=row.id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        warnings=warnings,
        documents=[doc.name for doc in row.documents],
        request=DraftRequest.model_validate(row.request),
    )


def create_draft(
    request: DraftRequest,
    *,
    settings: DraftSettings | None = None,
    url: str | None = None,
    today: dt.date | None = None,
) -> DraftInfo:
    """Check the request, write annexes 1, 2 (and 5), store the draft.

    Raises:
        DraftRuleError: the request breaks a rule (over the quota without the medical « oui »).

    """
    settings = settings or get_draft_settings()
    checked = check_request(request, today=today)
    forms = agent_forms(checked)
    draft_id = uuid.uuid4()
    folder = _folder(draft_id, settings)
    now = utcnow()
    try:
        _write(forms, folder)
        with session_scope(url) as session:
            row = DraftRow(
                id=draft_id,
                created_at=now,
                expires_at=now + dt.timedelta(days=settings.drafts_retention_days),
                request=request.model_dump(mode="json"),
                warnings=checked.warnings,
                documents=[DocumentRow(name=form.name, created_at=now) for form in forms],
            )
            session.add(row)
            session.flush()
            info = _info(row)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    logger.info("Brouillon créé (%d documents)", len(forms))
    return info


def get_draft(draft_id: uuid.UUID, *, url: str | None = None) -> DraftInfo:
    """The stored draft, unless it has expired.

    Raises:
        DraftNotFoundError: unknown, deleted or expired id.

    """
    with session_scope(url) as session:
        row = session.get(DraftRow, draft_id)
        if row is None or _aware(row.expires_at) <= utcnow():
            raise DraftNotFoundError(str(draft_id))
        return _info(row)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes: they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def add_decision(
    draft_id: uuid.UUID,
    decision: DecisionRequest,
    *,
    settings: DraftSettings | None = None,
    url: str | None = None,
) -> tuple[DraftInfo, str, list[str]]:
    """Write annex 4 or the refusal from a stored request; returns the draft, name, warnings.

    A new decision replaces the previous one of the same kind (the files are replaced
    atomically).

    Raises:
        DraftNotFoundError: unknown, deleted or expired id.
        DraftRuleError: the decision breaks a rule (dates, adaptation, quota, no motives).

    """
    settings = settings or get_draft_settings()
    draft = get_draft(draft_id, url=url)
    decided = decide(draft.request, decision, draft.created_at.date())
    folder = _folder(draft_id, settings)
    # Files first, row second, as for a new draft: the previous decision's files are set
    # aside, not overwritten, so that a failure before the row commits can put them back
    # and the row never describes other files than those on disk.
    previous = _set_aside(folder, decided.form.name)
    try:
        _write([decided.form], folder)
        with session_scope(url) as session:
            row = session.get(DraftRow, draft_id)
            if row is None:
                raise DraftNotFoundError(str(draft_id))
            for document in list(row.documents):
                if document.name == decided.form.name:
                    row.documents.remove(document)
            session.flush()
            row.documents.append(
                DocumentRow(
                    name=decided.form.name,
                    inputs=decision.model_dump(mode="json"),
                    warnings=decided.warnings,
                )
            )
            session.flush()
            info = _info(row)
    except BaseException:
        _put_back(folder, decided.form.name, previous)
        raise
    for kept in previous.values():
        kept.unlink(missing_ok=True)
    return info, decided.form.name, decided.warnings


def _set_aside(folder: Path, name: str) -> dict[Path, Path]:
    """Rename the existing files of document ``name`` to hidden temporary names.

    Returns each target with where it was put. The temporary names end in
    :data:`~drafts.files.TEMP_SUFFIX`: if the process dies before they are put back or
    removed, the purge deletes them (the row then points at a missing file, which is served
    as « not found », never as another decision's document).
    """
    moved: dict[Path, Path] = {}
    for fmt in RENDERERS:
        target = folder / f"{name}.{fmt}"
        if target.is_file():
            aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.previous{TEMP_SUFFIX}")
            target.rename(aside)
            moved[target] = aside
    return moved


def _put_back(folder: Path, name: str, previous: dict[Path, Path]) -> None:
    """Undo a decision that could not be stored: remove its new files, restore the old ones."""
    for fmt in RENDERERS:
        (folder / f"{name}.{fmt}").unlink(missing_ok=True)
    for target, aside in previous.items():
        aside.replace(target)


def document_path(
    draft_id: uuid.UUID,
    name: str,
    fmt: str,
    *,
    settings: DraftSettings | None = None,
    url: str | None = None,
) -> Path:
    """The file of one document of a live draft.

    Raises:
        DraftNotFoundError: unknown id, unknown document or format, missing file.

    """
    settings = settings or get_draft_settings()
    draft = get_draft(draft_id, url=url)
    path = _folder(draft_id, settings) / f"{name}.{fmt}"
    if name not in draft.documents or fmt not in RENDERERS or not path.is_file():
        raise DraftNotFoundError(f"{draft_id}/{name}.{fmt}")
    return path


def delete_draft(
    draft_id: uuid.UUID, *, settings: DraftSettings | None = None, url: str | None = None
) -> None:
    """Delete a draft, its rows and its files (the agent's right to withdraw it).

    Raises:
        DraftNotFoundError: unknown id.

    """
    settings = settings or get_draft_settings()
    with session_scope(url) as session:
        row = session.get(DraftRow, draft_id)
        if row is None:
            raise DraftNotFoundError(str(draft_id))
        session.delete(row)
    shutil.rmtree(_folder(draft_id, settings), ignore_errors=True)


def purge_expired(
    *,
    settings: DraftSettings | None = None,
    url: str | None = None,
    now: dt.datetime | None = None,
) -> Iterator[uuid.UUID]:
    """Delete every expired draft, yielding each id as it goes (for progress output).

    Also removes folders that no row points to once they are older than the retention
    (left by a crash between the files and the row) and leftover temporary files.
    """
    settings = settings or get_draft_settings()
    now = now or utcnow()
    with session_scope(url) as session:
        expired = list(session.scalars(select(DraftRow.id).where(DraftRow.expires_at <= now)))
    for draft_id in expired:
        with session_scope(url) as session:
            session.execute(delete(DraftRow).where(DraftRow.id == draft_id))
        shutil.rmtree(_folder(draft_id, settings), ignore_errors=True)
        yield draft_id
    yield from _orphans(settings, url, now)


def _orphans(settings: DraftSettings, url: str | None, now: dt.datetime) -> Iterator[uuid.UUID]:
    if not settings.drafts_dir.is_dir():
        return
    cutoff = (now - dt.timedelta(days=settings.drafts_retention_days)).timestamp()
    with session_scope(url) as session:
        known = set(session.scalars(select(DraftRow.id)))
    for folder in settings.drafts_dir.iterdir():
        try:
            draft_id = uuid.UUID(folder.name)
        except ValueError:
            continue
        for temporary in folder.glob(f".*{TEMP_SUFFIX}"):
            temporary.unlink(missing_ok=True)
        if draft_id not in known and folder.stat().st_mtime <= cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            yield draft_id
