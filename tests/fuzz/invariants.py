"""What every reply of the assistant must satisfy, whatever the user typed (issue 12).

The conversation fuzzer (:mod:`tests.fuzz.fuzzer`) sends random turns; these small plain
functions judge each reply and the conversation's tracker after it. They return a list of
:class:`Violation` (empty when all is well) instead of asserting, so one turn can break
several rules and the report can group them. They are unit-tested on hand-written messages
(``test_invariants.py``), so a rule that fires wrongly is caught without a server.

Why each rule:

- the HTTP status and a non-empty reply: Rasa's REST channel answers ``200 []`` when an
  action fails (the action server logged an exception), so an empty list is how a crash
  looks from the user's side;
- internal names and raw errors: a user must never read an enum value (``ponctual_change``),
  a response or action name (``utter_…``), Python's ``None``/``True``, a traceback or a
  pydantic message (``Field required``, ``Input should``) — base list in
  :data:`cli.scenario_judge.INTERNAL_NAMES`;
- French: the assistant speaks French only; an English sentence is Rasa's default text or an
  untranslated error;
- a choice typed instead of clicked (its number, letter, title, or « oui » to a Oui button)
  is taken as that choice: in Tchap there are no buttons;
- form consistency: when a form is active, the bot is asking one of **that form's** slots
  (otherwise the next message is read for the wrong question), and no slot holds a value the
  rules do not accept (« 5 % » as a quotité must be refused and asked again, not stored).

A word the user typed and the bot repeats (a name in the draft summary, a quoted question) is
not the bot's fault: every text rule ignores matches found in the user's own messages.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cli.scenario_judge import INTERNAL_NAMES

Messages = list[dict[str, Any]]

# On top of the judge's list: validator names, Rasa internals, pydantic v1/v2 messages,
# Python reprs, unfilled response variables (« {quotite} »).
EXTRA_INTERNAL = re.compile(
    r"\bvalidate_\w+|\bactive_loop\b|\bnlu_fallback\b|\bslot_was_set\b"
    r"|\bField required\b|\bInput should\b|\bvalue is not a valid\b|\btype_error\b"
    r"|\bvalidation errors? for\b|\bpydantic\b|\bTrue\b|\bFalse\b|\bnan\b|\binf\b"
    r"|\{[a-z_]+\}|<class '|\bobject at 0x|File \"[^\"]+\", line \d+"
    r"|\bInternal Server Error\b|\bBad Request\b"
)
# English words or phrases that a French answer has no reason to contain.
ENGLISH = re.compile(
    r"\b(the|please|sorry|error|invalid|failed|unknown|required|should|missing|you|your"
    r"|didn't|don't|can't|could not|not found|try again|is not|are not|must be)\b",
    re.IGNORECASE,
)
# English function words that French never uses (not « on », « an », « a », « in »…): a text
# made of them in good part is English even when no word of :data:`ENGLISH` occurs.
ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "this",
        "that",
        "these",
        "those",
        "with",
        "for",
        "from",
        "what",
        "which",
        "who",
        "how",
        "can",
        "could",
        "would",
        "will",
        "have",
        "has",
        "had",
        "it",
        "its",
        "not",
        "no",
        "yes",
        "my",
    ]
)
PAYLOAD = re.compile(r"^/\w+(\{.*\})?$", re.DOTALL)
DATE_SLOT = re.compile(r"^\d{2}/\d{2}/\d{4}$")


@dataclass(frozen=True)
class Violation:
    """One broken rule on one reply: ``rule`` groups them, ``detail`` says what was seen."""

    rule: str
    detail: str


def reply_texts(messages: Messages) -> list[str]:
    """The texts of the bot's messages (button titles apart)."""
    return [str(m["text"]) for m in messages if isinstance(m, dict) and m.get("text")]


def buttons_of(messages: Messages) -> list[dict[str, Any]]:
    """Every button of the reply, in order."""
    return [
        button
        for m in messages
        if isinstance(m, dict)
        for button in (m.get("buttons") or [])
        if isinstance(button, dict)
    ]


def _not_echoed(found: Iterable[str], user_texts: Sequence[str]) -> list[str]:
    """Matches that the user did not type themselves (an echo is not the bot's wording)."""
    typed = "\n".join(user_texts).lower()
    return list(dict.fromkeys(f for f in found if f.lower() not in typed))


def check_transport(status: int | None, error: str = "") -> list[Violation]:
    """The request went through with HTTP 200 (no 5xx, no 4xx, no timeout)."""
    if error:
        return [Violation("requête échouée", error)]
    if status != 200:
        return [Violation("statut HTTP", f"statut {status}")]
    return []


