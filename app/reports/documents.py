"""One report issue in three formats from one source: :func:`sections` (headings and tables) feeds the
panel's HTML page, the Word file (:func:`docx`: A4, 黑体 headings, 仿宋 text as official documents use,
page numbers) and the xlsx of the tables. Every value is written as text; nothing a citizen typed can
become a field, a formula or markup in any of them (python-docx and openpyxl write text nodes)."""

import io
import re
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.shared import Pt
from flask_babel import gettext as _

from app.reports import periodic
from app.reports import periods
from app.reports.rates import BY_KEY
from app.reports.rates import COUNT
from app.timeutil import format_local
from app.timeutil import utcnow
from models.command import OrderKind
from models.command import SupervisionLevel
from models.enums import Channel
from models.enums import LeaderRank
from models.enums import Status

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADING_FONT, BODY_FONT = "黑体", "仿宋"
FLAG_LABELS = {"red": "Red case", "sensitive": "Sensitive", "repeat": "Repeat", "supervised": "Supervised"}


@dataclass
class Section:
    """A heading, an optional line of text, and a table (header and rows of text)."""

    heading: str
    header: list
    rows: list
    note: str = ""


def _label_channel(code: str) -> str:
    try:
        return str(Channel.label_of(code))
    except (KeyError, ValueError):
        return code or _("Not set")


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rate_text(key: str, value) -> str:
    return "—" if value is None else (str(int(value)) if BY_KEY[key].kind == COUNT else _percent(value))


def _rates_by(heading: str, unit: str, keys, rows) -> Section:
    """A table of the rates ``keys``, one row per unit: [name, *values]."""
    return Section(
        heading,
        [unit, *(periodic.rate_label(k) for k in keys)],
        [[r[0], *(_rate_text(k, v) for k, v in zip(keys, r[1:], strict=True))] for r in rows],
    )


def periodic_sections(issue) -> list[Section]:
    """A weekly, monthly or quarterly issue's tables."""
    c = issue.content
    compare = [_("Received"), _("The period before")]
    out = [
        Section(_("Intake by channel"), [_("Channel"), *compare],
                [[_label_channel(r[0]), *r[1:]] for r in c["by_channel"]]),
        Section(_("Intake by category"), [_("Category"), *compare],
                [[r[0] or _("Not set"), *r[1:]] for r in c["by_category"]]),
        Section(_("Intake by street"), [_("Street"), *compare], [[r[0] or _("Not set"), *r[1:]] for r in c["by_street"]]),
        Section(_("Rates"), [_("Rate"), _("This period"), _("The period before")],
                [[periodic.rate_label(k), _rate_text(k, now), _rate_text(k, before)] for k, now, before in c["rates"]]),
        _rates_by(_("Rates by department"), _("Lead department"),
                  c.get("department_rates", periodic.EARLIER_DEPARTMENT_RATES), c["by_department"]),
    ]  # fmt: skip
    if "orders_by_bureau" in c:  # issues built before 依令考核 have no such table
        total = [[_("All"), *c["orders_total"]]] if c["orders_by_bureau"] else []
        out.append(_rates_by(_("Orders from streets and communities (依令考核)"), _("Bureau"), c["order_rates"],
                             c["orders_by_bureau"] + total))  # fmt: skip
    board = c.get("board")
    if board is not None:
        header = [_("Rank"), _("Lead department"), _("Score")]
        out.append(Section(_("Red list"), header, board["red"]))
        out.append(Section(_("Black list"), header, board["black"]))
    return out


