"""Draw a :class:`~drafts.layout.Form` as a Word document with python-docx.

Text goes in through python-docx's runs, which escape it as XML text: a value such as
``{{ 7*7 }}`` or ``<script>`` is stored as those characters, never evaluated.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable

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

GREY = RGBColor(0x55, 0x55, 0x55)


def render_docx(form: Form, path: Path) -> None:
    """Write the form as a DOCX file at ``path``."""
    document = Document()
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    normal = document.styles["Normal"]
    normal.font.name = "Marianne"  # the State's typeface where installed; Word falls back
    normal.font.size = Pt(10)
    document.core_properties.title = form.title
    document.core_properties.author = "Assistant télétravail (brouillon)"
    document.core_properties.language = "fr-FR"
    width = int(section.page_width or Cm(21)) - int(Cm(4))

    for block in form.blocks:
        if isinstance(block, Title):
            if block.kicker:
                kicker = document.add_paragraph(block.kicker.upper())
                kicker.alignment = WD_ALIGN_PARAGRAPH.CENTER
                kicker.runs[0].bold = True
            document.add_heading(block.text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.italic = block.style in ("italic", "notice")
            run.bold = block.style == "bold"
            if block.style in ("small", "notice"):
                run.font.size = Pt(8)
                run.font.color.rgb = GREY
        elif isinstance(block, FieldLine):
            paragraph = document.add_paragraph()
            paragraph.add_run(block.label).bold = True
            paragraph.add_run(f" {block.value or EMPTY}")
        elif isinstance(block, Choice):
            paragraph = document.add_paragraph()
            paragraph.add_run(block.label).bold = True
            paragraph.add_run(f"  {block.boxes()}")
        elif isinstance(block, Box):
            document.add_paragraph(f"{CHECKED if block.checked else BOX} {block.text}")
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(document.add_table(rows=1, cols=len(block.columns)), block, width)
        elif isinstance(block, PageBreak):
            document.add_page_break()
    document.save(str(path))


def _table(table: DocxTable, block: Table, width: int) -> None:
    table.style = "Table Grid"
    total = sum(block.widths)
    for cell, title in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for values in block.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    for index, share in enumerate(block.widths):
        for row in table.rows:
            row.cells[index].width = int(width * share / total)
