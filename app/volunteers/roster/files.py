"""平安员 roster files: reading an uploaded xlsx or csv into rows of text within fixed limits of work, writing
the xlsx export and template.

The column names below are the file format, not UI text: an upload may use the Chinese or the English
name of each column (or a common variant), and the export and the template write the set that matches the
user's language, so a file exported in either language imports again unchanged.

Reading is bounded, not just the upload: an xlsx is a zip of XML parts, so a 5 MB upload can unpack to
hundreds of MB, and openpyxl parses every cell of a row however few it returns, the whole shared-strings
table and the whole style sheet at load, and a whole sheet that lacks a size. So the zip is measured and
every XML part counted (rows, cells per row, texts, elements) by one streaming pass before openpyxl opens
the file, rows are read only up to the row limit and :data:`MAX_COLUMNS` wide, the header is looked for
in the first :data:`HEADER_SEARCH_ROWS` rows only, and the whole read stops after :data:`READ_SECONDS`.
Every refusal is a :class:`RosterFileError` whose message names the limit; nothing is kept.
"""

import codecs
import csv
import io
import posixpath
import time
import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from xml.parsers import expat

import openpyxl
import openpyxl.xml
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.xlsx import XLSX_MIMETYPE  # noqa: F401  (re-exported: the roster and link views import it from here)
from app.xlsx import text_cell
from app.xlsx import write_sheet  # noqa: F401  (re-exported for admin_views.volunteers.links)

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
MB = 1024 * 1024

# Limits on reading one upload (the upload itself is capped by ROSTER_IMPORT_MAX_BYTES, 5 MB, and its
# volunteer rows by ROSTER_IMPORT_MAX_ROWS, 20,000). A real 20,000-row roster unpacks to about 12 MB of XML
# in at most about 800,000 elements and is read in 5 to 8 s; each limit leaves it room and stops what a
# real roster never looks like.
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in office spreadsheets
MAX_COLUMNS = 50  # cells read per row: the roster has 9 columns, the rest is ignored
MAX_ROW_CELLS = 1000  # cells a row may hold at all: openpyxl parses every cell of a row it returns
SPARE_ROWS = 1000  # empty rows (formatted, or left over at the end) allowed beyond the volunteer rows
READ_SECONDS = 15  # the whole read, zip check included; a real 20,000-row file takes 5 to 8 s
MAX_PARTS = 200  # a workbook has 10 to 30 parts, a few more per sheet or picture
MAX_UNPACKED_BYTES = 100 * MB  # 20 times the 5 MB upload limit, all parts together
MAX_PART_BYTES = 32 * MB  # one part (a 20,000-row sheet is about 12 MB)
MAX_COMPRESSION_RATIO = 100  # spreadsheet XML compresses 5 to 20 fold; zip bombs about 1,000 fold
RATIO_CHECKED_FROM = 1 * MB  # small parts may compress any amount
MAX_SHARED_STRINGS = 250_000  # openpyxl loads the whole table first (200,000 texts take about 2.5 s)
MAX_XML_ELEMENTS = 1_500_000  # in all parts together
MAX_OTHER_ELEMENTS = 50_000  # in parts other than the bulk parts: styles, drawings, comments, relationships
# The bulk parts, which may hold many elements: openpyxl in read-only mode streams the rows of worksheets and
# the texts of the shared-strings table, and never reads the formula chain or the pivot caches. Any other
# part it reads, it reads whole into a tree, so a bulk part may not be one of those (see whole_parts).
BULK_ROOTS = {"worksheet", "sst", "calcChain", "pivotCacheDefinition", "pivotCacheRecords"}
BULK_RELATIONSHIPS = (
    "/worksheet",
    "/sharedStrings",
    "/calcChain",
    "/pivotCacheDefinition",
    "/pivotCacheRecords",
)
BULK_CONTENT_TYPES = tuple(f"{kind[1:]}+xml" for kind in BULK_RELATIONSHIPS)  # worksheet+xml, ...
READ_WHOLE = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/styles.xml",
    "docProps/core.xml",
    "docProps/custom.xml",
}


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


def _row_limit(max_rows: int) -> int:
    """The last spreadsheet row read: the header search, the volunteer rows and a few empty rows."""
    return HEADER_SEARCH_ROWS + max_rows + SPARE_ROWS


