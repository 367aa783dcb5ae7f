"""Read the official texts as the rules tests need them: normalised, and the quota table.

The cleaned Markdown of ``knowledge/sources`` is preferred; while a text has not been cleaned
yet, the raw seed of ``../shared/seeds`` stands in. Normalisation removes only what cleaning
may change (markup, HTML tags, line breaks, typographic quotes and dashes), so a quote that
passes here is a verbatim sentence of the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pytest

from knowledge.corpus import SOURCES_DIR

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
_TABLE_ROW = re.compile(
    r"^\|?\s*(\d{2,3})\s*%\s*[|\t]\s*([\d,]+)\s*[|\t]\s*([\d,]+)\s*[|\t]\s*([\d,]+)", re.MULTILINE
)


@dataclass(frozen=True)
class SourceText:
    """One official text as the tests read it."""

    raw: str
    is_markdown: bool

    @property
    def normalised(self) -> str:
        return normalise(self.raw)

    def headings(self) -> list[str]:
        """Normalised Markdown headings, in order (empty for a raw seed)."""
        if not self.is_markdown:
            return []
        return [
            normalise(line.lstrip("#")) for line in self.raw.splitlines() if line.startswith("#")
        ]


def normalise(text: str) -> str:
    """Drop what cleaning may change, keep every word and punctuation mark of the text."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[*_]", "", text)
    text = re.sub(r"[’‘ʼ`]", "'", text)
    text = re.sub(r"[«»“”\"]", " ", text)
    text = re.sub(r"[‐‑‒–—]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=16)
def load_source(doc_id: str) -> SourceText:
    """The cleaned Markdown body if it exists, else the raw seed; skip when neither does."""
    markdown = SOURCES_DIR / f"{doc_id}.md"
    if markdown.exists():
        return SourceText(_FRONT_MATTER.sub("", markdown.read_text(encoding="utf-8")), True)
    seed = SEEDS_DIR / f"{doc_id}.txt"
    if seed.exists():
        return SourceText(seed.read_text(encoding="utf-8"), False)
    pytest.skip(f"texte {doc_id} introuvable (ni Markdown nettoyé ni seed)")


@dataclass(frozen=True)
class TableRow:
    """One row of the instruction's part-time table, read from the text itself."""

    quotite: int
    worked: Fraction
    weekly: Fraction
    monthly: Fraction


def parse_part_time_table(text: str) -> list[TableRow]:
    """Rows of the « Quotité de temps partiel » table, whatever its layout (pipes or tabs)."""
    start = text.index("Quotité de temps partiel")
    section = text[start : start + 2000]

    def number(cell: str) -> Fraction:
        return Fraction(cell.replace(",", "."))

    return [
        TableRow(int(q), number(w), number(wk), number(m))
        for q, w, wk, m in _TABLE_ROW.findall(section)
    ]


@pytest.fixture(scope="session")
def normalised() -> Callable[[str], str]:
    """The normalisation the quote checks use."""
    return normalise


@pytest.fixture(scope="session")
def source() -> Callable[[str], SourceText]:
    """Read an official text by doc_id."""
    return load_source


@pytest.fixture(scope="session")
def instruction_table() -> list[TableRow]:
    """The part-time table as printed in the instruction (expected values of the tests)."""
    rows = parse_part_time_table(load_source("maa-instruction-2019-781").raw)
    assert [row.quotite for row in rows] == [50, 60, 70, 80, 90], "tableau introuvable"
    return rows
