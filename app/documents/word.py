"""A :class:`~app.documents.content.Paper` as a Word file: A4, the office's name as a red heading, 黑体
titles and 仿宋 text as official documents use, and a （盖章） box for the seal.

Every text goes in as a plain text run (python-docx writes text nodes), so nothing a citizen typed can become
a field or markup; characters XML cannot hold are dropped again here, whatever the caller passed.
"""

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.shared import Pt
from docx.shared import RGBColor
from flask_babel import gettext as _

from app.documents.content import Paper
from app.documents.content import printable

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADING_FONT, BODY_FONT, TITLE_FONT = "黑体", "仿宋", "宋体"
RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, name: str, size: float, bold: bool = False, colour=None) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    if colour is not None:
        run.font.color.rgb = colour
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _line(container, text, font=BODY_FONT, size=14.0, bold=False, align=None, colour=None, indent=False):
    paragraph = container.add_paragraph()
    _font(paragraph.add_run(printable(text)), font, size, bold, colour)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    return paragraph


def _cell(cell, text, font=BODY_FONT, size=10.5, bold=False) -> None:
    lines = printable(text).split("\n") or [""]
    first = cell.paragraphs[0]
    _font(first.add_run(lines[0]), font, size, bold)
    for more in lines[1:]:
        _font(cell.add_paragraph().add_run(more), font, size, bold)


def _heading(document, paper: Paper) -> None:
    office = _line(document, paper.office, TITLE_FONT, 22, True, WD_ALIGN_PARAGRAPH.CENTER, RED)
    office.paragraph_format.space_after = Pt(12)
    border, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")  # the red line under a 红头
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    office._p.get_or_add_pPr().append(border)
    _line(document, paper.title, HEADING_FONT, 18, True, WD_ALIGN_PARAGRAPH.CENTER)
    _line(document, _("No. %(number)s", number=paper.number), BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _fields(document, rows) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        _cell(cells[0], label, HEADING_FONT)
        _cell(cells[1], value)
    table.autofit = False
    for column, width in zip(table.columns, (Cm(3.2), Cm(12.4)), strict=True):
        column.width = width  # the grid, which LibreOffice and WPS read
        for cell in column.cells:
            cell.width = width  # each cell, which Word reads


def _table(document, part) -> None:
    _line(document, part.heading, HEADING_FONT, 14, True)
    if not part.rows:
        _line(document, part.empty or _("None."), BODY_FONT, 12)
        return
    table = document.add_table(rows=1, cols=len(part.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, part.header, strict=True):
        _cell(cell, text, HEADING_FONT)
    for row in part.rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            _cell(cell, value)


def _signatures(document, labels) -> None:
    table = document.add_table(rows=1, cols=len(labels))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, labels, strict=True):
        _cell(cell, label, HEADING_FONT, 12)
        for _blank in range(3):
            cell.add_paragraph()
        _cell_line = cell.add_paragraph()
        _font(_cell_line.add_run(_("Signature:") + "\u3000\u3000\u3000" + _("Date:")), BODY_FONT, 10.5)


def _closing(document, paper: Paper) -> None:
    document.add_paragraph()
    _line(document, paper.office, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, paper.dated, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    seal = document.add_table(rows=1, cols=1)
    seal.style = "Table Grid"
    seal.alignment = WD_TABLE_ALIGNMENT.RIGHT
    seal.autofit = False
    seal.columns[0].width = Cm(4.2)
    seal.rows[0].height = Cm(4.2)
    cell = seal.rows[0].cells[0]
    cell.width = Cm(4.2)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _cell(cell, "\n" + _("(Seal)") + "\n", BODY_FONT, 12)
    cell.paragraphs[1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def docx(paper: Paper) -> bytes:
    """``paper`` as a Word file (A4 portrait, margins of GB/T 9704)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.8)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    document.core_properties.title = printable(paper.title)
    _heading(document, paper)
    if paper.fields:
        _fields(document, paper.fields)
    if paper.salutation:
        _line(document, paper.salutation, BODY_FONT, 16)
    for text in paper.paragraphs:
        _line(document, text, BODY_FONT, 16, indent=True)
    for part in paper.tables:
        _table(document, part)
    if paper.signatures:
        _line(document, "", BODY_FONT, 10)
        _signatures(document, paper.signatures)
    _closing(document, paper)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
