"""Which case columns each page shows, their labels and formatters (allow-lists, per PII rules)."""

from flask_babel import lazy_gettext as _l

from admin_views import formatters as fmt

LABELS = {
    "number": _l("Case number"),
    "tracking_code": _l("Tracking code"),
    "channel": _l("Channel"),
    "mailbox": _l("Mailbox"),
    "request_type": _l("Request type"),
    "category": _l("Category"),
    "title": _l("Title"),
    "content": _l("Content"),
    "citizen_name": _l("Citizen name"),
    "citizen_phone": _l("Citizen phone"),
    "citizen_id_no": _l("ID number"),
    "address": _l("Address"),
    "street": _l("Street"),
    "community": _l("Community"),
    "people_involved": _l("People involved"),
    "money_involved": _l("Money involved (yuan)"),
    "grade": _l("Grade"),
    "grade_reason": _l("Grade reason"),
    "is_repeat": _l("Repeat"),
    "repeat_of": _l("Repeat of"),
    "is_sensitive": _l("Sensitive"),
    "is_key": _l("Key"),
    "is_supervised": _l("Supervised"),
    "flags": _l("Flags"),
    "status": _l("Status"),
    "lead_department": _l("Lead department"),
    "co_departments": _l("Co-departments"),
    "handed_down_to": _l("Handed down to"),
    "answered_at_intake": _l("Answered on the spot (即接即办)"),
    "intake_answer_source": _l("Knowledge used"),
    "handler": _l("Handler"),
    "owner_leader": _l("Owning leader"),
    "merged_into": _l("Merged into"),
    "received_at": _l("Time received"),
    "next_due_at": _l("Next due"),
    "registered_at": _l("Time registered"),
    "dispatched_at": _l("Time dispatched"),
    "signed_at": _l("Time signed for"),
    "contacted_at": _l("Time contacted"),
    "replied_at": _l("Time replied"),
    "closed_at": _l("Time closed"),
    "reply_outcome": _l("Reply outcome"),
    "reply_text": _l("Reply"),
    "satisfaction": _l("Satisfaction"),
    "satisfaction_note": _l("Revisit notes"),
    "publication_consent": _l("Citizen agreed to publication"),
    "return_count": _l("Times returned"),
    "redo_count": _l("Times redone"),
    "row_version": "",
}

LIST = (
    "number",
    "title",
    "category",
    "grade",
    "status",
    "lead_department",
    "received_at",
    "next_due_at",
    "flags",
)

DETAILS = (
    "number",
    "tracking_code",
    "status",
    "channel",
    "mailbox",
    "request_type",
    "category",
    "title",
    "content",
    "citizen_name",
    "citizen_phone",
    "citizen_id_no",
    "address",
    "street",
    "community",
    "people_involved",
    "money_involved",
    "grade",
    "grade_reason",
    "flags",
    "repeat_of",
    "merged_into",
    "lead_department",
    "co_departments",
    "handed_down_to",
    "handler",
    "owner_leader",
    "received_at",
    "registered_at",
    "dispatched_at",
    "signed_at",
    "contacted_at",
    "replied_at",
    "closed_at",
    "reply_outcome",
    "reply_text",
    "answered_at_intake",
    "intake_answer_source",
    "satisfaction",
    "satisfaction_note",
    "return_count",
    "redo_count",
    "publication_consent",
)

# Text people write: phone and ID numbers typed into it are masked for roles that see those fields masked.
FREE_TEXT = ("title", "content", "address", "grade_reason", "reply_text", "satisfaction_note")

# No tracking code in exports: it is the citizen's key to the case.
EXPORT = tuple(c for c in DETAILS if c not in ("tracking_code", "content"))

FORM = (
    "channel",
    "mailbox",
    "request_type",
    "category",
    "title",
    "content",
    "citizen_name",
    "citizen_phone",
    "citizen_id_no",
    "address",
    "street",
    "community",
    "people_involved",
    "money_involved",
    "grade",
    "grade_reason",
    "is_repeat",
    "repeat_of",
    "is_sensitive",
    "is_key",
    "is_supervised",
    "publication_consent",
    "row_version",
)

_CODES = {
    "channel": fmt.label,
    "request_type": fmt.label,
    "reply_outcome": fmt.label,
    "satisfaction": fmt.label,
    "citizen_phone": fmt.masked("citizen_phone"),
    "citizen_id_no": fmt.masked("citizen_id_no"),
}


def _departments(view, context, model, name):
    return "、".join(d.name for d in getattr(model, name))


LIST_FORMATTERS = {
    **_CODES,
    "grade": fmt.grade_badge,
    "status": fmt.status_badge,
    "flags": fmt.flags_badges,
    "number": fmt.number_link,
    "next_due_at": fmt.due_badge,
}

DETAIL_FORMATTERS = {
    **_CODES,
    "grade": fmt.grade_badge,
    "status": fmt.status_badge,
    "flags": fmt.flags_badges,
    "co_departments": _departments,
    "repeat_of": fmt.link_to_case,
    "merged_into": fmt.link_to_case,
}

EXPORT_FORMATTERS = {
    **_CODES,
    "grade": fmt.label,
    "status": fmt.label,
    "flags": fmt.flags_text,
    "co_departments": _departments,
    "repeat_of": lambda v, c, m, n: m.repeat_of.number if m.repeat_of else "",
    "merged_into": lambda v, c, m, n: m.merged_into.number if m.merged_into else "",
}

LIST_TYPE_FORMATTERS = fmt.LIST_TYPE_FORMATTERS
EXPORT_TYPE_FORMATTERS = fmt.EXPORT_TYPE_FORMATTERS
