"""Turn the sentence closest to a question into a unit of the text that reads on its own.

The closest sentence is often not enough: « les fournitures de bureau. » is the closest line
of the equipment list but says nothing without « l'administration prend en charge : » and
the rest of the list; « Les seuils… peuvent faire l'objet de dérogations » needs the next
sentence, « Ces dérogations sont accordées pour une durée de 6 mois maximum ». So, around the
key unit of a passage:

- a list item, or the sentence that introduces a list, brings the whole list with its
  introducing sentence and the sentence that ends it when it continues the introduction
  (« La décision portant : – refus… – cessation… doit être expressément motivée… »);
- a sentence brings the following ones that lean on it (« Ces… », « Toutefois… », « Il… »,
  « Dans ce contexte… »), and the previous one when it leans on it itself; the key sentence
  also brings the next one of its paragraph, which often holds the answer to what it
  announces (``key_span``);
- a table comes whole, or, if long, its header with the rows closest to the question;
- a list whose only introduction is its section title gets that title (``list_heading``).

Everything stays bounded (``max_chars``, about a phone screen): a long list keeps its
introduction and the items nearest the key one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from knowledge.analysis import fold
from knowledge.chunking import INTRODUCTION, SECTION_SEPARATOR
from knowledge.sentences import Unit

MAX_PART_CHARS = 700
# The key unit's part is shorter: what it leaves goes to the other units close to the
# question (API facts dev5 0.867 → 0.883, the nine other sets unchanged; 400 and 600 worse).
KEY_PART_CHARS = 500
# A chain of sentences leaning on each other (« Parmi… », « Cependant… », « Ces visites… »,
# « Toutefois, le refus… ») comes whole up to this many followers: with two, the answer on
# the CHSCT's visits stopped before its last word (facts 0.938 → 0.946 on dev, with the
# connectors below).
MAX_FOLLOWERS = 3
# An introduction this short (« 3 mesures : ») leaves the list to its section title.
MAX_BARE_INTRO_CHARS = 40
# Words that make a sentence lean on the one before it (folded: no accents, lower case).
_LEANS_ON_PREVIOUS = re.compile(
    r"^(ces|cette|cet|ce|celle|celles|celui|ceux|il|elle|ils|elles|leur|leurs|"
    r"toutefois|cependant|neanmoins|en revanche|par contre|sauf|a defaut|dans ce cas|"
    r"dans ce cadre|dans ce contexte|dans cette hypothese|a ce titre|de ce fait|des lors(?! qu)|"
    r"en effet|par consequent|en consequence|c.est pourquoi|pour cela|a cette fin|aussi|"
    r"en pareil cas|dans les deux cas|le cas echeant|a cet effet|pour ce faire|en outre|"
    r"de plus|de meme|ainsi|elle-meme|lui-meme|en cas de renouvellement)\b"
)

# « Il convient de… », « Il est rappelé… »: an impersonal « il » refers to nothing before.
_IMPERSONAL = re.compile(
    r"^il (convient|est|s.agit|faut|appartient|importe|revient|n.est|y a|peut etre|doit etre)\b"
)


def leans_on_previous(text: str) -> bool:
    """Whether a sentence only makes sense with the one before it."""
    folded = fold(text).lstrip('«"( ')
    return bool(_LEANS_ON_PREVIOUS.match(folded)) and not _IMPERSONAL.match(folded)


def _continues(text: str) -> bool:
    """A sentence starting in lower case after a list finishes the list's introduction."""
    first = text.lstrip('«"( ')[:1]
    return first.isalpha() and first.islower()


def _list_span(units: Sequence[Unit], key: int) -> tuple[int, int] | None:
    """First and last index of the list group around ``key`` (intro, items, ending), if any."""
    if units[key].kind == "item":
        first = last = key
    elif units[key].kind == "sentence" and units[key].text.rstrip().endswith(":"):
        if key + 1 >= len(units) or units[key + 1].kind != "item":
            return None
        first, last = key, key + 1
    elif key > 0 and units[key - 1].kind == "item" and _continues(units[key].text):
        first = last = key - 1
    else:
        return None
    while first > 0 and units[first - 1].kind == "item":
        first -= 1
    while last + 1 < len(units) and units[last + 1].kind == "item":
        last += 1
    if first > 0 and units[first].kind == "item" and units[first - 1].kind == "sentence":
        first -= 1  # the sentence that introduces the list
    if last + 1 < len(units) and _continues(units[last + 1].text):
        last += 1
    return first, last


def _bounded_list(units: Sequence[Unit], span: tuple[int, int], key: int, limit: int) -> list[int]:
    """The list group, or its introduction, ending and the items nearest ``key`` that fit."""
    first, last = span
    chosen = list(range(first, last + 1))
    if _length(units, chosen) <= limit:
        return chosen
    frame = [i for i in (first, last) if units[i].kind != "item"]
    kept = sorted({*frame, *_whole_item(units, key, span)})
    for distance in range(1, last - first + 1):
        for candidate in (key + distance, key - distance):
            if first <= candidate <= last and candidate not in kept:
                trial = sorted({*kept, *_whole_item(units, candidate, span)})
                if _length(units, trial) <= limit:
                    kept = trial
    return kept


