"""SQLAlchemy models, one module per area; importing this package registers them all."""

from models.case import Case
from models.case import CaseEvent
from models.case import case_co_department
from models.catalog import Category
from models.counter import Counter
from models.mailbox import Mailbox
from models.org import Department
from models.user import User
from models.volunteer import RewardPayout
from models.volunteer import Volunteer

__all__ = [
    "Case",
    "CaseEvent",
    "Category",
    "Counter",
    "Department",
    "Mailbox",
    "RewardPayout",
    "User",
    "Volunteer",
    "case_co_department",
]