def sections(issue) -> list[Section]:
    """The issue's tables, in the order every format shows them."""
    if issue.kind != "daily":
        return periodic_sections(issue)
    c = issue.content
    compare = [_("Received"), _("The day before"), _("Same day last week")]
    out = [
        Section(_("Intake by channel"), [_("Channel"), *compare],
                [[_label_channel(r[0]), *r[1:]] for r in c["by_channel"]]),
        Section(_("Intake by category"), [_("Category"), *compare],
                [[r[0] or _("Not set"), *r[1:]] for r in c["by_category"]]),
        Section(_("Intake by street"), [_("Street"), *compare], [[r[0] or _("Not set"), *r[1:]] for r in c["by_street"]]),
        Section(_("Top topics"), [_("Subcategory"), _("Received")], c["top_topics"]),
        Section(_("Rising topics"), [_("Subcategory"), _("Last 7 days"), _("The 7 days before, on average"), _("Times")],
                [[r[0], r[1], r[2], "—" if r[3] is None else f"{r[3]}×"] for r in c["rising_topics"]]),
    ]  # fmt: skip
    flagged = [
        [
            r["number"],
            r["title"],
            "、".join(_(FLAG_LABELS[f]) for f in r["flags"]),
            str(Status.label_of(r["status"])),
            r["department"] or _("not dispatched"),
        ]
        for r in c["flagged"]
    ]
    more = _("… and %(num)d more.", num=c["flagged_more"]) if c["flagged_more"] else ""
    out.append(
        Section(
            _("Red, sensitive, repeat and supervised cases"),
            [_("Case number"), _("Title"), _("Flags"), _("Status"), _("Lead department")],
            flagged,
            more,
        )
    )
    if "hotspots" in c:  # issues built before 弱信号预警 have no such table
        header = [_("Category"), _("Place"), _("Days"), _("Cases received"), _("Expected"), _("Case numbers")]
        out.append(Section(_("Hot spot alerts"), header, c["hotspots"]))
    out.append(
        Section(
            _("Open overdue cases by department"),
            [_("Lead department"), _("Cases")],
            [[r[0] or _("not dispatched"), r[1]] for r in c["overdue_by_department"]],
        )
    )
    orders = [
        [r["number"], str(OrderKind.label_of(r["kind"])) + (f"·{SupervisionLevel.label_of(r['level'])}" if r["level"] else ""),
         r["content"], r["departments"], format_local(datetime.fromisoformat(r["due"])),
         _("Overdue") if r["overdue"] else ""]
        for r in c.get("orders", [])
    ]  # fmt: skip
    more = _("… and %(num)d more.", num=c["orders_more"]) if c.get("orders_more") else ""
    out.append(
        Section(
            _("Open instructions and supervision orders"),
            [
                _("Case number"),
                _("Kind"),
                _("Instruction or requirement"),
                _("Departments"),
                _("Answer by"),
                _("Overdue"),
            ],
            orders,
            more,
        )  # fmt: skip
    )
    held = [
        [r["number"], r["title"], r["leader"], str(LeaderRank.label_of(r["level"])), str(Status.label_of(r["status"])),
         _("Closed but not settled (未销案)") if r["unsettled"] else ""]
        for r in c.get("packages", [])
    ]  # fmt: skip
    more = _("… and %(num)d more.", num=c["packages_more"]) if c.get("packages_more") else ""
    out.append(
        Section(
            _("Cases in leaders' hands (包案)"),
            [_("Case number"), _("Title"), _("Leader"), _("Level"), _("Status"), _("Settled?")],
            held,
            more,
        )  # fmt: skip
    )
    out.append(
        Section(
            _("Closures and satisfaction"),
            [
                _("Closed"),
                _("Answered at intake (专班办结)"),
                _("Satisfaction recorded"),
                _("Satisfied or basically satisfied"),
                _("Satisfaction rate"),
                _("People involved"),
                _("Money involved (yuan)"),
            ],
            [
                [
                    c["closed"],
                    c.get("closed_at_intake", "—"),
                    c["rated"],
                    c["pleased"],
                    _share(c["pleased"], c["rated"]),
                    c["people"],
                    c["money"],
                ]
            ],
        )  # fmt: skip
    )
    return out


def title(issue) -> str:
    """民情日报 2026-11-30, 月度分析 2026-11 …"""
    if issue.kind == "daily":
        return _("Daily report of appeals %(day)s", day=issue.first_day.isoformat())
    label = periods.label(periodic.PERIOD_OF[issue.kind], issue.first_day, issue.last_day)
    names = {"weekly": _("Weekly report %(period)s", period=label),
             "monthly": _("Monthly analysis %(period)s", period=label),
             "quarterly": _("Quarterly assessment %(period)s", period=label)}  # fmt: skip
    return names[issue.kind]


def file_name(issue, extension: str) -> str:
    """An ASCII file name: suqiu-daily-2026-11-30.docx."""
    return f"suqiu-{issue.kind}-{issue.first_day.isoformat()}.{extension}"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    """A value as text Word can hold (characters XML forbids are dropped)."""
    return _NOT_XML.sub("", str(value))


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, font: str, size: float, bold=False, align=None):
    paragraph = document.add_paragraph()
    _font(paragraph.add_run(_text(text)), font, size, bold)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _page_number(section) -> None:
    """ "— 1 —" centred in the footer, from a PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), BODY_FONT, 14)
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _font(run, BODY_FONT, 14)
    _font(paragraph.add_run(" —"), BODY_FONT, 14)


def docx(issue) -> bytes:
    """The issue as a Word file (A4 portrait, margins of GB/T 9704, page numbers)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _page_number(section)
    _paragraph(document, title(issue), HEADING_FONT, 22, True, WD_ALIGN_PARAGRAPH.CENTER)
    built = _("Built %(time)s", time=format_local(issue.built_at or utcnow()))
    _paragraph(document, built, BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
    if issue.editor_note:
        paragraph = document.add_paragraph()
        _font(paragraph.add_run(_("Editor's note: ")), HEADING_FONT, 16, True)
        _font(paragraph.add_run(_text(issue.editor_note)), BODY_FONT, 16)
    _paragraph(document, issue.content.get("summary", ""), BODY_FONT, 16)
    for number, part in enumerate(sections(issue), start=1):
        _paragraph(document, f"{number}. {part.heading}", HEADING_FONT, 16)
        if not part.rows:
            _paragraph(document, _("None."), BODY_FONT, 14)
            continue
        table = document.add_table(rows=1, cols=len(part.header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, part.header, strict=True):
            _font(cell.paragraphs[0].add_run(_text(text)), HEADING_FONT, 10.5)
        for row in part.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                _font(cell.paragraphs[0].add_run(_text(value)), BODY_FONT, 10.5)
        if part.note:
            _paragraph(document, part.note, BODY_FONT, 12)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