def _whole_item(units: Sequence[Unit], index: int, span: tuple[int, int]) -> list[int]:
    """Every sentence of the list item ``index`` belongs to: an item is kept whole.

    « le télétravail est programmé et régulier : … Le télétravail revêt un caractère
    régulier. Aussi, … » is one item of three sentences; its second sentence alone, shown as
    a bullet, would read as a principle of its own.
    """
    if units[index].kind != "item":
        return [index]
    first, last = span
    line = units[index].line
    return [i for i in range(first, last + 1) if units[i].kind == "item" and units[i].line == line]


def _sentence_span(units: Sequence[Unit], key: int, limit: int) -> list[int]:
    chosen = [key]
    if key > 0 and leans_on_previous(units[key].text) and units[key - 1].kind == "sentence":
        chosen.insert(0, key - 1)
    following = key + 1
    while (
        following < len(units)
        and following - key <= MAX_FOLLOWERS
        and units[following].kind == "sentence"
        and leans_on_previous(units[following].text)
        and _length(units, [*chosen, following]) <= limit
    ):
        chosen.append(following)
        following += 1
    return chosen


def key_span(units: Sequence[Unit], key: int, limit: int = KEY_PART_CHARS) -> list[int]:
    """The key unit's span, and the next sentence of its paragraph if it fits.

    The sentence closest to the question often states the subject and leaves the answer to
    the next one of the same paragraph, which does not lean on it by a pronoun: « Les
    responsables de services établiront un suivi hebdomadaire… » → « La synthèse, établie
    par la DRH chaque jeudi, sera transmise au Cabinet du ministre. » Only for the key unit:
    the other units that join an answer are already close to the question themselves.
    """
    span = answer_span(units, key, limit)
    if units[key].kind != "sentence":
        return span
    following = max(span) + 1
    if (
        following < len(units)
        and units[following].kind == "sentence"
        and units[following].line == units[key].line
        and _length(units, [*span, following]) <= limit
    ):
        return [*span, following]
    return span


def answer_span(units: Sequence[Unit], key: int, limit: int = MAX_PART_CHARS) -> list[int]:
    """Indices, in reading order, of the self-contained part of the text around ``key``."""
    if units[key].kind == "table":
        return [key]
    span = _list_span(units, key)
    if span is not None:
        return _bounded_list(units, span, key, limit)
    return _sentence_span(units, key, limit)


def single_gaps(indices: Sequence[int]) -> list[int]:
    """The units missing alone between two chosen ones (``indices`` sorted): 2 in [1, 3, 7]."""
    return [left + 1 for left, right in pairwise(indices) if right == left + 2]


def trim_table(table: str, row_scores: Sequence[float], limit: int = MAX_PART_CHARS) -> str:
    """A table that fits: its header (and separator) with its best rows, in order.

    ``row_scores`` has one score per body row (how close the row is to the question).
    """
    if len(table) <= limit:
        return table
    rows = table.split("\n")
    has_separator = len(rows) > 1 and set(rows[1].replace("|", "").strip()) <= set("-: ")
    header = rows[:2] if has_separator else rows[:1]
    body = rows[len(header) :]
    order = sorted(range(len(body)), key=lambda i: -row_scores[i] if i < len(row_scores) else 0)
    kept: list[int] = []
    for index in order:
        trial = sorted([*kept, index])
        if len("\n".join([*header, *(body[i] for i in trial)])) > limit and kept:
            break
        kept = trial
    return "\n".join([*header, *(body[i] for i in kept)])


def render(units: Sequence[Unit], indices: Sequence[int]) -> str:
    """The chosen units as the user reads them: list items on their own bulleted lines."""
    text = ""
    for index in indices:
        unit = units[index]
        same_item = (
            unit.kind == "item"
            and index > 0
            and index - 1 in indices
            and units[index - 1].kind == "item"
            and units[index - 1].line == unit.line
        )
        if same_item:  # the next sentence of the same item: on its bullet
            piece, separator = unit.text, " "
        elif unit.kind == "item":
            piece = "  " * unit.depth + "- " + unit.text
            separator = "\n"
        elif unit.kind == "table":
            piece, separator = unit.text, "\n\n"
        else:
            piece = unit.text
            after_list = index > 0 and units[index - 1].kind == "item"
            separator = "\n\n" if text.endswith("|") else "\n" if after_list else " "
        text = f"{text}{separator}{piece}" if text else piece
    return text


def list_heading(units: Sequence[Unit], indices: Sequence[int], section: str) -> str | None:
    """The section title, when it is the only introduction of the list the part starts with.

    A list cut across passages (« – Mesure n°2 … – Action n°7 … ») or opened by a bare
    « 3 mesures : » is introduced by its heading (« 21 actions proposées en faveur du
    déploiement du télétravail dans les territoires »): without it, the part says what the
    items are but not what they belong to.
    """
    if not indices or not section:
        return None
    first = units[indices[0]]
    starts_list = first.kind == "item" and all(u.kind == "item" for u in units[: indices[0]])
    bare_intro = (
        indices[0] == 0
        and first.kind == "sentence"
        and first.text.rstrip().endswith(":")
        and len(first.text) <= MAX_BARE_INTRO_CHARS
    )
    heading = section.rsplit(SECTION_SEPARATOR, 1)[-1].strip()
    if not (starts_list or bare_intro) or not heading or heading == INTRODUCTION:
        return None
    return heading


def _length(units: Sequence[Unit], indices: Sequence[int]) -> int:
    return sum(len(units[i].text) + 3 for i in indices)
