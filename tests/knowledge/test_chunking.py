"""Chunks follow sections and never cut a table row."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from knowledge.chunking import chunk_document
from knowledge.corpus import Document
from knowledge.index import sentence_windows
from knowledge.models import DocumentMeta
from knowledge.sentences import split_units

pytestmark = pytest.mark.unit


def _document(body: str) -> Document:
    return Document(DocumentMeta(doc_id="d", title="T"), body, Path("d.md"))


def test_later_level_one_headings_are_sections() -> None:
    """A Word note whose sections are « Titre 1 » is cited by section, not with an empty one."""
    body = "# Note de service\n\n# Objet\n\nA.\n\n# Modalités\n\n## Jours\n\nB."
    sections = [(c.section, c.text) for c in chunk_document(_document(body))]
    assert sections == [("Objet", "A."), ("Modalités › Jours", "B.")]


def test_text_without_headings_is_cited_as_its_introduction() -> None:
    sections = {c.section for c in chunk_document(_document("Un texte brut.\n\nSans titres."))}
    assert sections == {"Introduction"}


def test_section_path_follows_heading_levels() -> None:
    body = "# Titre\n\nIntro.\n\n## I – Partie\n\nA.\n\n### 1 – Sous\n\nB.\n\n## II – Autre\n\nC."
    sections = [(c.section, c.text) for c in chunk_document(_document(body))]
    assert sections == [
        ("Introduction", "Intro."),
        ("I – Partie", "A."),
        ("I – Partie › 1 – Sous", "B."),
        ("II – Autre", "C."),
    ]


def test_positions_are_reading_order() -> None:
    body = "## A\n\n" + "\n\n".join(f"Paragraphe {i} " + "mot " * 60 for i in range(20))
    chunks = chunk_document(_document(body), max_chars=600)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text) <= 600 for c in chunks)
    assert "Paragraphe 19" in chunks[-1].text


def test_long_table_is_cut_between_rows_with_header_repeated() -> None:
    header = "| Quotité | Jours |\n|---|---|"
    rows = [f"| {i} % | {i / 10} jours de télétravail possibles |" for i in range(100)]
    body = "## Tableau\n\n" + header + "\n" + "\n".join(rows)
    chunks = chunk_document(_document(body), max_chars=500)
    assert len(chunks) > 1
    seen_rows: list[str] = []
    for chunk in chunks:
        lines = chunk.text.splitlines()
        assert lines[:2] == header.splitlines()
        seen_rows += lines[2:]
    assert seen_rows == rows


def test_units_keep_tables_whole_and_split_sentences() -> None:
    passage = (
        "Voir art. 2 du décret. **Le télétravail est volontaire** : il ne peut être imposé.\n"
        "- premier point ;\n- second point.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert split_units(passage) == [
        "Voir art. 2 du décret.",
        "Le télétravail est volontaire : il ne peut être imposé.",
        "premier point ;",
        "second point.",
        "| a | b |\n|---|---|\n| 1 | 2 |",
    ]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 10])
def test_sentence_windows_cover_every_sentence_in_order(count: int) -> None:
    units = [f"Phrase {i}." for i in range(count)]
    windows = sentence_windows(units, size=3, stride=2)
    covered = [unit for window in windows for unit in units if unit in window]
    assert set(covered) == set(units)
    assert windows[-1].endswith(units[-1])
    assert all(len([u for u in units if u in w]) == min(3, count) for w in windows)
    # Consecutive windows overlap or touch: no sentence is read only across a gap.
    starts = [next(i for i, u in enumerate(units) if u in w) for w in windows]
    assert starts == sorted(starts) and all(b - a <= 2 for a, b in pairwise(starts))


def test_passage_without_sentences_has_one_empty_window() -> None:
    assert sentence_windows([]) == [""]


def test_a_short_lead_stays_with_what_it_introduces() -> None:
    """« Textes de référence : » before a long list is not a passage of its own."""
    items = "\n".join(
        f"- Décret n° {n} relatif au télétravail dans la fonction publique" for n in range(40)
    )
    body = f"# Note\n\n## Références\n\n**Textes de référence :**\n\n{items}\n\n## Suite\n\nFin."
    chunks = chunk_document(_document(body), max_chars=400)
    texts = [c.text for c in chunks if c.section == "Références"]
    assert len(items) > 400  # the list alone is longer than a passage
    assert texts[0].startswith("**Textes de référence :**\n\n- Décret n° 0")
