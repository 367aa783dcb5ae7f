"""Cut a passage into the units an extractive answer is made of.

Units are sentences, list items and whole tables: an answer quotes the text, so a unit must
read on its own and a table must never lose its header. A regex is enough for these
administrative texts and keeps the index build free of a parser; abbreviations common in
them (« art. », « n° », « cf. », « M. ») do not end a sentence, nor does a « ; » inside
parentheses (« (29 947 installés sur 45 084 commandés; 15 137 en cours…) »).

Each unit also says what it is (sentence, list item, table) and which paragraph it comes
from, so that the answer composition (knowledge.composition) can give a list item with the
sentence that introduces its list, or a sentence with the one that completes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["sentence", "item", "table"]

_ABBREVIATIONS = ("art", "cf", "M", "Mme", "n°", "p", "etc", "al", "ex", "mod", "min")
_BOUNDARY = re.compile(r"(?<=[.!?;])\s+(?=[*«\"(A-ZÀ-ÖØ-Ý0-9-])")
_MARKUP = re.compile(r"(\*\*|__|(?<!\w)[*_](?!\s)|(?<!\s)[*_](?!\w))")


def clean_markup(text: str) -> str:
    """Text as a user reads it: Markdown emphasis and list markers removed."""
    text = _MARKUP.sub("", text)
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _split_prose(paragraph: str) -> list[str]:
    pieces = _BOUNDARY.split(paragraph)
    sentences: list[str] = []
    for piece in pieces:
        last_word = sentences[-1].rsplit(" ", 1)[-1].rstrip(".").lstrip('(«"[') if sentences else ""
        if sentences and (last_word in _ABBREVIATIONS or _open_parenthesis(sentences[-1])):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def _open_parenthesis(text: str) -> bool:
    """A « ; » inside parentheses does not end the sentence: « (29 947 installés ; 15 137…) »."""
    return text.count("(") > text.count(")")


_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Unit:
    """One unit of a passage and where it stands in the passage's layout.

    ``line`` numbers the source lines of the passage: a list item and the sentence after it
    are on different lines; two sentences of one paragraph line share theirs.
    """

    text: str
    kind: UnitKind
    line: int
    depth: int = 0


def structured_units(passage: str) -> list[Unit]:
    """Sentences, list items and tables of a passage, in order, with their kind."""
    units: list[Unit] = []
    line_number = 0
    for block in re.split(r"\n\s*\n", passage):
        if block.lstrip().startswith("|"):
            units.append(Unit(block.strip(), "table", line_number))
            line_number += 1
            continue
        for line in block.split("\n"):
            if not line.strip():
                continue
            marker = _LIST_MARKER.match(line)
            kind: UnitKind = "item" if marker else "sentence"
            depth = (len(line) - len(line.lstrip())) // 2 if marker else 0
            for sentence in _split_prose(line.strip()):
                cleaned = clean_markup(sentence)
                if len(re.findall(r"\w", cleaned)) >= 3:
                    units.append(Unit(cleaned, kind, line_number, depth))
            line_number += 1
    return units


def split_units(passage: str) -> list[str]:
    """Sentences, list items and tables of a passage, in order, as plain text."""
    return [unit.text for unit in structured_units(passage)]
