"""Rasa's messages as one Matrix message, and the French notices of the bot.

Matrix clients show ``formatted_body`` when present and ``body`` otherwise (notifications,
old clients, screen readers in some setups), so both carry the whole answer. The HTML is
built from escaped text only — nothing from Rasa or from an agent reaches it unescaped — and
uses just line breaks and paragraphs, which every client (Tchap's Element included) renders.

Tchap has no buttons: Rasa's buttons become numbered choices « 1. titre ». The assistant
already accepts « 1 », a letter or the title as the answer to its last buttons, so the bot
only forwards what the agent types.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge.payload import BotPayload

HTML_FORMAT = "org.matrix.custom.html"

REFUSAL_FOREIGN_DOMAIN = (
    "Bonjour, je suis l'assistant télétravail. Je suis réservé aux agents des services "
    "qui m'ont ouvert l'accès, et votre compte n'en fait pas partie : je ne peux donc pas "
    "répondre ici. Votre référent télétravail ou votre service RH peut vous renseigner."
)
REFUSAL_GROUP = (
    "Bonjour, je suis l'assistant télétravail. Je ne réponds qu'en conversation privée, "
    "pour que vos questions et votre situation restent entre nous : écrivez-moi "
    "directement (nouvelle conversation avec moi). Je quitte ce salon."
)
UNDECRYPTABLE = (
    "Je n'ai pas pu déchiffrer votre message. Pouvez-vous l'envoyer à nouveau ? "
    "Si cela se reproduit, vérifiez que votre session Tchap est bien vérifiée."
)
ASSISTANT_UNAVAILABLE = (
    "L'assistant télétravail est momentanément indisponible. "
    "Réessayez dans quelques minutes, votre message n'a pas été pris en compte."
)
NO_ANSWER = "Je n'ai pas de réponse à ce message. Reformulez votre question, ou tapez « aide »."


@dataclass(frozen=True)
class MatrixText:
    """The content of one ``m.room.message``: plain body and sanitised HTML."""

    body: str
    formatted_body: str
    msgtype: str = "m.text"

    def content(self) -> dict[str, Any]:
        """The event content to send."""
        return {
            "msgtype": self.msgtype,
            "body": self.body,
            "format": HTML_FORMAT,
            "formatted_body": self.formatted_body,
        }


def _html_paragraph(text: str) -> str:
    """Escape ``text`` and keep its line breaks."""
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _button_lines(buttons: Iterable[dict[str, Any]]) -> list[str]:
    """Numbered choices, « 1. titre », in Rasa's order."""
    lines = []
    for number, button in enumerate(buttons, start=1):
        title = str(button.get("title") or button.get("payload") or "").strip()
        if title:
            lines.append(f"{number}. {title}")
    return lines


def _document_lines(payload: BotPayload) -> list[str]:
    """Download links of drafted documents (``custom.documents``: name → format → URL)."""
    lines = []
    for name, formats in payload.documents.items():
        links = ", ".join(f"{kind.upper()} : {url}" for kind, url in formats.items() if url)
        lines.append(f"{name} — {links}")
    return lines


def render(messages: list[dict[str, Any]]) -> MatrixText:
    """Join Rasa's messages into one Matrix message (one paragraph per Rasa message).

    One Matrix event per answer rather than per Rasa message: fewer notifications for the
    agent, fewer requests against the homeserver's rate limits. Buttons are numbered after
    the text they belong to; the agent answers by number or text.
    """
    paragraphs: list[str] = []
    for message in messages:
        parts: list[str] = []
        text = str(message.get("text") or "").strip()
        if text:
            parts.append(text)
        parts.extend(_document_lines(BotPayload.read(message.get("custom"))))
        buttons = message.get("buttons")
        if isinstance(buttons, list) and buttons:
            parts.extend(_button_lines(b for b in buttons if isinstance(b, dict)))
        if parts:
            paragraphs.append("\n".join(parts))
    if not paragraphs:
        paragraphs = [NO_ANSWER]
    body = "\n\n".join(paragraphs)
    formatted = "".join(f"<p>{_html_paragraph(p)}</p>" for p in paragraphs)
    return MatrixText(body=body, formatted_body=formatted)


def text_message(text: str) -> MatrixText:
    """A plain message (``m.text``) with its paragraphs, for texts that are not notices."""
    paragraphs = [part for part in text.split("\n\n") if part.strip()] or [text]
    formatted = "".join(f"<p>{_html_paragraph(p)}</p>" for p in paragraphs)
    return MatrixText(body=text, formatted_body=formatted)


def notice(text: str) -> MatrixText:
    """A bot notice (``m.notice``: clients and other bots know not to answer it)."""
    return MatrixText(
        body=text, formatted_body=f"<p>{_html_paragraph(text)}</p>", msgtype="m.notice"
    )


def strip_reply_fallback(body: str) -> str:
    """The agent's own text of a Matrix reply, without the quoted « > » fallback lines.

    Replies carry the quoted message as leading « > » lines then a blank line; sent to
    Rasa, the quote would be read as part of the question.
    """
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    return "\n".join(lines[index:]).strip()
