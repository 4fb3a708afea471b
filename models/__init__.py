"""SQLAlchemy models, one module per area; importing this package registers them all."""

from models.attachment import Attachment
from models.calendar import WorkCalendarDay
from models.case import Case
from models.case import CaseEvent
from models.case import case_co_department
from models.catalog import Category
from models.clue import Clue
from models.counter import Counter
from models.deadline import CaseDeadline
from models.deadline import DeadlineExtension
from models.deadline import DeadlineFire
from models.deadline import DeadlinePolicy
from models.intake_control import ApiKey
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from models.jobstate import ConfigChange
from models.jobstate import JobLock
from models.jobstate import JobRun
from models.jobstate import OnceKey
from models.jobstate import RecomputeRequest
from models.mailbox import Mailbox
from models.notification import Notification
from models.org import Department
from models.user import User
from models.volunteer import RewardFund
from models.volunteer import RewardPayout
from models.volunteer import Volunteer

__all__ = [
    "ApiKey",
    "Attachment",
    "BanEntry",
    "SensitiveWord",
    "Case",
    "CaseDeadline",
    "CaseEvent",
    "Category",
    "Clue",
    "ConfigChange",
    "Counter",
    "DeadlineExtension",
    "DeadlineFire",
    "DeadlinePolicy",
    "Department",
    "JobLock",
    "JobRun",
    "Mailbox",
    "Notification",
    "OnceKey",
    "RecomputeRequest",
    "RewardFund",
    "RewardPayout",
    "User",
    "Volunteer",
    "WorkCalendarDay",
    "case_co_department",
]
