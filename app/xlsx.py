"""Writing xlsx workbooks of plain cells: every string is a text cell (never a formula), under bold headers.

User text goes into exports as typed: a name starting with ``=`` stays that text in Excel and WPS, because
the cell is written with the string type, not left for the spreadsheet to read as a formula. Characters
that an xlsx cannot hold at all (control characters other than tab and line breaks) are dropped.
"""

import io
import re

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TITLE = 31  # Excel's limit on a sheet's name
TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def text_cell(sheet, value, text_format: bool = False) -> WriteOnlyCell:
    """A write-only cell of ``value``; a string is stored as text; ``text_format`` also formats it as text."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with = stays text, never a formula
    if text_format:
        cell.number_format = "@"
    return cell


def header_row(sheet, header) -> list:
    """The bold header cells of ``sheet``."""
    cells = []
    for text in header:
        cell = text_cell(sheet, str(text))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def sheet_title(title, taken: set) -> str:
    """A sheet name Excel accepts (no ``[]:*?/\\``, at most 31 characters) that no other sheet has."""
    base = TITLE_FORBIDDEN.sub(" ", str(title)).strip() or "Sheet"
    name, number = base[:MAX_TITLE], 1
    while name.lower() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: MAX_TITLE - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def write_sheets(sheets) -> bytes:
    """An xlsx of several sheets, each given as ``(title, header, rows, widths)``; cells as in ``text_cell``."""
    workbook = openpyxl.Workbook(write_only=True)
    taken: set = set()
    for title, header, rows, widths in sheets:
        sheet = workbook.create_sheet(title=sheet_title(title, taken))
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(header_row(sheet, header))
        for row in rows:
            sheet.append([text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sheet(title: str, header: list[str], rows: list[list], widths: list[int]) -> bytes:
    """A one-sheet xlsx of plain text cells (never formulas) under a bold header row."""
    return write_sheets([(title, header, rows, widths)])
