"""The référents' side of a hand-off, in Matrix terms: thread roots, replies, commands.

A ticket (:mod:`storage.tickets`) is posted in the référents' room as a **thread root**: the
question, a few lines of context and its number. A référent answers **in that thread** (or
with a Matrix reply to the root); the bot relays the answer to the agent. Two short commands,
typed in the thread, act on the ticket: ``!clore`` closes it, ``!publier`` proposes its last
answer for publication (reviewed on the ``/referent`` page before it becomes a source).

Plain functions, no client: unit-tested on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from tchap.formatting import MatrixText, text_message

Command = Literal["close", "publish"]
COMMANDS: dict[str, Command] = {
    "!clore": "close",
    "!fermer": "close",
    "!publier": "publish",
    "!a-publier": "publish",
}
CHANNEL_LABELS = {"web": "chat web", "tchap": "Tchap"}
MAX_CONTEXT_LINES = 4
MAX_CONTEXT_CHARS = 200
REFERENT_ANSWER = "Réponse du référent télétravail"
HELP_LINE = (
    "Répondez dans ce fil : votre réponse est transmise à l'agent. « !publier » propose la "
    "dernière réponse pour la base de connaissances (relue dans l'espace référent), "
    "« !clore » clôt la demande."
)


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def thread_root(ticket: Any) -> MatrixText:
    """The message that opens a ticket's thread: number, question, context, how to answer.

    ``ticket`` is a :class:`storage.tickets.Ticket` (typed loosely: this module does not
    import the database).
    """
    channel = CHANNEL_LABELS.get(ticket.channel, ticket.channel)
    lines = [
        f"Demande n° {ticket.id} ({channel}) : « {_short(ticket.question, 1000)} »",
    ]
    if ticket.intent:
        lines.append(f"Sujet reconnu : {ticket.intent}")
    cited = [
        f"{s.get('doc_id', '')}{' › ' + s['section'] if s.get('section') else ''}"
        for s in ticket.sources or []
    ]
    if cited:
        lines.append("Sources consultées : " + " ; ".join(cited))
    turns = (ticket.turns or [])[-MAX_CONTEXT_LINES:]
    if turns:
        lines.append("Derniers échanges :")
        for turn in turns:
            who = "Agent" if turn.get("who") == "agent" else "Assistant"
            lines.append(f"— {who} : {_short(str(turn.get('text', '')), MAX_CONTEXT_CHARS)}")
    lines += ["", HELP_LINE]
    return text_message("\n".join(lines))


def in_thread(message: MatrixText, root_event_id: str) -> dict[str, Any]:
    """The content of ``message`` sent inside the thread of ``root_event_id``.

    With the reply fallback (``is_falling_back``) that clients without threads show as a
    reply to the root.
    """
    content = message.content()
    content["m.relates_to"] = {
        "rel_type": "m.thread",
        "event_id": root_event_id,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": root_event_id},
    }
    return content


def root_of(content: Mapping[str, Any]) -> str | None:
    """The event a référent's message answers: its thread root, or the message it replies to."""
    relation = content.get("m.relates_to")
    if not isinstance(relation, Mapping):
        return None
    if relation.get("rel_type") == "m.thread" and isinstance(relation.get("event_id"), str):
        return str(relation["event_id"])
    reply = relation.get("m.in_reply_to")
    if isinstance(reply, Mapping) and isinstance(reply.get("event_id"), str):
        return str(reply["event_id"])
    return None


def command_of(text: str) -> Command | None:
    """``close`` for « !clore », ``publish`` for « !publier » (alone on the message)."""
    words = text.strip().lower().split()
    return COMMANDS.get(words[0]) if len(words) == 1 else None


def relayed_answer(ticket_id: int, text: str) -> MatrixText:
    """The référent's answer as the agent reads it, clearly marked as a person's answer."""
    return text_message(f"{REFERENT_ANSWER} (demande n° {ticket_id}) :\n\n{text.strip()}")
