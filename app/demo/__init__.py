"""Demo data: a district shaped like 深圳市光明区 with its staff, volunteers and 18 months of cases.

``seed_demo()`` loads it (idempotent) and ``print_logins()`` tells a person how to log in. Every case
is driven through ``app.cases.lifecycle`` with explicit past times, so its timeline is consistent; so are
the leaders' 批示, the 督办单, 包案 and 提级 on them (:mod:`app.demo.command`).
"""

import unicodedata
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from app.cases import wording
from app.command.field_order_classes import seed_default_classes
from app.deadlines.calendar_seed import seed_calendar
from app.deadlines.policies import seed_default_policies
from app.demo.cases import plan_cases
from app.demo.cases import run_plans
from app.demo.command import count_rows
from app.demo.command import plan_command
from app.demo.command import read_old_notifications
from app.demo.command import seed_rules
from app.demo.field_orders import build_field_orders
from app.demo.front_door import build_intake_controls
from app.demo.levels import configure_streets
from app.demo.levels import plan_levels
from app.demo.org import DEMO_PASSWORD
from app.demo.org import DISTRICT_CODE
from app.demo.org import ROLE_NAMES
from app.demo.org import Org
from app.demo.org import account_rows
from app.demo.org import build_departments
from app.demo.org import build_leaders
from app.demo.org import build_mailboxes
from app.demo.org import build_users
from app.demo.org import load_categories
from app.demo.org import rank_title
from app.demo.plan import HISTORY_DAYS
from app.demo.texts import Gen
from app.demo.volunteers import build_clues
from app.demo.volunteers import build_payouts
from app.demo.volunteers import build_volunteers
from app.extensions import db
from app.intake.grading_rules import seed_default_rules
from app.org.catalogue import ensure_categories
from app.timeutil import as_utc
from app.timeutil import local_day
from app.timeutil import utcnow
from models.case import CaseEvent
from models.org import Department
from models.user import User

__all__ = ["DEFAULT_CASES", "DEMO_PASSWORD", "demo_exists", "print_logins", "seed_demo"]

SEED = 20190501  # 光明区群众诉求服务中心 opened in 2019; any fixed number keeps the demo reproducible
# The ranked leaders' names and the command instruments' draws (issue 14) have generators of their own: the
# cases, people and places drawn from SEED stay as they were.
LEADER_SEED, COMMAND_SEED, LEVELS_SEED, FIELD_SEED = SEED + 1, SEED + 14, SEED + 15, SEED + 16
# 18 months of a small district's intake would be a few thousand cases, but every case goes through the state
# machine (about seven actions, each one flush): 1000 keeps ``flask seed-demo`` under about 40 s on 2 cores.
DEFAULT_CASES = 1000
KINDS = (
    "calendar_days",
    "departments",
    "categories",
    "mailboxes",
    "intake_controls",
    "deadline_policies",
    "supervision_rules",
    "field_order_classes",
    "reply_templates",
    "users",
    "volunteers",
    "cases",
    "case_events",
    "case_orders",
    "case_packages",
    "leader_visits",
    "case_parts",
    "handed_down",
    "field_orders",
    "clues",
    "reward_funds",
    "reward_payouts",
)


def demo_exists(session=None) -> bool:
    """True when the demo district is already in the database."""
    session = session or db.session
    return session.scalar(select(Department.id).where(Department.code == DISTRICT_CODE)) is not None


def calendar_years(now: datetime) -> range:
    """The years of the demo's history up to ``now``, and the next (its deadlines may run into it)."""
    return range(local_day(now - timedelta(days=HISTORY_DAYS + 31)).year, local_day(now).year + 2)


def seed_demo(cases: int = DEFAULT_CASES, now: datetime | None = None) -> dict[str, int]:
    """Load the demo district, accounts, volunteers and ``cases`` cases; return counts created per kind."""
    session = db.session
    counts = dict.fromkeys(KINDS, 0)
    now = as_utc(now) if now is not None else utcnow()
    # The calendar first (idempotent; years the package does not know are left to Monday … Friday): the
    # cases arrive by it and their deadlines count working days on it.
    counts["calendar_days"] = seed_calendar(calendar_years(now))["created"]
    session.commit()
    if demo_exists(session):
        return counts
    gen, org = Gen(SEED), Org()
    counts["departments"] = build_departments(session, gen, org)
    counts["categories"] = ensure_categories(session)
    load_categories(session, org)
    counts["mailboxes"] = build_mailboxes(session, gen, org)
    counts["intake_controls"] = build_intake_controls(session)
    counts["deadline_policies"] = seed_default_policies()
    counts["supervision_rules"] = seed_rules(session, now)
    counts["field_order_classes"] = seed_default_classes()
    counts["reply_templates"] = wording.seed_defaults()["templates"]
    counts["grading_rules"] = seed_default_rules()
    counts["users"] = build_users(session, gen, org) + build_leaders(session, LEADER_SEED, org)
    volunteers = build_volunteers(session, gen, org, now)
    counts["volunteers"] = len(volunteers)
    session.commit()
    events_before = session.scalar(select(func.count(CaseEvent.id)))
    plans = plan_cases(max(0, cases), org, gen, volunteers, now)
    plan_command(plans, org, COMMAND_SEED, now)  # 批示, 督办, 包案, 提级: steps in the cases' own timelines
    configure_streets(org)
    levels = plan_levels(plans, org, LEVELS_SEED, now)  # 协办 parts and 下派, after the instruments' steps
    rows_before = count_rows(session)
    counts["cases"] = run_plans(session, plans, org)
    counts |= {kind: n - rows_before[kind] for kind, n in count_rows(session).items()}
    counts["case_parts"], counts["handed_down"] = levels["parts"], levels["handed_down"]
    counts["field_orders"] = build_field_orders(session, org, plans, FIELD_SEED, now)
    read_old_notifications(session, now)
    clues = build_clues(session, gen, org, volunteers, plans, now)
    counts["clues"] = len(clues)
    counts["reward_payouts"], counts["reward_funds"] = build_payouts(session, gen, org, clues, now)
    # after the rewards: their steps leave notes on the cases' timelines
    counts["case_events"] = session.scalar(select(func.count(CaseEvent.id))) - events_before
    session.commit()
    return counts


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def print_logins(echo, only_existing: bool = False) -> None:
    """Print the demo accounts (username, role, department, password) through ``echo``."""
    rows = account_rows()
    if only_existing:
        wanted = [username for username, _role, _dept in rows]
        present = set(db.session.scalars(select(User.username).where(User.username.in_(wanted))))
        rows = [row for row in rows if row[0] in present]
        if not rows:
            echo("No demo accounts in this database (create one with `flask --app app create-user`).")
            return
    table = [("用户名 username", "角色 role", "单位 department", "密码 password")]
    table += [
        (u, f"{role} {rank_title(u) or ROLE_NAMES[role]}", dept, DEMO_PASSWORD) for u, role, dept in rows
    ]
    widths = [max(_width(row[i]) for row in table) for i in range(3)]
    echo(f"Demo accounts — every one uses the password {DEMO_PASSWORD} (unless changed since):")
    for row in table:
        echo("  " + "  ".join(_pad(cell, w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
