"""Issues of the 民情日报: built once a day, sent once, an editor's note before sending, leaders' 已阅.

- :func:`build_daily` inserts yesterday's issue unless it exists (a unique key: two schedulers, one issue).
- :func:`send` claims the issue with one conditional UPDATE (``sent_at`` still empty), so it goes out once,
  then queues it for every active leader and supervisor: the inbox and e-mail with the Word file attached
  (made at sending time by :mod:`app.notifications.attachments`).
- :func:`add_note` (编者按, supervisors, before it is sent) and :func:`mark_read` (已阅 with a comment) are
  audited and recorded on the issue.
The jobs and views commit.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update

from app.extensions import db
from app.extensions import insert_unless_exists
from app.notifications import attachments
from app.notifications.outbox import notify_users
from app.refusal import Refusal
from app.reports import daily
from app.reports import documents
from app.reports import hotspots
from app.reports import periodic
from app.timeutil import LOCAL_TZ
from app.timeutil import local_day
from models.enums import Role
from models.report import ReportIssue
from models.report import ReportReading
from models.user import User

DAILY = "daily"
ATTACHMENT_KIND = "report-docx"
NOTE_MAX = 2000


def _time(key: str, default: str) -> tuple[int, int]:
    hour, minute = current_app.config.get(key, default).split(":")
    return int(hour), int(minute)


def _reached(now: datetime, key: str, default: str) -> bool:
    local = now.astimezone(LOCAL_TZ)
    return (local.hour, local.minute) >= _time(key, default)


def build_due(now: datetime) -> bool:
    """Whether today's build time (``REPORT_BUILD_TIME``, default 07:30 Beijing time) has come."""
    return _reached(now, "REPORT_BUILD_TIME", "07:30")


def send_due(now: datetime) -> bool:
    """Whether today's sending time (``REPORT_SEND_TIME``, default 08:00) has come."""
    return _reached(now, "REPORT_SEND_TIME", "08:00")


def issue_of(day: date, kind: str = DAILY) -> ReportIssue | None:
    """The issue of ``kind`` that starts on ``day``."""
    return db.session.scalar(
        select(ReportIssue).where(ReportIssue.kind == kind, ReportIssue.first_day == day)
    )


def build_daily(now: datetime, day: date | None = None) -> ReportIssue | None:
    """Build the issue of ``day`` (default yesterday) unless it exists; the new issue, or None."""
    day = day or local_day(now) - timedelta(days=1)
    content = daily.build(day, now)
    content["hotspots"] = hotspots.report_rows(day)  # 弱信号预警: the alerts whose window ends that day
    values = {"kind": DAILY, "first_day": day, "last_day": day, "content": content, "built_at": now}
    if not insert_unless_exists(ReportIssue, **values):
        return None
    return issue_of(day)


def build_periodic(kind: str, now: datetime) -> ReportIssue | None:
    """Build the weekly, monthly or quarterly issue of the period that ended last, unless it exists."""
    first, last = periodic.last_ended(kind, local_day(now))
    content = periodic.build(kind, first, last, now)
    values = {"kind": kind, "first_day": first, "last_day": last, "content": content, "built_at": now}
    if not insert_unless_exists(ReportIssue, **values):
        return None
    return issue_of(first, kind)


def unsent(limit: int = 10) -> list[ReportIssue]:
    """Issues not sent yet, oldest first."""
    return list(
        db.session.scalars(
            select(ReportIssue).where(ReportIssue.sent_at.is_(None)).order_by(ReportIssue.id).limit(limit)
        )
    )


def send(issue: ReportIssue, now: datetime) -> int:
    """Send ``issue`` to leaders and supervisors unless it went already; how many people it went to."""
    claimed = db.session.execute(
        update(ReportIssue)
        .where(ReportIssue.id == issue.id, ReportIssue.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return 0
    db.session.refresh(issue)
    readers = list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.LEADER, Role.SUPERVISOR]), User.active.is_(True))
            .order_by(User.id)
        )
    )
    subject = documents.title(issue)
    body = "\n\n".join(part for part in (issue.editor_note, issue.content.get("summary")) if part)
    link = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + f"/admin/reports/{issue.id}"
    body += "\n\n" + _("Read it in the panel: %(link)s", link=link)
    data = {"report_issue_id": issue.id, "attachments": [attachments.spec(ATTACHMENT_KIND, issue.id)]}
    notify_users(readers, subject, body, kind="report", data=data, now=now)
    db.session.flush()
    return len(readers)


def add_note(issue: ReportIssue, text: str, editor, now: datetime) -> None:
    """The 编者按 of an issue not yet sent (Refusal otherwise)."""
    text = (text or "").strip()
    if issue.sent_at is not None:
        raise Refusal(_("This issue has been sent; the editor's note can no longer change."))
    if len(text) > NOTE_MAX:
        raise Refusal(_("The note is too long (at most %(num)d characters).", num=NOTE_MAX))
    issue.editor_note, issue.editor_id, issue.noted_at = text or None, editor.id, now
    db.session.flush()


def mark_read(issue: ReportIssue, reader, comment: str, now: datetime) -> ReportReading:
    """Record that ``reader`` read the issue (once; a later comment replaces the earlier one)."""
    comment = (comment or "").strip()[:NOTE_MAX] or None
    reading = db.session.scalar(
        select(ReportReading).where(ReportReading.issue_id == issue.id, ReportReading.user_id == reader.id)
    )
    if reading is None:
        insert_unless_exists(
            ReportReading, issue_id=issue.id, user_id=reader.id, read_at=now, comment=comment
        )
        reading = db.session.scalar(
            select(ReportReading).where(
                ReportReading.issue_id == issue.id, ReportReading.user_id == reader.id
            )
        )
    elif comment:
        reading.comment, reading.read_at = comment, now
    db.session.flush()
    return reading


def readings(issue: ReportIssue) -> list:
    """(reading, reader's display name) of an issue, in the order they were read."""
    return db.session.execute(
        select(ReportReading, User.display_name)
        .join(User, User.id == ReportReading.user_id)
        .where(ReportReading.issue_id == issue.id)
        .order_by(ReportReading.read_at)
    ).all()


def docx_attachment(key: str) -> tuple[str, str, bytes] | None:
    """The Word file of issue ``key`` for an e-mail (None when the issue is gone)."""
    issue = db.session.get(ReportIssue, int(key)) if key.isdigit() else None
    if issue is None:
        return None
    return documents.file_name(issue, "docx"), documents.DOCX_MIME, documents.docx(issue)


def register_attachments() -> None:
    """Let e-mails carry report files (the app factory calls it)."""
    attachments.register(ATTACHMENT_KIND, docx_attachment)
