"""What each printed case document says, as plain data: one :class:`Paper` feeds both the print page and the
Word file, so the two always carry the same text.

Personal data is shown as the viewing user sees it on the case page (:mod:`app.auth.pii` for the citizen's
phone and ID number, :mod:`app.auth.redaction` for numbers typed into free text), and every text is cleaned
of the control characters that XML (and so Word) cannot hold. Escaping is the renderer's job.
"""

import re
from dataclasses import dataclass
from dataclasses import field

from flask_babel import format_date
from flask_babel import gettext as _

from app.auth.pii import reveal
from app.auth.redaction import reveal_text
from app.config import public_url
from app.org.office import office_name
from app.timeutil import format_local
from app.timeutil import local_day
from app.timeutil import utcnow
from models.deadline import DeadlineStatus
from models.deadline import ExtensionStatus
from models.deadline import Stage

SHEET, REPLY, EXTENSION = "sheet", "reply", "extension"
KINDS = (SHEET, REPLY, EXTENSION)
NOTE_ACTIONS = ("contact", "contact_part", "comment", "return", "answer_part", "draft_reply", "direct_answer")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def printable(value) -> str:
    """``value`` as text any document can hold: characters XML forbids (control characters) are dropped."""
    return "" if value is None else _NOT_XML.sub("", str(value))


@dataclass
class Table:
    """A titled table of text: header cells and rows of cells."""

    heading: str
    header: list
    rows: list
    empty: str = ""


@dataclass
class Paper:
    """One printed document: the office's heading, a title, then its parts in order; empty parts are skipped."""

    kind: str
    office: str
    title: str
    number: str
    fields: list = field(default_factory=list)  # (label, value) rows of the form
    tables: list = field(default_factory=list)
    salutation: str = ""
    paragraphs: list = field(default_factory=list)
    signatures: list = field(default_factory=list)  # labels of the boxes to sign by hand
    dated: str = ""  # the date above the seal
    file_stem: str = ""
    personal: list = field(default_factory=list)  # the case's personal fields it shows, for the audit trail


def _p(value, user) -> str:
    """Free text as ``user`` may see it, cleaned."""
    return printable(reveal_text(None if value is None else str(value), user))


def _label(value) -> str:
    return "" if value is None else printable(getattr(value, "label", value))


def _today() -> str:
    return format_date(local_day(utcnow()), "long")


def _office() -> str:
    return printable(office_name())


def _salutation(case) -> str:
    name = printable(case.citizen_name).strip()
    return _("Dear %(name)s:", name=name) if name else _("Dear citizen:")


def _actor(event) -> str:
    if event.actor is not None:
        return printable(event.actor.display_name)
    data = event.data or {}
    by_citizen = data.get("by") == "citizen" or (
        event.action == "receive" and data.get("channel") == "mailbox"
    )
    return _("Citizen") if by_citizen else _("System")


def deadline_state(deadline) -> str:
    """Where one deadline stands, in words."""
    if deadline.status == DeadlineStatus.MET:
        return _("Met late") if deadline.breached_at else _("Met")
    if deadline.status == DeadlineStatus.CANCELLED:
        return _("Cancelled")
    return _("Overdue") if deadline.breached_at else _("Running")


def _deadlines(case) -> Table:
    rows = []
    for d in case.deadlines:
        due = format_local(d.due_at)
        if d.extended_count:
            due += " " + _("(extended ×%(num)d)", num=d.extended_count)
        rows.append([_label(d.stage), due, deadline_state(d), format_local(d.met_at)])
    header = [_("Step"), _("Due"), _("State"), _("Done at")]
    return Table(_("Time limits"), header, rows, _("No time limit runs for this case."))


def _timeline(case, user) -> tuple[Table, Table]:
    steps, notes = [], []
    for event in case.events:
        moved = event.from_status and event.to_status and event.from_status != event.to_status
        change = f"{_label(event.from_status)} → {_label(event.to_status)}" if moved else ""
        steps.append([format_local(event.at), _actor(event), _label(event.action), change])
        if event.note and event.action in NOTE_ACTIONS:
            notes.append([format_local(event.at), _actor(event), _label(event.action), _p(event.note, user)])
    header = [_("Time"), _("By"), _("Step")]
    return (
        Table(_("Timeline summary"), [*header, _("Status")], steps),
        Table(_("Handling notes"), [*header, _("Note")], notes, _("No handling notes yet.")),
    )


