"""Split a Markdown text into passages that follow its section hierarchy.

A chunk never straddles two sections, so its section path is a faithful citation; long
sections are cut at paragraph boundaries, and a table is never cut mid-row (a long table is
cut between rows, each part repeating the header row so it still reads as a table).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from knowledge.corpus import Document

SECTION_SEPARATOR = " › "
MAX_CHUNK_CHARS = 1200
MIN_TAIL_CHARS = 200
INTRODUCTION = "Introduction"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, with where it sits."""

    doc_id: str
    section: str
    text: str
    position: int

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON persistence."""
        return asdict(self)


def _blocks(lines: list[str]) -> list[str]:
    """Group lines into paragraphs; a table (consecutive ``|`` lines) stays one block."""
    blocks: list[str] = []
    current: list[str] = []
    in_table = False
    for line in lines:
        is_table_row = line.lstrip().startswith("|")
        if not line.strip() or is_table_row != in_table:
            if current:
                blocks.append("\n".join(current))
            current = []
        in_table = is_table_row
        if line.strip():
            current.append(line.rstrip())
    if current:
        blocks.append("\n".join(current))
    return blocks


def _split_table(table: str, limit: int) -> list[str]:
    """Cut a long table between rows, repeating its header (and separator) in each part."""
    rows = table.split("\n")
    has_separator = len(rows) > 1 and set(rows[1].replace("|", "").strip()) <= set("-: ")
    header = rows[:2] if has_separator else rows[:1]
    parts: list[str] = []
    current = list(header)
    for row in rows[len(header) :]:
        if len(current) > len(header) and len("\n".join([*current, row])) > limit:
            parts.append("\n".join(current))
            current = list(header)
        current.append(row)
    parts.append("\n".join(current))
    return parts


def _pack(blocks: list[str], limit: int) -> list[str]:
    """Greedily pack paragraphs into passages of at most ``limit`` characters."""
    pieces: list[str] = []
    for block in blocks:
        if block.lstrip().startswith("|") and len(block) > limit:
            pieces.extend(_split_table(block, limit))
        else:
            pieces.append(block)
    passages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        # A short lead (« Textes de référence : ») is never a passage of its own: alone, it
        # holds nothing to cite and, short, lies close to every question in e5's space.
        if current and len(candidate) > limit and len(current) >= MIN_TAIL_CHARS:
            passages.append(current)
            current = piece
        else:
            current = candidate
    if current:
        # A short tail reads better with what precedes it than as a passage of its own.
        if (
            passages
            and len(current) < MIN_TAIL_CHARS
            and len(passages[-1]) + len(current) < limit * 1.5
        ):
            passages[-1] = f"{passages[-1]}\n\n{current}"
        else:
            passages.append(current)
    return passages


def chunk_document(document: Document, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Chunks of a document in reading order.

    The document title (a ``#`` heading before any text) is not part of section paths: the
    citation already names the document. The text before the first section heading is
    cited as the « Introduction », so that no citation lacks a section.
    """
    path: list[tuple[int, str]] = []
    sections: list[tuple[str, list[str]]] = [("", [])]
    title_seen = False
    for line in document.body.splitlines():
        match = _HEADING.match(line)
        if not match:
            sections[-1][1].append(line)
            continue
        level, title = len(match.group(1)), match.group(2).strip()
        if level == 1 and not title_seen and not any(text.strip() for text in sections[-1][1]):
            # The text's own title: the citation names the text already.
            title_seen = True
            path = []
            sections.append(("", []))
            continue
        # Later level-1 headings (a Word document's « Titre 1 ») are sections like any other.
        path = [(lvl, name) for lvl, name in path if lvl < level] + [(level, title)]
        sections.append((SECTION_SEPARATOR.join(name for _, name in path), []))

    chunks: list[Chunk] = []
    for raw_section, lines in sections:
        # Every citation names a section: the text before the first heading is its introduction.
        section = raw_section or INTRODUCTION
        for passage in _pack(_blocks(lines), max_chars):
            chunks.append(
                Chunk(doc_id=document.doc_id, section=section, text=passage, position=len(chunks))
            )
    return chunks
