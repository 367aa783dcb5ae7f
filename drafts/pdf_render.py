"""Draw a :class:`~drafts.layout.Form` as a PDF with fpdf2 (pure Python, from PyPI).

Fonts: DejaVu Sans from Debian's ``fonts-dejavu-core`` (present on the project's machines),
or the folder named by ``TELETRAVAIL_PDF_FONT_DIR``; it covers French, the box characters
and right-to-left scripts. Without it the PDF falls back to the core Helvetica font and
replaces what Latin-1 cannot hold, rather than failing. Values are written as text cells:
fpdf2 interprets no markup unless asked (``markdown`` stays off).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from drafts.layout import (
    BOX,
    CHECKED,
    EMPTY,
    Box,
    Bullets,
    Choice,
    FieldLine,
    Form,
    Heading,
    PageBreak,
    Para,
    Table,
    Title,
)

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
GREY = (85, 85, 85)
BLUE = (0, 0, 145)  # the French administration's blue


@lru_cache(maxsize=1)
def font_dir() -> Path | None:
    """The folder holding DejaVu Sans, or None (core font fallback)."""
    candidates = [os.environ.get("TELETRAVAIL_PDF_FONT_DIR", ""), *FONT_DIRS]
    for folder in filter(None, candidates):
        if all((Path(folder) / name).is_file() for name in FONT_FILES.values()):
            return Path(folder)
    return None


class _FormPdf(FPDF):
    """A4 portrait with the form's title in the footer and page numbers."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.form_title = title
        folder = font_dir()
        if folder is not None:
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, str(folder / name))
            # HarfBuzz shaping: joined Arabic letters, right-to-left runs in visual order.
            self.set_text_shaping(use_shaping_engine=True)
        self.family = "DejaVu" if folder is not None else "helvetica"
        self.set_margins(18, 14, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_author("Assistant télétravail (brouillon)")
        self.set_lang("fr-FR")

    def safe(self, text: str) -> str:
        """Text the current font can draw (only the core-font fallback changes anything)."""
        if self.family == "DejaVu":
            return text
        return (
            text.replace(BOX, "[ ]")
            .replace(CHECKED, "[X]")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.safe(f"{self.form_title} — page {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0, 0, 0)

    def write_text(self, text: str, size: float = 10, style: str = "", height: float = 5) -> None:
        self.set_font(self.family, style, size)
        self.multi_cell(0, height, self.safe(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def labelled(self, label: str, value: str) -> None:
        """« Label : value » in one flowing paragraph, the label in bold."""
        self.set_font(self.family, "B", 10)
        self.write(5.5, self.safe(label + " "))
        self.set_font(self.family, "", 10)
        self.write(5.5, self.safe(value))
        self.ln(6.5)


def render_pdf(form: Form, path: Path) -> None:
    """Write the form as a PDF file at ``path``."""
    pdf = _FormPdf(form.title)
    pdf.add_page()
    for block in form.blocks:
        if isinstance(block, Title):
            if block.kicker:
                pdf.set_text_color(*BLUE)
                pdf.set_font(pdf.family, "B", 11)
                pdf.cell(
                    0,
                    6,
                    pdf.safe(block.kicker.upper()),
                    align="C",
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
            pdf.set_font(pdf.family, "B", 14)
            pdf.multi_cell(
                0, 7, pdf.safe(block.text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2)
        elif isinstance(block, Heading):
            pdf.ln(2)
            pdf.set_text_color(*BLUE)
            pdf.write_text(block.text, 12 if block.level == 1 else 10.5, "B", 6)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif isinstance(block, Para):
            small = block.style in ("small", "notice")
            if small:
                pdf.set_text_color(*GREY)
            style = {"italic": "I", "notice": "I", "bold": "B"}.get(block.style, "")
            pdf.write_text(block.text, 7.5 if small else 10, style, 4 if small else 5)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1.5)
        elif isinstance(block, FieldLine):
            pdf.labelled(block.label, block.value or EMPTY)
        elif isinstance(block, Choice):
            pdf.labelled(block.label, "  " + block.boxes())
        elif isinstance(block, Box):
            pdf.write_text(f"{CHECKED if block.checked else BOX}  {block.text}")
            pdf.ln(1.5)
        elif isinstance(block, Bullets):
            for item in block.items:
                pdf.write_text(f"•  {item}")
            pdf.ln(1.5)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, PageBreak):
            pdf.add_page()
    pdf.output(str(path))


def _table(pdf: _FormPdf, block: Table) -> None:
    pdf.set_font(pdf.family, "", 8.5)
    heading = FontFace(emphasis="BOLD", fill_color=(232, 232, 245))
    with pdf.table(
        col_widths=block.widths,
        headings_style=heading,
        line_height=4.5,
        text_align="LEFT",
        padding=1.2,
    ) as table:
        for values in (block.columns, *block.rows):
            row = table.row()
            for value in values:
                row.cell(pdf.safe(value))
    pdf.ln(3)
