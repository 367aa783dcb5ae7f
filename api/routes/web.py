"""The web chat page at ``/``, its scripts under ``/static`` and the DSFR under ``/dsfr``.

The Système de design de l'État comes from npm (``web/package.json``, installed by ``make
install`` into ``web/node_modules``) and is served from this application: no CDN, so the page
works on an intranet without Internet access. The chat page is static; everything dynamic
goes through ``/api/chat`` and ``/api/feedback``. Pages share one DSFR layout
(``web/templates/base.html``, Jinja2 with auto-escaping).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = ROOT / "web"
DSFR_DIST = WEB_DIR / "node_modules" / "@gouvfr" / "dsfr" / "dist"
# Scripts only from this site (no inline script: an injected tag cannot run); DSFR icons and
# fonts are files of the same site; framing refused.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
logger = logging.getLogger(__name__)
router = APIRouter(tags=["chat web"])


templates = Jinja2Templates(directory=WEB_DIR / "templates")


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """The chat page."""
    return templates.TemplateResponse(request, "chat.html", headers=PAGE_HEADERS)


def install_web(app: FastAPI) -> None:
    """Add the page route and mount the chat's own files and the DSFR distribution."""
    if not (DSFR_DIST / "dsfr.min.css").exists():
        logger.warning("DSFR absent de %s : lancez « make install » (npm ci dans web/)", DSFR_DIST)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.mount("/dsfr", StaticFiles(directory=DSFR_DIST, check_dir=False), name="dsfr")
