"""A neutral description of a form, drawn the same way in DOCX and in PDF.

The form builders (:mod:`drafts.forms`) say *what* a page holds — titles, labelled fields,
tables, OUI/NON boxes, footnotes — and the two renderers say *how* each block looks in their
format. Values are plain strings: no renderer interprets markup or templates in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EMPTY = "………"
BOX, CHECKED = "☐", "☒"


@dataclass(frozen=True)
class Title:
    """The form's name, with the annex it is (« Annexe 1 »)."""

    text: str
    kicker: str = ""


@dataclass(frozen=True)
class Heading:
    """A step or section heading (level 1: « Étape 1 », level 2: « Organisation »)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """Running text; ``style`` is ``normal``, ``italic``, ``bold``, ``small`` or ``notice``."""

    text: str
    style: str = "normal"


@dataclass(frozen=True)
class FieldLine:
    """« Label : value », or the label and a dotted line when the value is left to fill."""

    label: str
    value: str = ""


@dataclass(frozen=True)
class Choice:
    """A question answered by ticking one box (OUI/NON); ``selected`` None leaves both empty."""

    label: str
    selected: str | None = None
    options: tuple[str, ...] = ("OUI", "NON")

    def boxes(self) -> str:
        """The options as text boxes: « ☒ OUI  ☐ NON »."""
        return "  ".join(
            f"{CHECKED if option == self.selected else BOX} {option}" for option in self.options
        )


@dataclass(frozen=True)
class Box:
    """A statement with a box in front, left for the agent to tick."""

    text: str
    checked: bool = False


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``widths`` are relative column widths."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (steps 2 and 3 of annex 1 begin on their own page)."""


Block = Title | Heading | Para | FieldLine | Choice | Box | Bullets | Table | PageBreak


@dataclass(frozen=True)
class Form:
    """One document: its file name stem, its title (metadata) and its blocks."""

    name: str
    title: str
    blocks: list[Block] = field(default_factory=list)
