"""Code values and their translated labels: roles, statuses, channels, grades and the rest."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CLERK = "clerk"
    HANDLER = "handler"
    LEADER = "leader"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.CLERK: _l("Intake clerk"),
    Role.HANDLER: _l("Handler"),
    Role.LEADER: _l("Leader"),
}


class DepartmentKind(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    STATION = "station"
    BUREAU = "bureau"


DEPARTMENT_KIND_LABELS = {
    DepartmentKind.DISTRICT: _l("District"),
    DepartmentKind.STREET: _l("Street"),
    DepartmentKind.COMMUNITY: _l("Community"),
    DepartmentKind.STATION: _l("Station"),
    DepartmentKind.BUREAU: _l("Bureau"),
}


class Status(StrEnum):
    NEW = "new"
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"


STATUS_LABELS = {
    Status.NEW: _l("Awaiting intake"),
    Status.REGISTERED: _l("Awaiting dispatch"),
    Status.DISPATCHED: _l("Awaiting sign-off"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.REPLIED: _l("Replied, awaiting revisit"),
    Status.CLOSED: _l("Closed"),
    Status.REJECTED: _l("Not accepted"),
    Status.MERGED: _l("Merged"),
}

OPEN_STATUSES = frozenset(
    {Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED}
)


class Channel(StrEnum):
    MAILBOX = "mailbox"
    HOTLINE = "hotline"
    WALK_IN = "walk_in"
    WECHAT = "wechat"
    API = "api"
    VOLUNTEER = "volunteer"


CHANNEL_LABELS = {
    Channel.MAILBOX: _l("Leader mailbox"),
    Channel.HOTLINE: _l("Hotline"),
    Channel.WALK_IN: _l("Walk-in hall"),
    Channel.WECHAT: _l("WeChat"),
    Channel.API: _l("Platform API"),
    Channel.VOLUNTEER: _l("Volunteer clue"),
}

# Channels a clerk may pick when registering a case by hand.
STAFF_INTAKE_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN, Channel.WECHAT)


class RequestType(StrEnum):
    CONSULT = "consult"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


REQUEST_TYPE_LABELS = {
    RequestType.CONSULT: _l("Consultation"),
    RequestType.HELP: _l("Request for help"),
    RequestType.COMPLAINT: _l("Complaint"),
    RequestType.REPORT: _l("Report"),
    RequestType.SUGGESTION: _l("Suggestion"),
    RequestType.PRAISE: _l("Praise"),
}


class Grade(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


GRADE_LABELS = {
    Grade.RED: _l("Red"),
    Grade.YELLOW: _l("Yellow"),
    Grade.GREEN: _l("Green"),
}


class ReplyOutcome(StrEnum):
    SUPPORTED = "supported"
    EXPLAINED = "explained"
    NOT_SUPPORTED = "not_supported"


REPLY_OUTCOME_LABELS = {
    ReplyOutcome.SUPPORTED: _l("Supported"),
    ReplyOutcome.EXPLAINED: _l("Explained"),
    ReplyOutcome.NOT_SUPPORTED: _l("Not supported"),
}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.BASIC: _l("Basically satisfied"),
    Satisfaction.UNSATISFIED: _l("Unsatisfied"),
}


class MailboxKind(StrEnum):
    BUREAU_CHIEF = "bureau_chief"
    PARTY_SECRETARY = "party_secretary"
    DISTRICT_HEAD = "district_head"
    OTHER = "other"


MAILBOX_KIND_LABELS = {
    MailboxKind.BUREAU_CHIEF: _l("Bureau chief mailbox"),
    MailboxKind.PARTY_SECRETARY: _l("Party secretary online"),
    MailboxKind.DISTRICT_HEAD: _l("District head mailbox"),
    MailboxKind.OTHER: _l("Other mailbox"),
}


class VolunteerGroup(StrEnum):
    BUILDING_HEAD = "building_head"
    GRID_WORKER = "grid_worker"
    SHOP_MANAGER = "shop_manager"
    FIVE_ELDERS = "five_elders"
    PROPERTY_STAFF = "property_staff"
    LANDLORD = "landlord"
    SECURITY_GUARD = "security_guard"
    COURIER = "courier"
    PARTY_MEMBER = "party_member"
    MEDIATOR = "mediator"
    ENTERPRISE_SAFETY = "enterprise_safety"
    SCHOOL_SAFETY = "school_safety"
    DRIVER = "driver"
    RESIDENT = "resident"


VOLUNTEER_GROUP_LABELS = {
    VolunteerGroup.BUILDING_HEAD: _l("Building head"),
    VolunteerGroup.GRID_WORKER: _l("Grid worker"),
    VolunteerGroup.SHOP_MANAGER: _l("Shop manager"),
    VolunteerGroup.FIVE_ELDERS: _l("Community five elders"),
    VolunteerGroup.PROPERTY_STAFF: _l("Property management staff"),
    VolunteerGroup.LANDLORD: _l("Rental landlord"),
    VolunteerGroup.SECURITY_GUARD: _l("Security guard"),
    VolunteerGroup.COURIER: _l("Courier or delivery rider"),
    VolunteerGroup.PARTY_MEMBER: _l("Party member volunteer"),
    VolunteerGroup.MEDIATOR: _l("People's mediator"),
    VolunteerGroup.ENTERPRISE_SAFETY: _l("Enterprise safety officer"),
    VolunteerGroup.SCHOOL_SAFETY: _l("School safety officer"),
    VolunteerGroup.DRIVER: _l("Ride-hailing driver"),
    VolunteerGroup.RESIDENT: _l("Resident volunteer"),
}


class RewardStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


REWARD_STATUS_LABELS = {
    RewardStatus.PROPOSED: _l("Proposed"),
    RewardStatus.APPROVED: _l("Approved"),
    RewardStatus.PAID: _l("Paid"),
    RewardStatus.REJECTED: _l("Rejected"),
}


class VolunteerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


VOLUNTEER_STATUS_LABELS = {
    VolunteerStatus.ACTIVE: _l("Active"),
    VolunteerStatus.SUSPENDED: _l("Suspended"),
    VolunteerStatus.LEFT: _l("Left"),
}


class ClueStatus(StrEnum):
    NEW = "new"
    CONVERTED = "converted"
    MERGED = "merged"
    DISMISSED = "dismissed"


CLUE_STATUS_LABELS = {
    ClueStatus.NEW: _l("Awaiting triage"),
    ClueStatus.CONVERTED: _l("Converted into a case"),
    ClueStatus.MERGED: _l("Merged with a case"),
    ClueStatus.DISMISSED: _l("Dismissed"),
}


def choices(labels: dict) -> list[tuple[str, object]]:
    """Return ``(value, label)`` pairs for a select field from a labels dict."""
    return [(str(value), label) for value, label in labels.items()]


def enum_column(enum_cls, name: str):
    """Return a portable string Enum column type with a CHECK constraint."""
    from sqlalchemy import Enum

    return Enum(
        *[member.value for member in enum_cls],
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        validate_strings=True,
    )
