"""The staff panel: Flask-Admin set-up (the theme, the dashboard and one view per model, bound to the app).

Views parse the request, call a domain service, commit once and flash; the rules live in app/."""

from pathlib import Path

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from admin_views import field_orders
from admin_views.admin_catalog import prefer_our_admin_catalog
from admin_views.cases import desk
from admin_views.cases import documents as case_documents
from admin_views.cases.caller_history import CallerHistoryView
from admin_views.cases.case import CaseView
from admin_views.cases.grade_hint import GradeHintView
from admin_views.cases.parts_list import CasePartView
from admin_views.cases.repeat_actions import RepeatActionsView
from admin_views.cases.routing_hint import RoutingHintView
from admin_views.command.bulk import SuperviseManyView
from admin_views.command.ledger import OrderLedgerView
from admin_views.command.mine import MyInstructionsView
from admin_views.command.mine import MyPackagesView
from admin_views.command.rules import SupervisionRuleView
from admin_views.dashboard import Dashboard
from admin_views.free_text import masked_text
from admin_views.notifications import InboxView
from admin_views.notifications import OutboxView
from admin_views.reports.hotspots import HotspotsView
from admin_views.reports.issues import ReportsView
from admin_views.reports.rates import RatesView
from admin_views.reports.score_schemes import ScoreSchemeView
from admin_views.reports.scorecards import ScorecardView
from admin_views.settings import intake_controls
from admin_views.settings import privacy
from admin_views.settings import suggest_model
from admin_views.settings import wording
from admin_views.settings.api_keys import ApiKeyView
from admin_views.settings.area_rule import AreaColourRuleView
from admin_views.settings.audit_log import AuditLogView
from admin_views.settings.calendar import WorkCalendarView
from admin_views.settings.deadlines import DeadlinePolicyView
from admin_views.settings.grading_rules import GradingRuleView
from admin_views.settings.org import CategoryView
from admin_views.settings.org import DepartmentView
from admin_views.settings.org import MailboxView
from admin_views.settings.people import UserView
from admin_views.sms import SmsView
from admin_views.volunteers.clues import ClueView
from admin_views.volunteers.links import VolunteerLinkView
from admin_views.volunteers.reward_fund import RewardFundView
from admin_views.volunteers.rewards import RewardView
from admin_views.volunteers.roster import VolunteerView
from admin_views.volunteers.stats import LeaderboardView
from admin_views.volunteers.stats import VolunteerTotalsView
from app.extensions import db
from app.headers import csp_nonce
from models import ApiKey
from models import Case
from models import CasePart
from models import Category
from models import Clue
from models import DeadlinePolicy
from models import Department
from models import GradingRule
from models import Mailbox
from models import Notification
from models import OrderTarget
from models import RewardFund
from models import RewardPayout
from models import SmsMessage
from models import SupervisionRule
from models import User
from models import Volunteer
from models import WorkCalendarDay
from models.audit import ConfigChange
from models.report import AreaColourRule


