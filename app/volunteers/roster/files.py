"""平安员 roster files: reading an uploaded xlsx or csv into rows of text, writing the xlsx export and template.

The column names below are the file format, not UI text: an upload may use the Chinese or the English
name of each column (or a common variant), and the export and the template write the set that matches the
user's language, so a file exported in either language imports again unchanged.
"""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

import openpyxl
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# field -> (Chinese header, English header, other accepted spellings)
COLUMNS = {
    "name": ("姓名", "Name", ("名字", "full name")),
    "phone": ("手机号", "Phone", ("手机号码", "手机", "电话", "联系电话", "mobile", "phone number")),
    "id_number": ("身份证号", "ID number", ("身份证号码", "身份证", "公民身份号码", "id no", "id card")),
    "group": ("群体", "Group", ("类别", "群体类别", "身份类别")),
    "community": ("社区", "Community", ("所属社区",)),
    "joined_on": ("加入日期", "Joined on", ("加入时间", "入队日期", "joined", "join date")),
    "status": ("状态", "Status", ()),
    "patrol_area": ("巡查区域", "Patrol area", ("巡逻区域", "巡查范围")),
    "notes": ("备注", "Notes", ("note", "remarks", "说明")),
}
REQUIRED_COLUMNS = ("name", "phone", "group", "community")
TEXT_COLUMNS = ("phone", "id_number")  # written as text so Excel keeps every digit
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in office spreadsheets
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an xlsx is a zip: refuse zip bombs before parsing


class RosterFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass
class RosterSheet:
    """The rows of an uploaded roster: ``records`` hold text per field and the 1-based spreadsheet row."""

    records: list[dict] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def header_key(text) -> str:
    return " ".join(str(text).replace("_", " ").replace("*", "").replace("＊", "").split()).lower()


HEADER_ALIASES = {
    header_key(alias): name for name, (zh, en, others) in COLUMNS.items() for alias in (name, zh, en, *others)
}


def header_names() -> list[str]:
    """The column names in the user's language, in file order."""
    chinese = str(get_locale() or "zh").startswith("zh")
    return [zh if chinese else en for zh, en, _others in COLUMNS.values()]


def _text(value) -> tuple[str, bool]:
    """A cell as stripped text, and whether the spreadsheet stored it as a number."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()), False
    if isinstance(value, date):
        return value.isoformat(), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else str(value)), True
    return str(value).replace("\ufeff", "").strip(), False


def _xlsx_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise RosterFileError(_("The Excel file is damaged and cannot be read.")) from exc
    if "xl/workbook.xml" not in names:
        raise RosterFileError(_("This is not an Excel workbook (.xlsx)."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterFileError(_("The Excel file is too large once unpacked."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise RosterFileError(_("The Excel file is damaged and cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong sheet size; read every row
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    elif b"\x00" in data:
        raise RosterFileError(_("The file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    else:
        encodings = ("utf-8", "gb18030")  # Excel and WPS on Chinese Windows save CSV as GBK
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(_("The CSV file's text encoding is not UTF-8 or GBK; save it again as CSV UTF-8."))


def _csv_rows(data: bytes):
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as exc:
        raise RosterFileError(_("The CSV file is malformed and cannot be read.")) from exc


def _find_header(row) -> dict[str, int] | None:
    columns = {}
    for index, value in enumerate(row):
        name = HEADER_ALIASES.get(header_key(_text(value)[0]))
        if name is not None:
            if name in columns:
                raise RosterFileError(_("The column %(name)s appears twice.", name=_text(value)[0]))
            columns[name] = index
    return columns if len(columns) >= 2 else None


def _header(rows):
    """The first row that names at least two roster columns, with its column positions and unknown names."""
    for number, row in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        columns = _find_header(row)
        if columns is not None:
            ignored = [
                text
                for index, value in enumerate(row)
                if (text := _text(value)[0]) and index not in columns.values()
            ]
            return columns, ignored
    raise RosterFileError(
        _(
            "No header row found: the first row must name the columns, e.g. %(names)s.",
            names="、".join(header_names()),
        )
    )


def read_roster(data: bytes, max_rows: int) -> RosterSheet:
    """Read an xlsx or csv roster (told apart by its bytes, not its name) into a :class:`RosterSheet`."""
    if not data.strip():
        raise RosterFileError(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RosterFileError(_("Old .xls files cannot be read; save the file as .xlsx or CSV."))
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    try:
        columns, ignored = _header(rows)
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            names = "、".join(header_names()[list(COLUMNS).index(name)] for name in missing)
            raise RosterFileError(_("Required columns are missing: %(names)s.", names=names))
        sheet = RosterSheet(ignored_columns=ignored)
        for number, row in rows:
            cells = {
                name: _text(row[index]) if index < len(row) else ("", False)
                for name, index in columns.items()
            }
            if not any(text for text, _numeric in cells.values()):
                continue
            if len(sheet.records) >= max_rows:
                raise RosterFileError(
                    _("The file has more than %(max)d rows; split it into smaller files.", max=max_rows)
                )
            sheet.records.append(
                {
                    "row": number,
                    "values": {name: text for name, (text, _numeric) in cells.items()},
                    "numeric": sorted(name for name, (_text_, numeric) in cells.items() if numeric),
                }
            )
    except RosterFileError:
        raise
    except Exception as exc:  # a sheet that breaks half-way through
        raise RosterFileError(_("The file is damaged and cannot be read.")) from exc
    if not sheet.records:
        raise RosterFileError(_("The file has no volunteer rows under the header."))
    return sheet


def _cell(sheet, value, name: str):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with = stays text, never a formula
    if name in TEXT_COLUMNS:
        cell.number_format = "@"
    return cell


def write_roster(rows, help_rows=None) -> bytes:
    """An xlsx workbook: the header row, then ``rows`` (dicts by field); ``help_rows`` fill a second sheet."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Volunteer roster")[:31])
    widths = {"name": 12, "phone": 15, "id_number": 21, "group": 16, "community": 16, "joined_on": 12}
    for index, name in enumerate(COLUMNS):
        letter = openpyxl.utils.get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = widths.get(name, 24)
    sheet.freeze_panes = "A2"
    header = []
    for title in header_names():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, row.get(name), name) for name in COLUMNS])
    if help_rows:
        notes = workbook.create_sheet(title=_("How to fill in")[:31])
        notes.column_dimensions["A"].width = 16
        notes.column_dimensions["B"].width = 60
        for title, text in help_rows:
            notes.append([_cell(notes, str(title), ""), _cell(notes, str(text), "")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sheet(title: str, header: list[str], rows: list[list], widths: list[int]) -> bytes:
    """A one-sheet xlsx of plain text cells (never formulas) under a bold header row."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([_cell(sheet, value, "") for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