def check_not_empty(messages: Messages) -> list[Violation]:
    """At least one message with text or buttons: ``[]`` is how a failed action looks.

    (The fuzzer sends no blank message: ``POST /api/chat`` refuses it with a 422.)
    """
    if not isinstance(messages, list):
        return [Violation("réponse mal formée", f"pas une liste : {type(messages).__name__}")]
    if any(t.strip() for t in reply_texts(messages)) or buttons_of(messages):
        return []
    return [Violation("réponse vide", json.dumps(messages, ensure_ascii=False)[:200])]


def check_internal_names(messages: Messages, user_texts: Sequence[str] = ()) -> list[Violation]:
    """No internal name, enum value, Python repr or raw validation error in texts or titles."""
    shown = "\n".join(
        [*reply_texts(messages), *(str(b.get("title", "")) for b in buttons_of(messages))]
    )
    found = [m.group(0) for m in INTERNAL_NAMES.finditer(shown)]
    found += [m.group(0) for m in EXTRA_INTERNAL.finditer(shown)]
    return [Violation("nom interne", name) for name in _not_echoed(found, user_texts)]


def check_french(messages: Messages, user_texts: Sequence[str] = ()) -> list[Violation]:
    """No English words, and no text made of English function words in good part."""
    violations = []
    for text in [*reply_texts(messages), *(str(b.get("title", "")) for b in buttons_of(messages))]:
        english = _not_echoed((m.group(0) for m in ENGLISH.finditer(text)), user_texts)
        if english:
            violations.append(Violation("anglais", f"{', '.join(english)} dans « {text[:120]} »"))
        words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ']+", text)]
        english_words = [w for w in words if w in ENGLISH_FUNCTION_WORDS]
        if (
            len(english_words) >= 2
            and len(english_words) >= 0.2 * len(words)
            and not any(text in typed or typed in text for typed in user_texts if typed)
        ):
            violations.append(Violation("pas français", text[:120]))
    return violations


def check_buttons(messages: Messages) -> list[Violation]:
    """Each button has a title and a payload: text, or ``/intent`` with readable JSON."""
    violations = []
    for button in buttons_of(messages):
        title, payload = str(button.get("title") or ""), str(button.get("payload") or "")
        if not title.strip():
            violations.append(Violation("bouton", f"titre vide (payload {payload!r})"))
        if not payload.strip():
            violations.append(Violation("bouton", f"payload vide (titre {title!r})"))
            continue
        if not payload.startswith("/"):
            continue  # a text payload is sent as if typed: fine
        if not PAYLOAD.match(payload):
            violations.append(Violation("bouton", f"payload illisible {payload!r}"))
            continue
        entities = payload.partition("{")[2]
        if entities:
            try:
                json.loads("{" + entities)
            except ValueError:
                violations.append(Violation("bouton", f"JSON du payload illisible {payload!r}"))
    return violations


def check_reply(
    status: int | None, messages: Messages, user_texts: Sequence[str] = (), error: str = ""
) -> list[Violation]:
    """Every text rule on one reply (transport first: no reply, nothing else to judge)."""
    transport = check_transport(status, error)
    if transport:
        return transport
    return [
        *check_not_empty(messages),
        *check_internal_names(messages, user_texts),
        *check_french(messages, user_texts),
        *check_buttons(messages),
    ]