def _too_many_rows(limit: int) -> RosterFileError:
    return RosterFileError(
        _(
            "A sheet in the file has more than %(max)d rows, counting empty ones; delete the empty rows at "
            "its end or split the file.",
            max=limit,
        )
    )


def _too_many_cells() -> RosterFileError:
    return RosterFileError(
        _(
            "A row in the file has more than %(max)d cells; delete the unused columns or save the sheet as CSV.",
            max=MAX_ROW_CELLS,
        )
    )


def _damaged() -> RosterFileError:
    return RosterFileError(_("The Excel file is damaged and cannot be read."))


class _Deadline:
    def __init__(self):
        self.end = time.monotonic() + READ_SECONDS

    def check(self):
        if time.monotonic() > self.end:
            raise RosterFileError(
                _(
                    "Reading the file took more than %(seconds)d seconds; split it into smaller files.",
                    seconds=READ_SECONDS,
                )
            )


class _PartCounter:
    """Counts what openpyxl would build from the XML parts, while streaming them through expat."""

    def __init__(self, row_limit: int):
        self.row_limit = row_limit
        self.elements = self.other = self.strings = 0
        self.bulk_parts = set()  # parts whose root is one of BULK_ROOTS
        self.whole_parts = set(READ_WHOLE)  # parts openpyxl may read whole, by path or by reference

    def scan(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, deadline: _Deadline):
        self.depth, self.rows, self.row_depth, self.cells, self.string_depth = 0, 0, 0, 0, 0
        self.bulk = False
        self.part = info.filename
        parser = expat.ParserCreate()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.StartDoctypeDeclHandler = self._doctype  # no DTD, so no entities
        first = b""
        with archive.open(info) as member:
            try:
                while chunk := member.read(64 * 1024):
                    deadline.check()
                    first = first or chunk
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
            except expat.ExpatError:
                # A picture, or XML that openpyxl, parsing with this same expat, stops at where this count
                # stopped. With lxml installed openpyxl would read on, so then broken XML is refused.
                if openpyxl.xml.LXML and first.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")[:1] == b"<":
                    raise _damaged() from None

    def _doctype(self, *_args):
        raise _damaged()

    def _start(self, name, attributes):
        self.depth += 1
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise RosterFileError(
                _(
                    "The Excel file has too much content to read (more than %(max)d items); split it into "
                    "smaller files.",
                    max=MAX_XML_ELEMENTS,
                )
            )
        if self.row_depth:
            if self.depth == self.row_depth + 1:
                self.cells += 1
                if self.cells > MAX_ROW_CELLS:
                    raise _too_many_cells()
        elif not self.string_depth:
            local = name.rpartition(":")[2]
            if self.depth == 1 and local in BULK_ROOTS:
                self.bulk = True
                self.bulk_parts.add(self.part)
            if local == "row":
                self.row_depth, self.cells, self.rows = self.depth, 0, self.rows + 1
                if self.rows > self.row_limit:
                    raise _too_many_rows(self.row_limit)
            elif local == "si":
                self.string_depth, self.strings = self.depth, self.strings + 1
                if self.strings > MAX_SHARED_STRINGS:
                    raise RosterFileError(
                        _(
                            "The Excel file holds more than %(max)d different texts; split it into smaller files.",
                            max=MAX_SHARED_STRINGS,
                        )
                    )
            elif local == "Relationship":
                self._referenced(attributes)
            elif local == "Override" and not attributes.get("ContentType", "").endswith(BULK_CONTENT_TYPES):
                self.whole_parts.add(attributes.get("PartName", "").lstrip("/"))
        if not self.bulk:
            self.other += 1
            if self.other > MAX_OTHER_ELEMENTS:
                raise RosterFileError(
                    _(
                        "The Excel file carries too much formatting or too many drawings (more than %(max)d "
                        "items); copy the data into a new workbook or save it as CSV.",
                        max=MAX_OTHER_ELEMENTS,
                    )
                )

    def _end(self, _name):
        if self.depth == self.row_depth:
            self.row_depth = 0
        elif self.depth == self.string_depth:
            self.string_depth = 0
        self.depth -= 1

    def _referenced(self, attributes):
        """Note a part another part points at other than as a bulk part: openpyxl may read it whole."""
        target = attributes.get("Target", "")
        if attributes.get("TargetMode") == "External" or attributes.get("Type", "").endswith(
            BULK_RELATIONSHIPS
        ):
            return
        if self.part.endswith(".rels"):  # resolved as openpyxl's get_dependents does
            parent = posixpath.split(posixpath.dirname(self.part))[0]
            target = (
                target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
            )
        self.whole_parts.add(target)


