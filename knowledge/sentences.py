"""Cut a passage into the units an extractive answer is made of.

Units are sentences, list items and whole tables: an answer quotes the text, so a unit must
read on its own and a table must never lose its header. A regex is enough for these
administrative texts and keeps the index build free of a parser; abbreviations common in
them (« art. », « n° », « cf. », « M. ») do not end a sentence.
"""

from __future__ import annotations

import re

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
        last_word = sentences[-1].rsplit(" ", 1)[-1].rstrip(".") if sentences else ""
        if sentences and last_word in _ABBREVIATIONS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def split_units(passage: str) -> list[str]:
    """Sentences, list items and tables of a passage, in order, as plain text."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n", passage):
        if block.lstrip().startswith("|"):
            units.append(block.strip())
            continue
        for line in block.split("\n"):
            if not line.strip():
                continue
            for sentence in _split_prose(line.strip()):
                cleaned = clean_markup(sentence)
                if len(re.findall(r"\w", cleaned)) >= 3:
                    units.append(cleaned)
    return units
