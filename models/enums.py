"""Code values with their translated labels: roles, statuses, channels, grades and the rest.

Every enum of the product is a :class:`LabelledEnum`: a member *is* its code (a ``str``, stored as text)
and carries its label for people, so a template writes ``case.status.label`` and a form takes
``Status.choices()``. Columns of these codes (:func:`models.types.enum_column`, :class:`models.types.Coded`)
return members, not bare strings.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class LabelledEnum(StrEnum):
    """A code and its label: members are declared as ``RED = "red", _l("Red")``."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self):
        """The translated name, for people."""
        return self._label

    @classmethod
    def choices(cls, members=None) -> list[tuple[str, object]]:
        """``(code, label)`` pairs for a select field: every member, or the ``members`` given, in order."""
        return [(member.value, member.label) for member in (cls if members is None else members)]

    @classmethod
    def from_code(cls, code):
        """The member whose code is ``code``, or None (for codes from forms, files and query strings)."""
        return cls._value2member_map_.get(code) if isinstance(code, str) else None

    @classmethod
    def label_of(cls, code, default=None):
        """The label of a stored code (e.g. read from JSON), or ``default`` (else the code) when unknown."""
        member = cls._value2member_map_.get(code)
        if member is not None:
            return member.label
        return code if default is None else default


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    SUPERVISOR = "supervisor", _l("Supervisor")
    CLERK = "clerk", _l("Intake clerk")
    HANDLER = "handler", _l("Handler")
    LEADER = "leader", _l("Leader")


class LeaderRank(LabelledEnum):
    """A leader's rank, lowest first; also the level of a 包案 (a leader holds cases at their own rank)."""

    DEPARTMENT = "department", _l("Department leader")
    STREET = "street", _l("Street leader")
    DISTRICT_DEPUTY = "district_deputy", _l("District leader in charge")
    DISTRICT_CHIEF = "district_chief", _l("District principal leader")


class HandlingLevel(LabelledEnum):
    """Who handles a case, lowest first: its department, the street, or the district (提级 raises it)."""

    DEPARTMENT = "department", _l("Department level")
    STREET = "street", _l("Street level")
    DISTRICT = "district", _l("District level")


class DepartmentKind(LabelledEnum):
    DISTRICT = "district", _l("District")
    STREET = "street", _l("Street")
    COMMUNITY = "community", _l("Community")
    STATION = "station", _l("Station")
    BUREAU = "bureau", _l("Bureau")


class Status(LabelledEnum):
    NEW = "new", _l("Awaiting intake")
    REGISTERED = "registered", _l("Awaiting dispatch")
    DISPATCHED = "dispatched", _l("Awaiting sign-off")
    IN_PROGRESS = "in_progress", _l("In progress")
    REPLIED = "replied", _l("Replied, awaiting revisit")
    CLOSED = "closed", _l("Closed")
    REJECTED = "rejected", _l("Not accepted")
    MERGED = "merged", _l("Merged")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED}
)


class Channel(LabelledEnum):
    MAILBOX = "mailbox", _l("Leader mailbox")
    HOTLINE = "hotline", _l("Hotline")
    WALK_IN = "walk_in", _l("Walk-in hall")
    WECHAT = "wechat", _l("WeChat")
    API = "api", _l("Platform API")
    VOLUNTEER = "volunteer", _l("Volunteer clue")


# Channels a clerk may pick when registering a case by hand.
STAFF_INTAKE_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN, Channel.WECHAT)


class RequestType(LabelledEnum):
    CONSULT = "consult", _l("Consultation")
    HELP = "help", _l("Request for help")
    COMPLAINT = "complaint", _l("Complaint")
    REPORT = "report", _l("Report")
    SUGGESTION = "suggestion", _l("Suggestion")
    PRAISE = "praise", _l("Praise")


class Grade(LabelledEnum):
    RED = "red", _l("Red")
    YELLOW = "yellow", _l("Yellow")
    GREEN = "green", _l("Green")


class ReplyOutcome(LabelledEnum):
    SUPPORTED = "supported", _l("Supported")
    EXPLAINED = "explained", _l("Explained")
    NOT_SUPPORTED = "not_supported", _l("Not supported")


class ContactMethod(LabelledEnum):
    """How a handler tried to reach the citizen (联系记录); 未接通 is a try, not a contact made."""

    PHONE = "phone", _l("By phone")
    VISIT = "visit", _l("Home visit")
    WECHAT = "wechat", _l("WeChat")
    NOT_REACHED = "not_reached", _l("Could not get through")

    @property
    def reached(self) -> bool:
        """Whether the citizen was actually reached (the one rule: 未接通 does not count as contact)."""
        return self is not ContactMethod.NOT_REACHED


class Satisfaction(LabelledEnum):
    SATISFIED = "satisfied", _l("Satisfied")
    BASIC = "basically_satisfied", _l("Basically satisfied")
    UNSATISFIED = "unsatisfied", _l("Unsatisfied")


class MailboxKind(LabelledEnum):
    BUREAU_CHIEF = "bureau_chief", _l("Bureau chief mailbox")
    PARTY_SECRETARY = "party_secretary", _l("Party secretary online")
    DISTRICT_HEAD = "district_head", _l("District head mailbox")
    OTHER = "other", _l("Other mailbox")


class VolunteerGroup(LabelledEnum):
    BUILDING_HEAD = "building_head", _l("Building head")
    GRID_WORKER = "grid_worker", _l("Grid worker")
    SHOP_MANAGER = "shop_manager", _l("Shop manager")
    FIVE_ELDERS = "five_elders", _l("Community five elders")
    PROPERTY_STAFF = "property_staff", _l("Property management staff")
    LANDLORD = "landlord", _l("Rental landlord")
    SECURITY_GUARD = "security_guard", _l("Security guard")
    COURIER = "courier", _l("Courier or delivery rider")
    PARTY_MEMBER = "party_member", _l("Party member volunteer")
    MEDIATOR = "mediator", _l("People's mediator")
    ENTERPRISE_SAFETY = "enterprise_safety", _l("Enterprise safety officer")
    SCHOOL_SAFETY = "school_safety", _l("School safety officer")
    DRIVER = "driver", _l("Ride-hailing driver")
    RESIDENT = "resident", _l("Resident volunteer")


class RewardStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Proposed")
    APPROVED = "approved", _l("Approved")
    PAID = "paid", _l("Paid")
    REJECTED = "rejected", _l("Rejected")


class RewardTier(LabelledEnum):
    """The suggested size of a reward, from the grade of the clue's case (amounts: app.volunteers)."""

    MAJOR = "major", _l("Major")
    SIGNIFICANT = "significant", _l("Significant")
    GENERAL = "general", _l("General")


class PayMethod(LabelledEnum):
    """How a reward was paid."""

    BANK_TRANSFER = "bank_transfer", _l("Bank transfer")
    WECHAT = "wechat", _l("WeChat Pay")
    CASH = "cash", _l("Cash")
    OTHER = "other", _l("Other")


class VolunteerStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    SUSPENDED = "suspended", _l("Suspended")
    LEFT = "left", _l("Left")


class ClueStatus(LabelledEnum):
    NEW = "new", _l("Awaiting triage")
    CONVERTED = "converted", _l("Converted into a case")
    MERGED = "merged", _l("Merged with a case")
    DISMISSED = "dismissed", _l("Dismissed")