def _check_archive(archive: zipfile.ZipFile, row_limit: int, deadline: _Deadline):
    """Refuse a zip that would take openpyxl too long or too much memory, before openpyxl opens it."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise RosterFileError(
            _(
                "The Excel file has more than %(max)d parts; save it again as a plain workbook or as CSV.",
                max=MAX_PARTS,
            )
        )
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise RosterFileError(
                _(
                    "A part of the Excel file unpacks to more than %(size)d MB; split it into smaller files.",
                    size=MAX_PART_BYTES // MB,
                )
            )
        if (
            info.file_size > RATIO_CHECKED_FROM
            and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size
        ):
            raise RosterFileError(
                _(
                    "A part of the Excel file is compressed more than %(ratio)d-fold, which a spreadsheet never "
                    "is; the file is refused.",
                    ratio=MAX_COMPRESSION_RATIO,
                )
            )
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise RosterFileError(
            _(
                "The Excel file unpacks to more than %(size)d MB; split it into smaller files.",
                size=MAX_UNPACKED_BYTES // MB,
            )
        )
    counter = _PartCounter(row_limit)
    for info in infos:
        counter.scan(archive, info, deadline)
    if any(name in counter.whole_parts or name.endswith(".rels") for name in counter.bulk_parts):
        raise _damaged()  # a bulk part named where openpyxl reads a part whole


def _xlsx_rows(data: bytes, row_limit: int, deadline: _Deadline):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise RosterFileError(_("This is not an Excel workbook (.xlsx)."))
            _check_archive(archive, row_limit, deadline)
    except RosterFileError:
        raise
    except Exception as exc:  # a bad zip, a bad checksum, an unsupported or encrypted part
        raise _damaged() from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise _damaged() from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong sheet size; read every row
        yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
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


def _bounded(rows, row_limit: int, deadline: _Deadline):
    """The rows up to ``row_limit``, each cut to :data:`MAX_COLUMNS` cells, within the time allowed."""
    for number, row in rows:
        if number > row_limit:
            raise _too_many_rows(row_limit)
        if len(row) > MAX_ROW_CELLS:
            raise _too_many_cells()
        deadline.check()
        yield number, row[:MAX_COLUMNS]


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
    """The first row that names at least two roster columns, with its column positions and unknown names;
    only the first :data:`HEADER_SEARCH_ROWS` rows are looked at."""
    for number, row in rows:
        columns = _find_header(row)
        if columns is not None:
            ignored = [
                text
                for index, value in enumerate(row)
                if (text := _text(value)[0]) and index not in columns.values()
            ]
            return columns, ignored
        if number >= HEADER_SEARCH_ROWS:
            break
    raise RosterFileError(
        _(
            "No header row found in the first %(rows)d rows: the header must name the columns, e.g. %(names)s.",
            rows=HEADER_SEARCH_ROWS,
            names="、".join(header_names()),
        )
    )


def read_roster(data: bytes, max_rows: int) -> RosterSheet:
    """Read an xlsx or csv roster (told apart by its bytes, not its name) into a :class:`RosterSheet`,
    within the limits above."""
    deadline = _Deadline()
    if not data.strip():
        raise RosterFileError(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RosterFileError(_("Old .xls files cannot be read; save the file as .xlsx or CSV."))
    row_limit = _row_limit(max_rows)
    if data.startswith(b"PK\x03\x04"):
        rows = _bounded(_xlsx_rows(data, row_limit, deadline), row_limit, deadline)
    else:
        rows = _bounded(_csv_rows(data), row_limit, deadline)
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
    return text_cell(sheet, value, text_format=name in TEXT_COLUMNS)


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