def init_admin(app) -> Admin:
    """Build the admin for ``app``; views are per app because Flask-Admin binds them at creation."""
    app.add_template_filter(masked_text, "masked_text")  # free text as the role may see it
    prefer_our_admin_catalog()  # app/translations/*/admin.po rewords Flask-Admin's own Chinese
    theme = Bootstrap4Theme(
        base_template="admin/suqiu_base.html",
        swatch=app.config["FLASK_ADMIN_SWATCH"],
        fluid=True,
    )
    admin = Admin(
        app,
        name=_l("Suqiu"),
        theme=theme,
        index_view=Dashboard(name=_l("Home"), url="/admin"),
        translations_path=str(Path(app.root_path) / "translations"),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(CaseView(Case, db, name=_l("Cases"), endpoint="case"))
    admin.add_view(CasePartView(CasePart, db, name=_l("Co-handled parts"), endpoint="case_part"))
    admin.add_view(CallerHistoryView(name=_l("Caller history"), endpoint="caller_history"))  # intake look-up
    admin.add_view(RoutingHintView(name=_l("Suggested category"), endpoint="routing_hint"))  # intake look-up
    admin.add_view(
        GradeHintView(name=_l("Grade hint"), endpoint="grade_hint")
    )  # intake form's grade suggestion
    admin.add_view(
        RepeatActionsView(name=_l("Repeat"), endpoint="case_repeats")
    )  # the 重复件 panel's buttons
    desk.register(admin)  # 延期申请待审 and 超期件
    case_documents.register(admin)
    command = _l("Instructions and supervision")
    admin.add_view(OrderLedgerView(OrderTarget, db, name=_l("Supervision ledger"), endpoint="order_ledger",
                                   category=command))  # fmt: skip
    admin.add_view(
        MyInstructionsView(name=_l("My instructions"), endpoint="my_instructions", category=command)
    )
    admin.add_view(
        SuperviseManyView(name=_l("Supervise several cases"), endpoint="supervise_many", category=command)
    )
    admin.add_view(MyPackagesView(name=_l("My cases in hand"), endpoint="my_packages", category=command))
    field_orders.register(admin)
    admin.add_view(
        VolunteerView(
            Volunteer,
            db,
            name=_l("Volunteer roster"),
            endpoint="volunteer",
            category=_l("Volunteer programme"),
        )
    )
    admin.add_view(ClueView(Clue, db, name=_l("Clues"), endpoint="clue", category=_l("Volunteer programme")))
    admin.add_view(
        VolunteerLinkView(
            name=_l("Personal links"), endpoint="volunteer_link", category=_l("Volunteer programme")
        )
    )
    admin.add_view(
        RewardView(
            RewardPayout, db, name=_l("Reward payouts"), endpoint="reward", category=_l("Volunteer programme")
        )
    )
    admin.add_view(
        RewardFundView(
            RewardFund,
            db,
            name=_l("Reward funds"),
            endpoint="reward_fund",
            category=_l("Volunteer programme"),
        )
    )
    admin.add_view(
        VolunteerTotalsView(
            name=_l("Totals per volunteer"), endpoint="volunteer_totals", category=_l("Volunteer programme")
        )
    )
    admin.add_view(
        LeaderboardView(name=_l("Leaderboard"), endpoint="leaderboard", category=_l("Volunteer programme"))
    )
    admin.add_view(
        DepartmentView(Department, db, name=_l("Departments"), endpoint="department", category=_l("Settings"))
    )
    admin.add_view(
        AuditLogView(ConfigChange, db, name=_l("Audit trail"), endpoint="audit_log", category=_l("Settings"))
    )
    admin.add_view(
        CategoryView(Category, db, name=_l("Categories"), endpoint="category", category=_l("Settings"))
    )
    admin.add_view(
        MailboxView(Mailbox, db, name=_l("Mailboxes"), endpoint="mailbox", category=_l("Settings"))
    )
    admin.add_view(UserView(User, db, name=_l("Users"), endpoint="user", category=_l("Settings")))
    admin.add_view(
        GradingRuleView(
            GradingRule, db, name=_l("Grading rules"), endpoint="grading_rule", category=_l("Settings")
        )
    )
    admin.add_view(
        SupervisionRuleView(
            SupervisionRule,
            db,
            name=_l("Automatic supervision rules"),
            endpoint="supervision_rule",
            category=_l("Settings"),
        )
    )
    admin.add_view(
        DeadlinePolicyView(
            DeadlinePolicy,
            db,
            name=_l("Deadline policies"),
            endpoint="deadline_policy",
            category=_l("Settings"),
        )
    )
    admin.add_view(
        WorkCalendarView(
            WorkCalendarDay, db, name=_l("Work calendar"), endpoint="calendar", category=_l("Settings")
        )
    )
    admin.add_view(
        OutboxView(Notification, db, name=_l("Deliveries"), endpoint="notification", category=_l("Settings"))
    )
    admin.add_view(SmsView(SmsMessage, db, name=_l("Text messages"), endpoint="sms", category=_l("Settings")))
    admin.add_view(InboxView(name=_l("Inbox"), endpoint="inbox"))
    admin.add_view(RatesView(name=_l("Rates"), endpoint="rates", category=_l("Figures")))
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", category=_l("Figures")))
    admin.add_view(HotspotsView(name=_l("Hot spot alerts"), endpoint="hotspots", category=_l("Figures")))
    admin.add_view(ScorecardView(name=_l("Scorecards"), endpoint="scorecard", category=_l("Figures")))
    admin.add_view(
        ScoreSchemeView(name=_l("Scoring schemes"), endpoint="score_scheme", category=_l("Figures"))
    )
    admin.add_view(
        AreaColourRuleView(
            AreaColourRule, db, name=_l("Area colour rule"), endpoint="area_rule", category=_l("Settings")
        )
    )
    intake_controls.add_views(admin, db)
    admin.add_view(ApiKeyView(ApiKey, db, name=_l("API keys"), endpoint="api_key", category=_l("Settings")))
    wording.register(admin)
    suggest_model.register(admin)  # 类别建议 and its keywords
    privacy.register(admin)  # 个人信息保护
    return admin
