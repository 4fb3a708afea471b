"""The supervisor's and the handler's workbench: the pages (延期申请待审, 超期件) and the case page's helpers."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin_views.cases.extension_queue import ExtensionQueueView
from admin_views.cases.overdue_list import OverdueCaseView
from app.extensions import db
from app.timeutil import format_local
from models.case import Case
from models.deadline import DeadlineExtension
from models.enums import ContactMethod


def contact_record_lines(data: dict | None) -> list[tuple[str, str]]:
    """A structured contact record (an event's ``data["contact"]``) as (label, value) lines for the timeline."""
    record = (data or {}).get("contact") or {}
    lines = [(_("Contact method"), str(ContactMethod.label_of(record.get("method"), "")))]
    if record.get("at"):
        lines.append((_("Time of contact"), format_local(datetime.fromisoformat(record["at"]))))
    if record.get("person"):
        lines.append((_("Person spoken to"), record["person"]))
    return lines


def register(admin) -> None:
    """Add the workbench pages to the panel and the timeline's contact-record helper to the templates."""
    admin.add_view(ExtensionQueueView(DeadlineExtension, db, name=_l("Extension requests to decide"),
                                      endpoint="extension_queue"))  # fmt: skip
    admin.add_view(OverdueCaseView(Case, db, name=_l("Overdue case list"), endpoint="overdue_case"))
    admin.app.add_template_global(contact_record_lines, "contact_record_lines")
