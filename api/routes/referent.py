"""``/referent``: the questions left unanswered and the agents' feedback, with CSV exports.

Access needs the token of ``TELETRAVAIL_REFERENT_TOKEN``: sent once through the login form
(then kept as an HttpOnly, SameSite=Strict cookie holding an HMAC of the token, never the
token itself), or as ``Authorization: Bearer <jeton>`` for scripts. Changing the token ends
every session.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.routes.web import PAGE_HEADERS, templates
from api.settings import WebSettings, get_web_settings
from storage import feedback as store

COOKIE = "referent_session"
COOKIE_MAX_AGE = 8 * 3600
MAX_LOGIN_BYTES = 4096
SHOWN_ROWS = 200
router = APIRouter(prefix="/referent", tags=["référents"], include_in_schema=False)
Settings = Annotated[WebSettings, Depends(get_web_settings)]


def _session_value(settings: WebSettings) -> str:
    token = settings.referent_token.get_secret_value().encode()
    return hmac.new(token, b"referent-session-v1", hashlib.sha256).hexdigest()


def is_referent(request: Request, settings: WebSettings) -> bool:
    """Whether the request carries the token (header) or a valid session cookie."""
    token = settings.referent_token.get_secret_value()
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and hmac.compare_digest(
        header[7:].strip().encode(), token.encode()
    ):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), _session_value(settings).encode())


def _login_page(request: Request, error: str | None = None) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "referent_login.html", {"error": error}, status_code=401, headers=PAGE_HEADERS
    )


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request, settings: Settings) -> HTMLResponse:
    """The gaps to fill: unanswered questions, feedback by source and by intent."""
    if not is_referent(request, settings):
        return _login_page(request)
    days = settings.feedback_retention_days
    unanswered = await run_in_threadpool(store.unanswered_questions, days, SHOWN_ROWS)
    rows = await run_in_threadpool(store.feedback_rows, days)
    context = {
        "retention_days": days,
        "unanswered": unanswered,
        "by_source": store.by_source(rows),
        "by_intent": store.by_intent(rows),
        "negative": [row for row in rows if row.rating == "down"][:SHOWN_ROWS],
        "labels": store.REASON_LABELS,
        "kinds": store.KIND_LABELS,
    }
    return templates.TemplateResponse(request, "referent.html", context, headers=PAGE_HEADERS)


@router.post("/connexion", response_model=None)
async def login(request: Request, settings: Settings) -> Response:
    """Check the token from the form and open a session."""
    body = await request.body()
    fields = parse_qs(body[:MAX_LOGIN_BYTES].decode("utf-8", errors="replace"))
    given = (fields.get("jeton") or [""])[0].strip()
    token = settings.referent_token.get_secret_value()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        return _login_page(request, "Jeton d'accès incorrect.")
    response = RedirectResponse("/referent", status_code=303)
    response.set_cookie(
        COOKIE,
        _session_value(settings),
        max_age=COOKIE_MAX_AGE,
        path="/referent",
        httponly=True,
        samesite="strict",
        secure=settings.env != "dev",
    )
    return response


@router.post("/deconnexion")
async def logout() -> RedirectResponse:
    """Close the session."""
    response = RedirectResponse("/referent", status_code=303)
    response.delete_cookie(COOKIE, path="/referent")
    return response


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (the texts come from agents)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: Iterable[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return Response(
        # The byte-order mark makes spreadsheets read the file as UTF-8.
        content="\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/export/questions-sans-reponse.csv", response_model=None)
async def export_unanswered(request: Request, settings: Settings) -> Response:
    """The unanswered questions as CSV (semicolon-separated, UTF-8)."""
    if not is_referent(request, settings):
        return _login_page(request)
    rows = await run_in_threadpool(store.unanswered_questions, settings.feedback_retention_days)
    return _csv(
        ["date", "motif", "intention", "question"],
        (
            [r.created_at.isoformat(timespec="seconds"), r.kind, r.intent or "", r.question]
            for r in rows
        ),
        "questions-sans-reponse.csv",
    )


@router.get("/export/avis.csv", response_model=None)
async def export_feedback(request: Request, settings: Settings) -> Response:
    """The feedback as CSV, one line per rating, its sources joined."""
    if not is_referent(request, settings):
        return _login_page(request)
    rows = await run_in_threadpool(store.feedback_rows, settings.feedback_retention_days)
    return _csv(
        ["date", "avis", "raison", "intention", "question", "reponse", "sources"],
        (
            [
                r.created_at.isoformat(timespec="seconds"),
                "utile" if r.rating == "up" else "pas utile",
                r.reason or "",
                r.intent or "",
                r.question,
                r.answer,
                " | ".join(f"{s.get('doc_id', '')} § {s.get('section', '')}" for s in r.sources),
            ]
            for r in rows
        ),
        "avis.csv",
    )
