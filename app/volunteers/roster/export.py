"""What the roster export, the import template and the import preview show: labels, names, masked numbers."""

from datetime import date

from flask_babel import gettext as _

from app.auth.pii import reveal
from app.timeutil import local_day
from app.timeutil import utcnow
from app.volunteers.roster.files import COLUMNS
from app.volunteers.roster.files import header_names
from app.volunteers.roster.rules import EXAMPLE_ID_NUMBER
from app.volunteers.roster.rules import Communities
from app.volunteers.roster.rules import in_scope
from models.enums import VolunteerGroup
from models.enums import VolunteerStatus


def shown(name: str, value, user, communities: Communities | None = None) -> str:
    """A value as ``user`` may see it (labels, community names, masked personal numbers)."""
    if value is None or value == "":
        return ""
    if name == "group":
        return str(VolunteerGroup.label_of(value))
    if name == "status":
        return str(VolunteerStatus.label_of(value))
    if name == "community":
        return communities.label(value) if communities is not None else value.name
    if name == "id_number":
        return reveal("volunteer_id_number", value, user)
    if name == "phone":
        return reveal("volunteer_phone", value, user)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_row(volunteer, user, communities: Communities) -> dict:
    """One volunteer as a roster row; the import reads it back unchanged."""
    row = {name: shown(name, getattr(volunteer, name), user, communities) for name in COLUMNS}
    row["joined_on"] = volunteer.joined_on  # a real date cell in Excel
    return row


def template_rows(user, communities: Communities) -> tuple[list[dict], list[tuple[str, str]]]:
    """The template's example row, and the notes sheet: columns, accepted values, the user's communities."""
    own = [
        communities.label(dept)
        for depts in communities.by_name.values()
        for dept in depts
        if dept.active and in_scope(user, dept)
    ]
    example = {
        "name": _("Zhang San"),
        "phone": "13800138000",
        "id_number": EXAMPLE_ID_NUMBER,
        "group": str(VolunteerGroup.GRID_WORKER.label),
        "community": own[0] if own else "",
        "joined_on": local_day(utcnow()),
        "status": str(VolunteerStatus.ACTIVE.label),
        "patrol_area": _("Buildings 1 to 3"),
        "notes": "",
    }
    names = dict(zip(COLUMNS, header_names(), strict=True))
    required = "、".join(names[name] for name in ("name", "phone", "group", "community"))
    notes = [
        (_("Example row"), _("Row 2 is an example: replace it or delete it before importing.")),
        (_("Required columns"), required),
        (names["id_number"], _("18 characters; a volunteer with a known ID number is updated, not added.")),
        (names["group"], "、".join(str(member.label) for member in VolunteerGroup)),
        (names["status"], "、".join(str(member.label) for member in VolunteerStatus)),
        (names["joined_on"], _("A date such as 2025-03-01; empty means today for a new volunteer.")),
        (names["community"], "、".join(sorted(own))),
        (_("Empty cells"), _("An empty cell never erases what is already on the roster.")),
    ]
    return [example], notes
