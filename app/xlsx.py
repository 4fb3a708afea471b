"""Writing xlsx workbooks of typed cells: text stays text (never a formula), numbers are numbers, times are
real Excel date-times in Beijing time, under a bold, frozen header row and columns wide enough to read.

User text goes into exports as typed: a name starting with ``=`` stays that text in Excel and WPS, because
the cell is written with the string type, not left for the spreadsheet to read as a formula. Characters
that an xlsx cannot hold at all (control characters other than tab and line breaks) are dropped. A
datetime is written in Asia/Shanghai time (a naive one is taken as UTC, as everywhere in the app) with a
date-and-time format; a date with a date format.
"""

import io
import re
import unicodedata
from datetime import date
from datetime import datetime

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.timeutil import to_local

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TITLE = 31  # Excel's limit on a sheet's name
TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DATETIME_FORMAT, DATE_FORMAT = "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 6, 60
WIDTH_SAMPLE = 500  # rows looked at to size the columns


def text_cell(sheet, value, text_format: bool = False) -> WriteOnlyCell:
    """A write-only cell of ``value``: a string as text, a number as a number, a datetime or date as one."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, datetime):
        value = to_local(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with = stays text, never a formula
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
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


def display_width(value) -> int:
    """How many columns ``value`` takes on screen: wide (CJK) characters count double; the longest line."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("2026-01-01 00:00")
    if isinstance(value, date):
        return len("2026-01-01")
    lines = str(value).split("\n")
    return max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in lines)


def column_widths(header, rows) -> list[int]:
    """Widths that fit the header and the first rows' values, between the minimum and the maximum."""
    widths = [display_width(text) for text in header]
    for row in rows[:WIDTH_SAMPLE]:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]


def write_sheets(sheets) -> bytes:
    """An xlsx of several sheets, each given as ``(title, header, rows, widths)``; cells as in ``text_cell``;
    ``widths`` None sizes the columns from the content."""
    workbook = openpyxl.Workbook(write_only=True)
    taken: set = set()
    for title, header, rows, widths in sheets:
        sheet = workbook.create_sheet(title=sheet_title(title, taken))
        if widths is None:
            rows = rows if isinstance(rows, list) else list(rows)
            widths = column_widths(header, rows)
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(header_row(sheet, header))
        for row in rows:
            sheet.append([text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sheet(title: str, header: list[str], rows: list[list], widths: list[int] | None = None) -> bytes:
    """A one-sheet xlsx of typed cells (text never a formula) under a bold, frozen header row."""
    return write_sheets([(title, header, rows, widths)])