# --- form consistency -----------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRules:
    """What a slot may hold: the values the rules accept, not only the domain's type."""

    quotite_range: tuple[float, float] = (50.0, 100.0)
    distance_range: tuple[float, float] = (0.0, 500.0)  # over 0, up to 500 km
    days_range: tuple[float, float] = (0.5, 5.0)

    @classmethod
    def from_rules(cls, quota_yaml: Path) -> SlotRules:
        """Quotités from the rules' part-time table (its lowest row) up to full time (100)."""
        data = yaml.safe_load(quota_yaml.read_text("utf-8"))
        rows = data["part_time_table"]["value"]
        return cls(quotite_range=(float(min(row["quotite"] for row in rows)), 100.0))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _is_real_date(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%d/%m/%Y")
    except ValueError:
        return False
    return True


def check_slot_value(
    name: str, value: Any, domain_slots: Mapping[str, Any], rules: SlotRules = SlotRules()
) -> list[Violation]:
    """One slot's value against its domain type and the rules' ranges (``None`` is fine)."""
    if value is None:
        return []
    ranges = {
        "quotite": rules.quotite_range,
        "draft_quotite": rules.quotite_range,
        "distance_km": rules.distance_range,
        "telework_days": rules.days_range,
    }
    if name in ranges:
        low, high = ranges[name]
        number = _number(value)
        if number is None or not low <= number <= high or (name == "distance_km" and number == 0):
            return [Violation("valeur hors règles", f"{name} = {value!r} (attendu {low}–{high})")]
        return []
    spec = domain_slots.get(name) or {}
    kind = spec.get("type")
    if kind == "categorical" and value not in (spec.get("values") or []):
        return [Violation("valeur hors domaine", f"{name} = {value!r}")]
    if kind == "bool" and not isinstance(value, bool):
        return [Violation("type de slot", f"{name} = {value!r} (booléen attendu)")]
    if kind == "float" and _number(value) is None:
        return [Violation("type de slot", f"{name} = {value!r} (nombre attendu)")]
    if name == "date" and not (
        isinstance(value, str) and DATE_SLOT.match(value) and _is_real_date(value)
    ):
        return [Violation("valeur hors règles", f"date = {value!r} (JJ/MM/AAAA réelle attendue)")]
    if name == "decision_kind" and value not in ("accord", "refus"):
        return [Violation("valeur hors domaine", f"decision_kind = {value!r}")]
    if name == "quiz_score":
        index = _number(value)
        if index is None or index < 0:
            return [Violation("valeur hors règles", f"quiz_score = {value!r}")]
    return []


def askable_slots(form: str, forms: Mapping[str, Any], slots: Mapping[str, Any]) -> set[str]:
    """The slots a form may ask: its required slots, plus, for the forms whose validator
    chooses the question itself (``draft_form``, ``decision_form``), every slot of the form's
    prefix (``draft_date_debut``, ``draft_confirmation``… are asked but not in the domain list).
    """
    spec = forms.get(form) or {}
    required = set(spec.get("required_slots") or [])
    prefix = form.removesuffix("_form") + "_"
    if form in ("draft_form", "decision_form"):
        required |= {name for name in slots if name.startswith(prefix)}
    return required


def active_form(tracker: Mapping[str, Any]) -> str | None:
    """The name of the active form, or ``None`` (Rasa writes ``{}`` or ``{"name": null}``)."""
    loop = tracker.get("active_loop") or {}
    name = loop.get("name") if isinstance(loop, Mapping) else None
    return str(name) if name else None


def decided_slot_events(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Slot events with a value, set by a form, a validator or an action — not by Rasa's
    extraction of raw entities (``action_extract_slots``), which a validator judges next.
    """
    decided, action, raw = [], None, set()
    for event in events:
        key = f"{event.get('name')}={event.get('value')!r}"
        if event.get("event") == "action":
            action = event.get("name")
        elif event.get("event") == "user":
            action = None
        elif event.get("event") != "slot" or event.get("value") is None:
            continue
        elif action in (None, "action_extract_slots"):
            raw.add(key)
        elif event.get("name") != "requested_slot" and not (
            # Rasa's form action hands back the raw candidates its validator did not
            # touch (a slot of another form, say): still raw, not accepted.
            str(action).endswith("_form") and key in raw
        ):
            decided.append(event)
    unique = {f"{e.get('name')}={e.get('value')!r}": e for e in decided}
    return list(unique.values())


def check_tracker(
    tracker: Mapping[str, Any],
    new_events: Sequence[Mapping[str, Any]],
    forms: Mapping[str, Any],
    slots: Mapping[str, Any],
    rules: SlotRules = SlotRules(),
) -> list[Violation]:
    """The form is consistent after the turn, and no slot took a value the rules refuse.

    ``new_events`` are the tracker events of this turn: a value set then cleared within the
    turn (a quotité computed then forgotten) is still a value the dialogue accepted. Values
    written by ``action_extract_slots`` are raw entities (« 377 », « changer ») that the
    form's validator reads next: they are not judged, the validator's verdict is.
    """
    violations = []
    current = tracker.get("slots") or {}
    requested = current.get("requested_slot")
    form = active_form(tracker)
    if form is not None:
        if form not in forms:
            violations.append(Violation("formulaire", f"formulaire actif inconnu : {form}"))
        elif requested is None:
            violations.append(Violation("formulaire", f"{form} actif sans question posée"))
        elif requested not in askable_slots(form, forms, slots):
            violations.append(
                Violation("formulaire", f"{form} demande {requested}, qui n'est pas à lui")
            )
    elif requested is not None:
        violations.append(Violation("formulaire", f"requested_slot = {requested} sans formulaire"))
    for event in decided_slot_events(new_events):
        violations += check_slot_value(str(event.get("name")), event.get("value"), slots, rules)
    return list(dict.fromkeys(violations))


# --- choices typed instead of clicked ------------------------------------------------------

AFFIRM_WORDS = ("oui", "ok", "okay", "volontiers", "d'accord", "ouais", "oui oui", "yes")
DENY_WORDS = ("non", "non merci", "laisse tomber", "pas du tout", "nan", "non non")
# What the bot says when it did not take the message as an answer (folded, see ``_fold``).
NOT_UNDERSTOOD = (
    "n'ai pas reconnu",
    "merci pour cette precision",
    "vouliez-vous dire",
    "pas compris",
    "je ne suis pas sur de pouvoir vous aider",
)
ANYTHING_ELSE = "puis-je vous aider sur autre chose ?"
# Buttons that are not the offer itself: « Que pouvez-vous faire ? », « Contacter le référent ».
GENERIC_PAYLOADS = ("/help", "/talk_to_human")
_CHOICE = re.compile(r"^(?:(?:la|le|reponse|choix|numero|n°)\s+)?([a-z]|\d{1,2})\s*[).]?$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def selected_button(text: str, buttons: Sequence[Mapping[str, Any]]) -> int | None:
    """Which button a typed message picks, as people answer without clicking (issue 12).

    Its number (« 2 », « 2) »), its letter when the titles are lettered (« b », « la c »), its
    title typed out, « oui » for the one button starting with « Oui » or else the one offer
    beside a decline (« Faire le quiz » / « Non merci »; « Que pouvez-vous faire ? » aside),
    « non » for the one decline.
    """
    folded = _fold(text).strip(" !")
    titles = [_fold(str(b.get("title") or "")) for b in buttons]
    if folded in titles:
        return titles.index(folded)
    match = _CHOICE.match(folded)
    if match:
        token = match.group(1)
        if token.isdigit():
            number = int(token)
            return number - 1 if 1 <= number <= len(buttons) else None
        lettered = [t[:2] for t in titles]
        return lettered.index(f"{token})") if f"{token})" in lettered else None
    declines = [_declines(b) for b in buttons]
    if folded in AFFIRM_WORDS:
        starting = [i for i, t in enumerate(titles) if re.match(r"oui\b", t)]
        if len(starting) == 1:
            return starting[0]
        # An offer: « Faire le quiz » / « Non merci » (/help aside) — « oui » takes the offer.
        offers = [
            i
            for i, b in enumerate(buttons)
            if not declines[i] and not str(b.get("payload") or "").startswith(GENERIC_PAYLOADS)
        ]
        return offers[0] if len(offers) == 1 else None
    if folded in DENY_WORDS:
        return declines.index(True) if declines.count(True) == 1 else None
    return None


def _declines(button: Mapping[str, Any]) -> bool:
    payload = str(button.get("payload") or "")
    return payload.startswith(("/deny", "/stop")) or _fold(str(button.get("title"))).startswith(
        "non"
    )


def check_choice(text: str, previous: Messages, messages: Messages) -> list[Violation]:
    """A button picked by typing is taken as that button: not « not understood », not re-asked
    unchanged, and an accepted offer is not answered « Puis-je vous aider sur autre chose ? ».
    """
    buttons = buttons_of(previous)
    index = selected_button(text, buttons) if buttons else None
    if index is None:
        return []
    button = buttons[index]
    picked = f"« {text} » pour le bouton {index + 1} « {button.get('title')} »"
    reply = [_fold(t) for t in reply_texts(messages)]
    joined = "\n".join(reply)
    marker = next((m for m in NOT_UNDERSTOOD if m in joined), None)
    if marker is not None:
        return [Violation("choix tapé non compris", f"{picked} → « {marker} »")]
    before = [_fold(t) for t in reply_texts(previous)]
    if reply and before and reply == before:
        return [Violation("choix tapé non compris", f"{picked} → même question reposée")]
    if reply == [ANYTHING_ELSE] and not _declines(button):
        return [Violation("choix tapé non compris", f"{picked} → « {ANYTHING_ELSE} »")]
    return []


def check_form_switch(
    short_answer: bool, before: str | None, after: str | None, text: str
) -> list[Violation]:
    """A short answer (a number, a letter, a date, oui/non) never switches to another form:
    it answers the question asked (« 1 » in the quiz is not a quotité).
    """
    if short_answer and before is not None and after is not None and before != after:
        return [Violation("formulaire changé", f"« {text} » : {before} → {after}")]
    return []
