"""The period and cut chosen on a figures page, read from the query string and checked.

A value the page does not offer (an unknown department, a date that is no date) is dropped with a message
in the page's language; the page then shows what it can. Handlers are held to their own department.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.auth.access import figure_department
from app.extensions import db
from app.reports import periods
from app.reports.figures import Cut
from app.timeutil import local_day
from app.timeutil import utcnow
from app.validators import ascii_text
from app.validators import parse_id
from models.enums import Channel
from models.enums import DepartmentKind
from models.enums import Grade
from models.org import Category
from models.org import Department
from models.org import Mailbox

PERIOD_LABELS = {
    "day": _l("Day"),
    "week": _l("Week"),
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "year": _l("Year"),
    "custom": _l("Custom range"),
}
GROUP_LABELS = {
    "": _l("No grouping"),
    "department": _l("Department"),
    "street": _l("Street"),
    "community": _l("Community"),
    "parent_category": _l("Category"),
    "category": _l("Subcategory"),
    "mailbox": _l("Mailbox"),
    "channel": _l("Channel"),
    "grade": _l("Grade"),
    "month": _l("Month"),
    "day": _l("Day"),
}
NOT_SET = _l("Not set")


@dataclass
class CutForm:
    """What the page was asked for, the cut it makes, and the messages about values it dropped."""

    kind: str = "month"
    anchor: date = field(default_factory=lambda: local_day(utcnow()))
    end: date | None = None
    group: str = "department"
    cut: Cut | None = None
    values: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(ascii_text(text or "").strip())
    except ValueError:
        return None


def _choice(args, name: str, allowed, problems: list, label) -> str | None:
    value = ascii_text(args.get(name, "") or "").strip()
    if not value:
        return None
    if value not in allowed:
        problems.append(
            _("%(field)s: the value given is not one of the choices and was ignored.", field=label)
        )
        return None
    return value


def departments(kinds=None) -> dict[int, str]:
    """Department names by id (of the given kinds), in tree order."""
    query = select(Department.id, Department.name).order_by(Department.path)
    if kinds:
        query = query.where(Department.kind.in_(kinds))
    return dict(db.session.execute(query).all())


def categories() -> dict[int, tuple[str, int | None]]:
    """Category (name, parent id) by id."""
    rows = db.session.execute(
        select(Category.id, Category.name, Category.parent_id).order_by(Category.sort_order)
    )
    return {cid: (name, parent) for cid, name, parent in rows}


def mailboxes() -> dict[int, str]:
    """Mailbox names by id."""
    return dict(db.session.execute(select(Mailbox.id, Mailbox.name).order_by(Mailbox.id)).all())


def read(args) -> CutForm:
    """The form from the query string ``args``: defaults for what is missing, messages for what is wrong."""
    form = CutForm()
    problems = form.problems
    form.kind = _choice(args, "period", periods.KINDS, problems, _("Period")) or "month"
    form.anchor = _date(args.get("date")) or form.anchor
    if args.get("date") and _date(args.get("date")) is None:
        problems.append(_("The date must be written as YYYY-MM-DD; today is shown."))
    form.end = _date(args.get("end"))
    try:
        first, last = periods.period(form.kind, form.anchor, form.end)
    except ValueError:
        problems.append(_("A custom range needs a start and an end date, at most three years apart."))
        form.kind, (first, last) = "month", periods.period("month", form.anchor)
    group = ascii_text(args.get("group", "department") or "").strip()
    if group not in GROUP_LABELS:
        problems.append(
            _("%(field)s: the value given is not one of the choices and was ignored.", field=_("Group by"))
        )
        group = "department"
    form.group = group
    values: dict = {}
    ids = {
        "department": departments(),
        "street": departments([DepartmentKind.STREET]),
        "community": departments([DepartmentKind.COMMUNITY]),
        "mailbox": mailboxes(),
        "category": categories(),
    }
    for name, known in ids.items():
        raw = args.get(name)
        if not raw:
            continue
        number = parse_id(ascii_text(raw).strip())
        if number is None or number not in known:
            problems.append(
                _("%(field)s: the value given is not one of the choices and was ignored.", field=name)
            )
            continue
        values[name] = number
    role = _choice(args, "role", ("lead", "co"), problems, _("Role")) or "lead"
    channel = _choice(args, "channel", {str(c) for c in Channel}, problems, _("Channel"))
    grade = _choice(args, "grade", {str(g) for g in Grade}, problems, _("Grade"))
    form.values = values | {"role": role, "channel": channel, "grade": grade}
    scoped = figure_department(current_user)
    if scoped is not None:
        values["department"] = scoped
    category_ids = None
    if "category" in values:
        chosen = values["category"]
        category_ids = (chosen, *(cid for cid, (_n, parent) in ids["category"].items() if parent == chosen))
    form.cut = Cut(
        first,
        last,
        department_id=values.get("department"),
        role=role,
        mailbox_id=values.get("mailbox"),
        category_ids=category_ids,
        street_id=values.get("street"),
        community_id=values.get("community"),
        channel=channel,
        grade=grade,
    )
    return form


def group_labels(group: str) -> dict:
    """How the rows of ``group`` are named: department, category and mailbox names, enum labels."""
    if group in ("department", "street", "community"):
        return departments()
    if group in ("category", "parent_category"):
        return {cid: name for cid, (name, _parent) in categories().items()}
    if group == "mailbox":
        return mailboxes()
    if group == "channel":
        return {str(c): c.label for c in Channel}
    if group == "grade":
        return {str(g): g.label for g in Grade}
    return {}
