"""SQLAlchemy tables, relationships and labelled enums, one module per area; importing this package registers
them all. No rules live here: the domains in app/ hold them."""

from models.attachment_store import AttachmentChunk
from models.audit import ConfigChange
from models.case import Attachment
from models.case import Case
from models.case import CaseEvent
from models.case import Counter
from models.case import case_co_department
from models.case_part import CasePart
from models.case_search import case_search
from models.command import CaseOrder
from models.command import CasePackage
from models.command import LeaderVisit
from models.command import OrderTarget
from models.command import SupervisionRule
from models.deadline import CaseDeadline
from models.deadline import DeadlineExtension
from models.deadline import DeadlineFire
from models.deadline import DeadlinePolicy
from models.deadline import WorkCalendarDay
from models.field_order import FieldOrder
from models.field_order import FieldOrderClass
from models.field_order import FieldOrderTarget
from models.field_order import field_order_case
from models.grading import GradeSuggestion
from models.grading import GradingRule
from models.hotspot import HotspotAlert
from models.intake_control import ApiKey
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from models.jobstate import JobLock
from models.jobstate import JobRun
from models.jobstate import OnceKey
from models.jobstate import RecomputeRequest
from models.notification import Notification
from models.org import Category
from models.org import Department
from models.org import Mailbox
from models.privacy import PrivacySetting
from models.report import AreaColourRule
from models.report import DailyRollup
from models.report import ReportIssue
from models.report import ReportReading
from models.report import RollupDirty
from models.scorecard import ScorePeriod
from models.scorecard import ScoreScheme
from models.sms import SmsMessage
from models.suggest import CategoryHint
from models.suggest import RoutingSuggestion
from models.suggest import SuggestModel
from models.user import User
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import RewardPayout
from models.volunteer import Volunteer
from models.wording import DirectAnswerScope
from models.wording import ReplyTemplate

__all__ = [
    "ApiKey",
    "AreaColourRule",
    "Attachment",
    "AttachmentChunk",
    "BanEntry",
    "SensitiveWord",
    "Case",
    "CaseDeadline",
    "CaseOrder",
    "CasePart",
    "DirectAnswerScope",
    "FieldOrder",
    "GradeSuggestion",
    "GradingRule",
    "FieldOrderClass",
    "FieldOrderTarget",
    "HotspotAlert",
    "ReplyTemplate",
    "field_order_case",
    "CasePackage",
    "LeaderVisit",
    "OrderTarget",
    "SupervisionRule",
    "CaseEvent",
    "Category",
    "CategoryHint",
    "RoutingSuggestion",
    "SuggestModel",
    "Clue",
    "ConfigChange",
    "Counter",
    "DailyRollup",
    "DeadlineExtension",
    "DeadlineFire",
    "DeadlinePolicy",
    "Department",
    "JobLock",
    "JobRun",
    "Mailbox",
    "PrivacySetting",
    "Notification",
    "OnceKey",
    "RecomputeRequest",
    "RewardFund",
    "ReportIssue",
    "ReportReading",
    "RewardPayout",
    "RollupDirty",
    "ScorePeriod",
    "ScoreScheme",
    "SmsMessage",
    "User",
    "Volunteer",
    "WorkCalendarDay",
    "case_co_department",
    "case_search",
]
