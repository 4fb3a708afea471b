"""The checks on one roster row: names, phone and ID numbers, groups, statuses, dates and communities.

Each row is checked on its own here (no other row, no existing volunteer); :mod:`app.volunteers.roster.importer`
compares the rows with each other and with the roster.
"""

import re
from datetime import date
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.access import is_department_scoped
from app.auth.pii import mask
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import utcnow
from app.validators import is_valid_id_number
from app.validators import is_valid_phone
from app.validators import normalise_phone
from app.volunteers.roster.files import COLUMNS
from app.volunteers.roster.files import header_key
from app.volunteers.roster.files import header_names
from models.enums import DepartmentKind
from models.enums import VolunteerGroup
from models.enums import VolunteerStatus
from models.org import Department

MAX_LENGTHS = {"name": 50, "patrol_area": 200, "notes": 2000}
# Words offices write instead of the labels shown in the panel (input only, never shown).
GROUP_ALIASES = {
    "五老": "five_elders",
    "物业": "property_staff",
    "房东": "landlord",
    "保安": "security_guard",
    "快递员": "courier",
    "外卖员": "courier",
    "党员": "party_member",
    "调解员": "mediator",
    "司机": "driver",
    "居民": "resident",
}
STATUS_ALIASES = {
    "在岗": "active",
    "正常": "active",
    "有效": "active",
    "在册": "active",
    "停用": "suspended",
    "暂停服务": "suspended",
    "退出": "left",
    "离开": "left",
    "离职": "left",
}
PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\]\s*")
DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
EXCEL_EPOCH = date(1899, 12, 30)
EXAMPLE_ID_NUMBER = "11010519491231002X"  # the standard's own example, used in the template's example row


def in_scope(user, department: Department | None) -> bool:
    """Python twin of :func:`app.auth.access.volunteer_clause` for one community."""
    if not is_department_scoped(user):
        return True
    own = user.department
    return department is not None and own is not None and department.path.startswith(own.path)


def _codes_by_label(enum_cls, aliases: dict) -> dict[str, str]:
    """Each code, its label in every UI language, and the aliases, all mapped to the code."""
    found = {header_key(code): str(code) for code in enum_cls}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            found.update({header_key(str(member.label)): str(member) for member in enum_cls})
    found.update({header_key(alias): code for alias, code in aliases.items()})
    return found


class Communities:
    """The district's communities, found by name or by a path such as 甲街道/甲一社区."""

    def __init__(self):
        departments = db.session.scalars(select(Department)).all()
        names = {dept.id: dept.name for dept in departments}
        self.by_name: dict[str, list[Department]] = {}
        self.chains: dict[int, list[str]] = {}
        for dept in departments:
            if dept.kind != DepartmentKind.COMMUNITY:
                continue
            ids = [int(part) for part in dept.path.strip("/").split("/") if part.isdigit()]
            self.chains[dept.id] = [names.get(i, "") for i in ids] or [dept.name]
            self.by_name.setdefault(dept.name.strip(), []).append(dept)

    def find(self, text: str) -> list[Department]:
        """Communities matching ``text``: a name, or the trailing part of its path of names."""
        parts = [part for part in PATH_SEPARATORS.split(text.strip()) if part]
        if not parts:
            return []
        found = self.by_name.get(parts[-1], [])
        return [dept for dept in found if self.chains[dept.id][-len(parts) :] == parts]

    def label(self, dept: Department | None) -> str:
        """The name, or street/community when the name alone is not unique."""
        if dept is None:
            return ""
        if dept.id in self.chains and len(self.by_name.get(dept.name.strip(), [])) > 1:
            return "/".join(self.chains[dept.id][-2:])
        return dept.name


