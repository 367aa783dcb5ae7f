"""French, body-free error responses: bad input is a 4xx with a clear message, never a 500.

Validation errors are rewritten in French and never echo the submitted values (they may hold
personal data); unexpected errors are logged server-side and answered with a generic message.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)
INTERNAL_ERROR_MESSAGE = (
    "Erreur interne du service. Réessayez plus tard ou contactez le référent télétravail."
)

_TYPE_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "int_parsing": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "bool_parsing": "une valeur oui/non (true/false) est attendue",
    "date_from_datetime_parsing": "une date au format AAAA-MM-JJ est attendue",
    "date_parsing": "une date au format AAAA-MM-JJ est attendue",
    "string_too_long": "texte trop long",
    "string_too_short": "texte trop court",
    "json_invalid": "le corps de la requête n'est pas un JSON valide",
    "model_attributes_type": "un objet JSON est attendu",
    "dict_type": "un objet JSON est attendu",
    "list_type": "une liste est attendue",
    "string_type": "un texte est attendu",
    "enum": "valeur non reconnue",
    "literal_error": "valeur non reconnue",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "greater_than": "valeur trop petite",
    "less_than": "valeur trop grande",
}


def _describe(error: dict[str, object]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]  # type: ignore[attr-defined]
    field = ".".join(location) or "requête"
    kind = str(error.get("type", ""))
    message = _TYPE_MESSAGES.get(kind)
    if message is None:
        # Our own validators raise ValueError with a French message: keep it, minus prefix.
        message = str(error.get("msg", "valeur invalide")).removeprefix("Value error, ")
    context = error.get("ctx")
    if kind in ("enum", "literal_error") and isinstance(context, dict) and "expected" in context:
        message += f" (valeurs acceptées : {context['expected']})"
    return f"« {field} » : {message}"


async def _validation_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = "; ".join(_describe(dict(error)) for error in exc.errors())
    return JSONResponse(status_code=422, content={"detail": f"Requête invalide : {details}."})


async def _http_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "Ressource introuvable.", 405: "Méthode non autorisée pour cette adresse."}
    detail = exc.detail
    if not isinstance(detail, str) or detail == HTTPStatus(exc.status_code).phrase:
        # Starlette's default English phrase: answer in French instead.
        detail = messages.get(exc.status_code, "Requête refusée.")
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": detail},
        headers=getattr(exc, "headers", None),
    )


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("Erreur interne sur %s %s", request.method, request.url.path)
    return JSONResponse(
        status_code=500,
        content={"detail": INTERNAL_ERROR_MESSAGE},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the French error handlers on an application."""
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
