"""``/referent``: unanswered questions, feedback, hand-off tickets and answers to publish.

The hand-off tickets (``storage.tickets``) are listed with their status; answers a référent
marked « à publier » in Tchap (``!publier``) are reviewed here: « Publier » writes them as a
source file (``<sources>/referent-<date>-<ticket>-<reply>.md``, titled « Réponse du référent
télétravail, <date> ») that the next index build (``make run``, ``teletravail index``) picks
up without code; « Écarter » drops the proposal.

Access needs the token of ``TELETRAVAIL_REFERENT_TOKEN``: sent once through the login form
(then kept as an HttpOnly, SameSite=Strict cookie holding an HMAC of the token, never the
token itself), or as ``Authorization: Bearer <jeton>`` for scripts. Changing the token ends
every session. Wrong tokens are throttled per client address (a moving window kept in the
process memory, by the ``limits`` library) so that the form cannot be used to guess the token.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import math
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.routes.web import PAGE_HEADERS, templates
from api.settings import WebSettings, get_web_settings
from storage import feedback as store
from storage import tickets

COOKIE = "referent_session"
COOKIE_MAX_AGE = 8 * 3600
MAX_LOGIN_BYTES = 4096
SHOWN_ROWS = 200
MAX_PUBLISHED_QUESTION_CHARS = 300
FAILED_LOGINS = parse("5/15 minutes")  # wrong tokens allowed per client address
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


def _login_page(request: Request, error: str | None = None, status_code: int = 401) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "referent_login.html",
        {"error": error},
        status_code=status_code,
        headers=PAGE_HEADERS,
    )


def _login_limiter(request: Request) -> MovingWindowRateLimiter:
    """One limiter per application, so that each app (and each test) starts afresh."""
    limiter = getattr(request.app.state, "referent_login_limiter", None)
    if limiter is None:
        limiter = MovingWindowRateLimiter(MemoryStorage())
        request.app.state.referent_login_limiter = limiter
    return limiter


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
        "tickets": await run_in_threadpool(tickets.list_tickets, SHOWN_ROWS),
        "proposed": await run_in_threadpool(tickets.publications),
        "published": _published_name(request.query_params.get("publiee", "")),
    }
    return templates.TemplateResponse(request, "referent.html", context, headers=PAGE_HEADERS)


def _published_name(value: str) -> str:
    """The file name just published, echoed in the page only if it has the expected form."""
    return value if re.fullmatch(r"referent-[\w-]{1,80}\.md", value) else ""


def _sources_dir() -> Path:
    """The sources folder of the knowledge base (``TELETRAVAIL_SOURCES_DIR``)."""
    from knowledge.config import KnowledgeSettings

    return KnowledgeSettings().sources_dir


def _publish(reply_id: int, publish: bool, question: str = "") -> str | None:
    """Record the decision; on « publier », write the source file. Returns its name.

    ``question`` is the question as the référent reworded it on the page (the agent's own
    words may hold personal details that must not become a source read by everyone).
    """
    entry = tickets.decide_publication(reply_id, publish)
    if entry is None or not publish:
        return None
    if question.strip():
        entry = replace(entry, question=question.strip()[:MAX_PUBLISHED_QUESTION_CHARS])
    doc_id, text = tickets.source_markdown(entry, datetime.now(UTC))
    path = _sources_dir() / f"{doc_id}.md"
    path.write_text(text, encoding="utf-8")
    return path.name


@router.post("/publications/{reply_id}", response_model=None)
async def decide(reply_id: int, request: Request, settings: Settings) -> Response:
    """Publish (as a cited source) or set aside an answer marked « à publier »."""
    if not is_referent(request, settings):
        return _login_page(request)
    body = await request.body()
    fields = parse_qs(body[:MAX_LOGIN_BYTES].decode("utf-8", errors="replace"))
    decision = (fields.get("decision") or [""])[0]
    if decision not in ("publier", "ecarter"):
        return Response("Décision inconnue.", status_code=422)
    question = (fields.get("question") or [""])[0]
    name = await run_in_threadpool(_publish, reply_id, decision == "publier", question)
    target = f"/referent?publiee={name}#a-publier" if name else "/referent#a-publier"
    return RedirectResponse(target, status_code=303)


@router.post("/connexion", response_model=None)
async def login(request: Request, settings: Settings) -> Response:
    """Check the token from the form and open a session; too many wrong tokens wait."""
    limiter = _login_limiter(request)
    client = request.client.host if request.client else "inconnu"
    if not limiter.test(FAILED_LOGINS, client):
        reset = limiter.get_window_stats(FAILED_LOGINS, client).reset_time
        minutes = max(1, math.ceil((reset - time.time()) / 60))
        message = (
            f"Trop de jetons incorrects depuis cette adresse : réessayez dans {minutes} minute"
            f"{'s' if minutes > 1 else ''}."
        )
        return _login_page(request, message, status_code=429)
    body = await request.body()
    fields = parse_qs(body[:MAX_LOGIN_BYTES].decode("utf-8", errors="replace"))
    given = (fields.get("jeton") or [""])[0].strip()
    token = settings.referent_token.get_secret_value()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        limiter.hit(FAILED_LOGINS, client)
        return _login_page(request, "Jeton d'accès incorrect.")
    limiter.clear(FAILED_LOGINS, client)
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