class Rules:
    """Row checks with the lookups they need, built once per import."""

    def __init__(self, user):
        self.user = user
        self.groups = _codes_by_label(VolunteerGroup, GROUP_ALIASES)
        self.statuses = _codes_by_label(VolunteerStatus, STATUS_ALIASES)
        self.communities = Communities()
        self.today = local_day(utcnow())

    def check(self, record: dict) -> tuple[dict, list[str]]:
        """The row's values cleaned for the database, and the reasons it cannot be imported."""
        text, numeric = record["values"], set(record.get("numeric", ()))
        values, reasons = {}, []
        for name in ("name", "patrol_area", "notes"):
            value = text.get(name, "")
            if len(value) > MAX_LENGTHS[name]:
                reasons.append(
                    _(
                        "%(column)s is longer than %(max)d characters.",
                        column=_column(name),
                        max=MAX_LENGTHS[name],
                    )
                )
            values[name] = value or None
        if not values["name"]:
            reasons.append(_("Name is missing."))
        phone = text.get("phone", "")
        if not phone:
            reasons.append(_("Phone is missing."))
        elif not is_valid_phone(phone):
            reasons.append(
                _("Phone %(value)s is not a mobile number or a landline with its area code.", value=phone)
            )
        values["phone"] = normalise_phone(phone)
        values["id_number"], values["id_masked"] = self._id_number(
            text.get("id_number", ""), "id_number" in numeric, reasons
        )
        values["group"] = self._code(
            text.get("group", ""), self.groups, reasons, required=True, column="group"
        )
        values["status"] = self._code(
            text.get("status", ""), self.statuses, reasons, required=False, column="status"
        )
        values["community"] = self._community(text.get("community", ""), reasons)
        values["joined_on"] = None
        if text.get("joined_on"):
            values["joined_on"] = parse_date(text["joined_on"], "joined_on" in numeric)
            if values["joined_on"] is None:
                reasons.append(
                    _("Joined date %(value)s is not a date such as 2025-03-01.", value=text["joined_on"])
                )
        return values, reasons

    def _id_number(self, value: str, numeric: bool, reasons: list) -> tuple[str | None, str | None]:
        value = value.replace(" ", "").upper()
        if not value:
            return None, None
        if "*" in value:
            return None, value  # a masked number from an export: kept, never written
        if value == EXAMPLE_ID_NUMBER:
            reasons.append(_("This is the template's example row; replace it or delete it."))
        elif not is_valid_id_number(value):
            if numeric:
                reasons.append(
                    _(
                        "The ID number was stored as a number and lost digits; format the column as text and enter it again."
                    )
                )
            else:
                reasons.append(
                    _(
                        "ID number %(value)s is not a valid 18-character resident ID number.",
                        value=mask(value),
                    )
                )
        return value, None

    def _code(self, value: str, codes: dict, reasons: list, required: bool, column: str) -> str | None:
        if not value:
            if required:
                reasons.append(_("%(column)s is missing.", column=_column(column)))
            return None
        code = codes.get(header_key(value))
        if code is None:
            reasons.append(_("%(column)s %(value)s is unknown.", column=_column(column), value=value))
        return code

    def _community(self, value: str, reasons: list) -> Department | None:
        if not value:
            reasons.append(_("Community is missing."))
            return None
        found = self.communities.find(value)
        if not found:
            reasons.append(_("Community %(value)s was not found.", value=value))
            return None
        if len(found) > 1:
            reasons.append(
                _("Several communities are called %(value)s; write it as street/community.", value=value)
            )
            return None
        community = found[0]
        if not in_scope(self.user, community):
            reasons.append(_("Community %(value)s is outside your area.", value=value))
            return None
        if not community.active:
            reasons.append(_("Community %(value)s is no longer in use.", value=value))
            return None
        return community


def _column(name: str) -> str:
    return header_names()[list(COLUMNS).index(name)]


def parse_date(text: str, numeric: bool = False) -> date | None:
    """2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, or an Excel day number; None if not a date."""
    text = text.strip()
    try:
        if numeric and text.isdigit() and 20000 <= int(text) <= 80000:
            return EXCEL_EPOCH + timedelta(days=int(text))
        if re.fullmatch(r"\d{8}", text):
            day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        elif match := DATE_RE.fullmatch(text):
            day = date(*(int(part) for part in match.groups()))
        else:
            return None
    except ValueError:
        return None
    return day if 1949 <= day.year <= 2100 else None


DEFAULT_STATUS = str(VolunteerStatus.ACTIVE)
