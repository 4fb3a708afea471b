"""The audit trail: one row per audited change, written only through :func:`app.audit.record`."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import LabelledEnum
from models.types import Coded
from models.types import UTCDateTime


class AuditEntity(LabelledEnum):
    """What kind of record an audit row is about."""

    WORK_CALENDAR_DAY = "work_calendar_day", _l("Work calendar")
    DEADLINE_POLICY = "deadline_policy", _l("Deadline policies")
    VOLUNTEER = "volunteer", _l("Volunteer roster")
    VOLUNTEER_IMPORT = "volunteer_import", _l("Roster import")
    VOLUNTEER_LINK = "volunteer_link", _l("Personal links")
    CLUE = "clue", _l("Clues")
    REWARD = "reward", _l("Reward payouts")
    REWARD_FUND = "reward_fund", _l("Reward funds")
    AREA_COLOUR_RULE = "area_colour_rule", _l("Area colour rule")
    SCORE_SCHEME = "score_scheme", _l("Scoring schemes")
    SCORE_PERIOD = "score_period", _l("Scorecards")
    SUPERVISION_RULE = "supervision_rule", _l("Automatic supervision rules")
    FIELD_ORDER_CLASS = "field_order_class", _l("Classes of order")
    DIRECT_ANSWER_SCOPE = "direct_answer_scope", _l("Direct answer scope")
    REPLY_TEMPLATE = "reply_template", _l("Standard wording")
    CASE = "case", _l("Cases")
    USER = "user", _l("Staff accounts")
    API_KEY = "api_key", _l("API keys")
    SIGN_IN = "sign_in", _l("Sign-ins")
    EXPORT = "export", _l("Exports")
    GRADING_RULE = "grading_rule", _l("Grading rules")
    PERSONAL_DATA = "personal_data", _l("Personal data protection")


class AuditAction(LabelledEnum):
    """The audited step, as a noun (a status word would read as the state, not the step)."""

    CREATE = "create", _l("Creation")
    UPDATE = "update", _l("Change")
    DELETE = "delete", _l("Deletion")
    IMPORT = "import", _l("Import")
    EXPORT = "export", _l("Export")
    REPLACE = "replace", _l("Replacement")
    SEED = "seed", _l("Filled from the calendar package")
    ADD_YEAR = "add_year", _l("Year added")
    PROPOSE = "propose", _l("Proposal")
    APPROVE = "approve", _l("Approval")
    REJECT = "reject", _l("Rejection")
    PAY = "pay", _l("Payment")
    CONVERT = "convert", _l("Conversion into a case")
    MERGE = "merge", _l("Merge into a case")
    DISMISS = "dismiss", _l("Dismissal")
    PUBLISH = "publish", _l("Publication")
    SUPERVISE = "supervise", _l("Supervision order issued")
    REVEAL = "reveal", _l("Full number viewed")
    SIGN_IN = "sign_in", _l("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _l("Failed sign-in")
    LOCK_OUT = "lock_out", _l("Account locked")
    SIGN_OUT = "sign_out", _l("Signed out")
    UNLOCK = "unlock", _l("Account unlocked")
    PASSWORD_RESET = "password_reset", _l("Password reset")
    KEY_ISSUED = "key_issued", _l("Key issued")
    USE = "use", _l("Key used")
    ANONYMISE = "anonymise", _l("Personal data erased")


class ConfigChange(db.Model):
    """The audit trail: settings, the roster, clues, rewards, case edits, accounts, sign-ins, exports, views of
    full personal numbers and API key use.

    A counted row (``bucket`` set, e.g. an API key's hour) is unique per entity, key, action and bucket and
    carries its ``hits``; it is created once and then only counted up (one conditional UPDATE per use).
    """

    __tablename__ = "config_change"
    __table_args__ = (
        Index("ix_config_change_record", "entity", "entity_key"),
        Index("uq_config_change_bucket", "bucket", "entity", "entity_key", "action", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    entity: Mapped[str] = mapped_column(Coded(AuditEntity, 50))
    entity_key: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(Coded(AuditAction))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    bucket: Mapped[str | None] = mapped_column(String(20))
    hits: Mapped[int | None] = mapped_column(Integer)

    actor: Mapped["User | None"] = relationship("User")  # noqa: F821  (models.user)
