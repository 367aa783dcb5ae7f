"""Replies to the bot's own questions: « oui », « non merci », « 2 », « b », a button's text.

Every question the bot asks comes with its choices, as buttons on the web chat and as a
numbered list in the text (Tchap has no buttons). The next message is read against those
choices before anything else, so that « oui » accepts the offer just made, « 2 » picks the
second choice, « B) » the second letter, and an answer that fits nothing is asked again with
the choices listed — never silently taken for something else (« 1 » in the quiz is not a
quotité of 1 %).

The choices of a turn are the buttons of the bot's messages since the user's previous
message, read from the tracker's events: nothing to store, and a stale offer never applies
two turns later. Plain Python, no Rasa import: unit-tested on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.analysis import fold

LETTERS = "abcdefgh"
# Buttons that never answer « oui » to an offer: a refusal, the référent, the help.
_NOT_AN_OFFER = ("/deny", "/stop", "/talk_to_human", "/help")
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER_CHOICE = re.compile(
    r"^(?:(?:le|la|choix|reponse|option|numero|n|no)\s+)?(\d{1,2})\s*(?:[).]|er|e|eme)?$"
)
_LETTER_CHOICE = re.compile(r"^(?:(?:le|la|choix|reponse|option|lettre)\s+)?([a-h])\s*[).]?$")
_YES = (
    "oui", "ouais", "ouai", "ouaip", "ouep", "yes", "yep", "ok", "okay", "oki", "okk", "dac",
    "d accord", "daccord", "d acc", "volontiers", "bien sur", "vas y", "allez y", "allons y",
    "go", "c est parti", "avec plaisir", "je veux bien", "pourquoi pas", "carrement",
    "exactement", "tout a fait", "absolument", "evidemment", "bien entendu", "affirmatif",
    "parfait", "super", "top", "oui merci", "oui stp", "oui svp", "certainement", "entendu",
    "on y va", "ca marche", "c est bon", "ca roule", "banco", "let s go", "on fait ca",
    "faisons ca", "avec joie", "bien volontiers", "oui je veux", "pourquoi pas oui", "grave",
    "ouais grave", "trop bien", "avec grand plaisir", "vas y stp", "je veux bien oui",
)  # fmt: skip
_NO = (
    "non", "nan", "no", "nope", "non merci", "laisse tomber", "laissez tomber", "pas maintenant",
    "plus tard", "une autre fois", "pas besoin", "pas la peine", "ca ira", "ca va aller",
    "sans facon", "annule", "annuler", "stop", "arrete", "arreter", "rien", "aucun", "jamais",
    "negatif", "pas du tout", "pas vraiment", "pas forcement", "non plus", "tant pis",
    "jarrete", "on arrete", "ca suffit", "j en ai marre",
)  # fmt: skip
# Words around a yes or a no that do not change it (« ok merci », « oui vas-y stp »).
_FILLERS = frozenset(
    {"merci", "stp", "svp", "s", "il", "te", "vous", "plait", "alors", "bon", "ben", "bah", "euh",
     "hmm", "ah", "oh", "bien", "sur", "allez", "y", "vas", "je", "veux", "voudrais", "le", "la",
     "ca", "c", "est", "parti", "tres", "beaucoup", "volontiers", "en", "fait", "du", "coup", "bof"}
)  # fmt: skip
MAX_YES_NO_WORDS = 5
# A reply that opens with one of these is a no, whatever polite yes-word follows.
_NO_OPENERS = frozenset({"non", "nan", "no", "nope"})
# Messages in a row without any reply (lost to a failure) that the last offer outlives.
MAX_UNANSWERED = 1
# A bare number up to this one is read as a choice that fits none (« 7 » among four).
MAX_CHOICE_NUMBER = 9


@dataclass(frozen=True)
class Choice:
    """A button: its French title and the payload Rasa parses (``/intent{...}``)."""

    title: str
    payload: str

    @property
    def intent(self) -> str:
        """The intent of the payload (``start_quota`` for ``/start_quota``)."""
        return parse_payload(self.payload)[0]

    @property
    def entities(self) -> dict[str, Any]:
        """The entities of the payload (``{"quotite": "80"}``)."""
        return parse_payload(self.payload)[1]


@dataclass(frozen=True)
class Reply:
    """What a message says about the question just asked.

    ``kind`` is ``choice`` (``choice`` is set), ``yes``, ``no``, ``unclear`` (a choice was
    attempted — a number, a letter, a « oui » between several choices — but fits none) or
    ``none`` (the message is not an answer to the question: a new question, a value).
    """

    kind: Literal["choice", "yes", "no", "unclear", "none"]
    choice: Choice | None = None
    choices: tuple[Choice, ...] = field(default=())


def parse_payload(payload: str) -> tuple[str, dict[str, Any]]:
    """Split ``/intent{"entity": "value"}`` into the intent and its entities."""
    text = payload.strip()
    if not text.startswith("/"):
        return "", {}
    name, _, rest = text[1:].partition("{")
    entities: dict[str, Any] = {}
    if rest:
        try:
            loaded = json.loads("{" + rest)
        except ValueError:
            loaded = {}
        entities = loaded if isinstance(loaded, dict) else {}
    return name.strip(), entities


def words(text: str) -> list[str]:
    """Folded words (lowercase, no accents), apostrophes and hyphens as separators."""
    return _WORD.findall(fold(text))


def _phrases(tokens: list[str], phrases: Iterable[str]) -> bool:
    joined = f" {' '.join(tokens)} "
    return any(f" {phrase} " in joined for phrase in phrases)


def is_question(text: str) -> bool:
    """Whether a message of a form asks something rather than answers (it ends with « ? »).

    Only the question mark counts: names, missions and motivations are free text, which an
    intent classifier may take for a question.
    """
    return text.rstrip().endswith("?")


# Words that may follow a question's « ? » in the same message: the situation it is about
# (« il faut combien de détecteurs ? je suis dans un 95 m2 »).
MAX_WORDS_AFTER_QUESTION = 8


def asks_in_passing(text: str) -> bool:
    """Whether a free-text answer is a question, maybe followed by what it is about.

    For the document forms, whose answers (a name, a service) never hold a « ? »: « il faut
    combien de détecteurs ? je suis dans un 95 m2 » is not a first name. Elsewhere (the quiz:
    « 48 heures non ? enfin 2 jours ouvrés ») a « ? » inside an answer is no question.
    """
    _, mark, tail = text.rpartition("?")
    return bool(mark) and len(words(tail)) <= MAX_WORDS_AFTER_QUESTION


def opens_with_no(text: str) -> bool:
    """Whether a message opens with a no (« non j'en ai pas besoin »)."""
    tokens = words(text)
    return bool(tokens) and tokens[0] in _NO_OPENERS


def yes_or_no(text: str) -> bool | None:
    """Read a short yes (« ouais vas-y », « volontiers ») or no (« non merci »).

    « laisse tomber » and « pas maintenant » are noes; None when the message says more than
    a yes or a no.
    """
    tokens = words(text)
    if not tokens or len(tokens) > MAX_YES_NO_WORDS:
        return None
    no = _phrases(tokens, _NO) and not _phrases(tokens, ("pourquoi pas", "pas de souci"))
    yes = _phrases(tokens, _YES)
    if no and yes and tokens[0] in _NO_OPENERS:
        return False  # « non c'est bon merci », « nan ça ira »
    if no == yes:
        return None
    rest = [t for t in _without_phrases(tokens, (*_YES, *_NO)) if t not in _FILLERS]
    return yes if len(rest) <= 1 else None


def _without_phrases(tokens: list[str], phrases: Iterable[str]) -> list[str]:
    """The tokens left once the phrases are taken out (the longest first)."""
    joined = f" {' '.join(tokens)} "
    for phrase in sorted(phrases, key=len, reverse=True):
        joined = joined.replace(f" {phrase} ", " ")
    return joined.split()


def _title_key(title: str) -> str:
    """A button title without its leading « a) » or « 1. », folded."""
    return " ".join(words(re.sub(r"^\s*(?:[a-hA-H]|\d{1,2})\s*[).]\s+", "", title)))


def pick(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice named by its number (« 2 »), letter (« b », « B) ») or title, if any."""
    if not choices:
        return None
    folded = " ".join(words(text))
    raw = fold(text).strip().rstrip("?!. ")
    number = _NUMBER_CHOICE.match(folded)
    if number and "%" not in raw:
        index = int(number.group(1)) - 1
        return choices[index] if 0 <= index < len(choices) else None
    letter = _LETTER_CHOICE.match(raw) or _LETTER_CHOICE.match(folded)
    if letter and len(choices) <= len(LETTERS):
        index = LETTERS.index(letter.group(1))
        return choices[index] if index < len(choices) else None
    if not folded:
        return None
    # A title typed whole, its « c) » or « 3. » included, names that choice.
    folded = _title_key(text) or folded
    keys = [_title_key(choice.title) for choice in choices]
    exact = [c for c, key in zip(choices, keys, strict=True) if key and key == folded]
    if len(exact) == 1:
        return exact[0]
    if len(folded) >= 4:
        inside = [c for c, key in zip(choices, keys, strict=True) if key and folded in key]
        if len(inside) == 1:
            return inside[0]
    return None


# Number words read as digits when a sentence is matched against choices (« trois jours »).
_NUMBER_WORDS = {
    "un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6",
    "douze": "12", "quinze": "15", "vingt": "20",
}  # fmt: skip
# A sentence answering in words is short; a longer one, or a question, is something else.
MAX_WORDED_CHOICE_WORDS = 8
MAX_WORDED_QUESTION_WORDS = 4


def _choice_words(text: str) -> set[str]:
    return {_NUMBER_WORDS.get(token, token) for token in words(text)}


def pick_by_words(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice a short sentence names in its own words (« je dirais 3 jours »).

    A choice is named when the sentence holds all its words, or a word that no other choice
    has (« ouvres » among « 2 jours ouvrés », « 15 jours », « 2 mois »); a sentence naming two
    choices names none. For the quiz, whose choices differ by a figure or a phrase.
    """
    tokens = words(text)
    limit = MAX_WORDED_QUESTION_WORDS if is_question(text) else MAX_WORDED_CHOICE_WORDS
    if not tokens or len(tokens) > limit:
        return None
    said = _choice_words(text)
    keys = [_choice_words(_title_key_raw(choice.title)) for choice in choices]
    named = []
    for index, key in enumerate(keys):
        others = set().union(*(k for i, k in enumerate(keys) if i != index))
        if key and (key <= said or key - others & said):
            named.append(index)
    # « 2 mois » inside « 2 jours ouvrés ou 2 mois ? » is two choices; a choice whose words
    # all lie in another named one (« 2 mois » in « plus de 2 mois ») gives way to it.
    kept = [i for i in named if not any(j != i and keys[i] < keys[j] for j in named)]
    return choices[kept[0]] if len(kept) == 1 else None


def attempted_choice(text: str) -> bool:
    """Whether the message looks like a choice (« 7 », « e ») even if it fits none."""
    raw = fold(text).strip().rstrip("?!. ")
    folded = " ".join(words(text))
    number = _NUMBER_CHOICE.match(folded)
    if number and "%" not in raw:
        return int(number.group(1)) <= MAX_CHOICE_NUMBER
    return bool(_LETTER_CHOICE.match(raw))


def offers(choices: Sequence[Choice]) -> list[Choice]:
    """The choices a « oui » may accept: not a refusal, the référent or the help."""
    return [c for c in choices if not c.payload.startswith(_NOT_AN_OFFER)]


# Words a request for the offered action adds to its verb (« calcule pour moi », « vas-y
# vérifie mon cas ») without naming anything else.
_REQUEST_WORDS = frozenset(
    {"pour", "moi", "me", "m", "mon", "ma", "mes", "le", "la", "les", "cas", "situation", "stp",
     "svp", "merci", "alors", "donc", "maintenant", "direct", "directement", "tout", "de", "suite",
     "d", "l", "du", "des"}
)  # fmt: skip
# Two words share a stem when they agree on this many first letters (« calcule », « calculer »).
STEM_LETTERS = 5
MAX_OFFER_REQUEST_WORDS = 7
MIN_OFFER_WORD = 3


def _stem(word: str) -> str:
    return word[:STEM_LETTERS]


def names_offer(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The one offer a short request names by its own verb (« d'accord, calcule pour moi »).

    After « Voulez-vous calculer… ? [Calculer pour ma situation] », « calcule pour moi » or
    « ok vérifie » asks for that offer: every word left once the yes-words and the request's
    small words are set aside shares its stem with a word of the offer's title. A question, or
    a word the title does not have (« calcule la date de fin »), is not a request for it.
    """
    tokens = words(text)
    if not tokens or len(tokens) > MAX_OFFER_REQUEST_WORDS or is_question(text):
        return None
    small = _FILLERS | _REQUEST_WORDS
    rest = [t for t in _without_phrases(tokens, _YES) if t not in small]
    if not rest or not all(t.isalpha() and len(t) >= MIN_OFFER_WORD for t in rest):
        return None  # « 5 » is a number to read as a choice's, not a word of its title
    named = [
        choice
        for choice in offers(choices)
        if all(_stem(t) in {_stem(w) for w in words(_title_key(choice.title))} for t in rest)
    ]
    return named[0] if len(named) == 1 else None


def read_reply(text: str, choices: Sequence[Choice]) -> Reply:
    """Read a message against the choices of the question just asked.

    A number, a letter or a title picks a choice; a yes picks the button titled « Oui », or
    the one offer when there is only one; a no picks the button titled « Non » or says no.
    """
    kept = tuple(choices)
    if not kept:
        return Reply("none")
    chosen = pick(text, kept)
    if chosen is not None:
        return Reply("choice", chosen, kept)
    requested = names_offer(text, kept)
    if requested is not None:
        return Reply("choice", requested, kept)
    answer = yes_or_no(text)
    if answer is not None:
        wanted = ("oui",) if answer else ("non", "non merci")
        titled = [c for c in kept if _title_key(c.title).split(",")[0] in wanted]
        if titled:
            return Reply("choice", titled[0], kept)
        if not answer:
            return Reply("no", None, kept)
        accepted = offers(kept) or [c for c in kept if c.payload == "/talk_to_human"]
        if len(accepted) == 1 and (len(kept) == 1 or accepted[0].payload != "/talk_to_human"):
            # The référent alone is accepted too: its offer asked « … à un référent ? ».
            return Reply("choice", accepted[0], kept)
        return Reply("unclear", None, kept)
    if attempted_choice(text):
        return Reply("unclear", None, kept)
    return Reply("none", None, kept)


def numbered(choices: Sequence[Choice], *, letters: bool = False) -> str:
    """The choices as « 1. … » lines (or « a) … »), for channels without buttons."""
    if letters:
        return "\n".join(f"{LETTERS[i]}) {_title_key_raw(c.title)}" for i, c in enumerate(choices))
    return "\n".join(f"{i}. {_title_key_raw(c.title)}" for i, c in enumerate(choices, 1))


def _title_key_raw(title: str) -> str:
    return re.sub(r"^\s*(?:[a-hA-H]|\d{1,2})\s*[).]\s+", "", title).strip()


def last_bot_turn(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The bot's messages between the user's previous message and the latest one.

    A previous message that got no reply at all (the action server was down: the agent was
    told to send it again) does not count: « oui » sent again still answers the offer made
    before it.
    """
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return []
    starts = [*reversed(users[:-1]), -1][: MAX_UNANSWERED + 1]
    end = users[-1]
    for start in starts:
        said = [e for e in events[start + 1 : end] if e.get("event") == "bot"]
        if said:
            return said
        end = start
    return []


def bot_turns(events: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The bot's messages after each user message before the latest one, oldest first.

    A message that got no reply (the action server was down) has no turn.
    """
    turns: list[list[Mapping[str, Any]]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append([])
        elif event.get("event") == "bot" and turns:
            turns[-1].append(event)
    return [turn for turn in turns[:-1] if turn]


def last_choices(events: Sequence[Mapping[str, Any]]) -> list[Choice]:
    """The buttons of the bot's last question: its last message with buttons in its last turn.

    An answer's own buttons (the référent after an abstention) come before the question the
    bot asks again after it (a form's, the quiz's): only the question's count.
    """
    found: dict[str, Choice] = {}
    for event in reversed(last_bot_turn(events)):
        data = event.get("data") or {}
        for item in data.get("buttons") or []:
            if isinstance(item, Mapping) and isinstance(item.get("payload"), str):
                payload = str(item["payload"])
                found.setdefault(payload, Choice(str(item.get("title") or ""), payload))
        if found:
            break
    return list(found.values())


def last_bot_text(events: Sequence[Mapping[str, Any]]) -> str:
    """The text of the bot's last turn, its messages joined."""
    return "\n".join(str(e.get("text") or "") for e in last_bot_turn(events))