def case_sheet(case, user) -> Paper:
    """诉求办理单: the case as the department works it, with time limits, timeline and boxes to sign."""
    citizen = printable(case.citizen_name) or _("Anonymous")
    fields = [
        (_("Case number"), printable(case.number)),
        (_("Time received"), format_local(case.received_at)),
        (_("Channel"), _label(case.channel)),
        (_("Request type"), _label(case.request_type)),
        (_("Citizen name"), citizen),
        (_("Citizen phone"), printable(reveal("citizen_phone", case.citizen_phone, user))),
        (_("ID number"), printable(reveal("citizen_id_no", case.citizen_id_no, user))),
        (_("Address"), _p(case.address, user)),
        (_("Title"), _p(case.title, user)),
        (_("Content"), _p(case.content, user)),
        (_("Category"), printable(case.category) if case.category else ""),
        (
            _("Grade"),
            _label(case.grade) + (f"（{_p(case.grade_reason, user)}）" if case.grade_reason else ""),
        ),
        (_("Lead department"), printable(case.lead_department.name) if case.lead_department else ""),
        (_("Co-departments"), "、".join(printable(d.name) for d in case.co_departments)),
        (_("Status"), _label(case.status)),
        (_("Reply"), _p(case.reply_text, user)),
    ]
    steps, notes = _timeline(case, user)
    return Paper(
        kind=SHEET,
        office=_office(),
        title=_("Case handling sheet"),
        number=printable(case.number),
        fields=[(label, value) for label, value in fields if value],
        tables=[_deadlines(case), steps, notes],
        signatures=[_("Handler"), _("Head of the department"), _("Leader's instruction")],
        dated=_today(),
        file_stem=f"{case.number}-sheet",
        personal=["citizen_name", "citizen_phone", "citizen_id_no", "address"],
    )


def _about(case, user) -> dict:
    """The case as the citizen knows it, for the first sentence of a notice."""
    return {
        "day": format_date(local_day(case.received_at), "long"),
        "channel": _label(case.channel),
        "title": _p(case.title, user),
        "number": printable(case.number),
    }


def _how_to_track(case) -> str:
    return _(
        "To follow the case or rate our reply, open %(url)s and enter the tracking code %(code)s.",
        url=public_url("/track"),
        code=printable(case.tracking_code),
    )


def has_reply(case) -> bool:
    """A reply notice exists once the case has been answered."""
    return bool(case.reply_text and case.replied_at)


def reply_notice(case, user) -> Paper | None:
    """答复告知书 to the citizen: the reply, its outcome and how to rate it; None before the case is answered."""
    if not has_reply(case):
        return None
    reply = [line for line in _p(case.reply_text, user).splitlines() if line.strip()]
    paragraphs = [
        _(
            "On %(day)s you wrote to us through %(channel)s about “%(title)s” (case number %(number)s). It has "
            "been handled; our reply follows.",
            **_about(case, user),
        ),
        *reply,
        _("Outcome: %(outcome)s.", outcome=_label(case.reply_outcome)) if case.reply_outcome else "",
        _how_to_track(case),
        _("Hereby notified."),
    ]
    return Paper(
        kind=REPLY,
        office=_office(),
        title=_("Notice of reply"),
        number=printable(case.number),
        salutation=_salutation(case),
        paragraphs=[p for p in paragraphs if p],
        dated=format_date(local_day(case.replied_at), "long"),
        file_stem=f"{case.number}-reply",
        personal=["citizen_name"],
    )


def approved_extension(case):
    """The latest approved extension (延期) of the case's own time limits, or None."""
    approved = [
        e
        for d in case.deadlines
        for e in d.extensions
        if e.status == ExtensionStatus.APPROVED and e.decided_at
    ]
    return max(approved, key=lambda e: e.decided_at, default=None)


def extension_notice(case, user) -> Paper | None:
    """延期告知书 to the citizen: the approved extension's new time limit and reason; None without one."""
    extension = approved_extension(case)
    if extension is None:
        return None
    paragraphs = [
        _(
            "On %(day)s you wrote to us through %(channel)s about “%(title)s” (case number %(number)s). Because "
            "%(reason)s, the time limit for “%(stage)s” has been extended with approval from %(old)s to %(new)s.",
            reason=_p(extension.reason, user).rstrip("。."),
            stage=Stage.label_of(extension.deadline.stage),
            old=format_local(extension.old_due_at),
            new=format_local(extension.new_due_at),
            **_about(case, user),
        ),
        _(
            "We will finish the case and reply to you within the extended time limit. Thank you for your patience."
        ),
        _how_to_track(case),
        _("Hereby notified."),
    ]
    return Paper(
        kind=EXTENSION,
        office=_office(),
        title=_("Notice of extension"),
        number=printable(case.number),
        salutation=_salutation(case),
        paragraphs=paragraphs,
        dated=format_date(local_day(extension.decided_at), "long"),
        file_stem=f"{case.number}-extension",
        personal=["citizen_name"],
    )


BUILDERS = {SHEET: case_sheet, REPLY: reply_notice, EXTENSION: extension_notice}


def build(kind: str, case, user) -> Paper | None:
    """The document ``kind`` of ``case`` as ``user`` may read it; None when the case has no such document."""
    return BUILDERS[kind](case, user)


def offered(case) -> list[str]:
    """The documents this case has now, in the order the case page offers them."""
    return [SHEET] + ([REPLY] if has_reply(case) else []) + ([EXTENSION] if approved_extension(case) else [])
