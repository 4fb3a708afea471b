"""The case (诉求) itself, its co-departments, its timeline of events, its attachments, and the number counters."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import Channel
from models.enums import Grade
from models.enums import HandlingLevel
from models.enums import LabelledEnum
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Satisfaction
from models.enums import Status
from models.org import Category
from models.org import Department
from models.org import Mailbox
from models.types import Coded
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User

case_co_department = Table(
    "case_co_department",
    db.metadata,
    Column("case_id", ForeignKey("case_item.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
    # Copies of the case's status, received time and lead, kept by ``_sync_co_department_copies`` so a
    # co-handling department's list walks this table's index instead of every case it ever co-handled.
    Column("status", String(20)),
    Column("received_at", UTCDateTime),
    Column("lead_department_id", Integer),
    Index("ix_case_co_department_dept_status_received", "department_id", "status", "received_at"),
    Index("ix_case_co_department_dept_received", "department_id", "received_at"),
)


class Case(db.Model):
    """One request from a citizen, from intake to close. Only ``app.cases.lifecycle`` changes its status."""

    __tablename__ = "case_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(enum_column(Channel, "case_channel"))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id"))
    request_type: Mapped[str] = mapped_column(enum_column(RequestType, "case_request_type"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)

    citizen_name: Mapped[str | None] = mapped_column(String(50))
    citizen_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # its last four digits, kept by ``_keep_phone_last4``: the case search finds "尾号 5678" by index
    citizen_phone_last4: Mapped[str | None] = mapped_column(String(4))
    citizen_id_no: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(255))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    people_involved: Mapped[int | None] = mapped_column(Integer)
    money_involved: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    grade: Mapped[str] = mapped_column(enum_column(Grade, "case_grade"), default=Grade.GREEN)
    grade_reason: Mapped[str | None] = mapped_column(String(255))
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id"))
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_key: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_supervised: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # 提级: who handles the case (app.command.levels); raising it raises who is told and who signs the reply.
    handling_level: Mapped[str] = mapped_column(
        enum_column(HandlingLevel, "case_handling_level"),
        default=HandlingLevel.DEPARTMENT,
        server_default="department",
    )

    status: Mapped[str] = mapped_column(enum_column(Status, "case_status"), default=Status.NEW)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    owner_leader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # 下派: the community (or station) under the lead street that works the case on the street's behalf
    handed_down_to_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    handed_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 即接即办: answered by the intake team on the spot (专班办结), and the knowledge the answer used
    answered_at_intake: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    intake_answer_source: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id"))

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    reply_outcome: Mapped[str | None] = mapped_column(enum_column(ReplyOutcome, "case_reply_outcome"))
    reply_text: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(enum_column(Satisfaction, "case_satisfaction"))
    satisfaction_note: Mapped[str | None] = mapped_column(Text)
    revisit_resolved: Mapped[bool | None] = mapped_column(Boolean)  # 是否解决, asked at the staff revisit
    # 群众评价: the citizen's own rating on /track (app.cases.citizen_rating), kept apart from the revisit's
    citizen_rating: Mapped[str | None] = mapped_column(enum_column(Satisfaction, "case_citizen_rating"))
    citizen_rating_note: Mapped[str | None] = mapped_column(Text)
    return_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    redo_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    urge_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 催办 (app.cases.urging)

    # Cached from the running deadlines (models.deadline) for lists: earliest due time and its colour.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urgency: Mapped[str | None] = mapped_column(String(10))

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The public front door: one case per submission (double submits), the Open311 token, the rating.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    api_token: Mapped[str | None] = mapped_column(String(32))
    submitted_ip: Mapped[str | None] = mapped_column(String(45))
    citizen_rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # personal data erased (app.privacy)
    # The citizen agreed that the case may be published (app.cases.publication); off unless they said so.
    publication_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    mailbox: Mapped[Mailbox | None] = relationship()
    category: Mapped[Category | None] = relationship()
    street: Mapped[Department | None] = relationship(foreign_keys=[street_id])
    community: Mapped[Department | None] = relationship(foreign_keys=[community_id])
    lead_department: Mapped[Department | None] = relationship(foreign_keys=[lead_department_id])
    handed_down_to: Mapped[Department | None] = relationship(foreign_keys=[handed_down_to_id])
    co_departments: Mapped[list[Department]] = relationship(secondary=case_co_department)
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    owner_leader: Mapped[User | None] = relationship(foreign_keys=[owner_leader_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    repeat_of: Mapped["Case | None"] = relationship(remote_side=[id], foreign_keys=[repeat_of_id])
    merged_into: Mapped["Case | None"] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821  (models.case)
        back_populates="case", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_case_item_received_at", "received_at"),
        Index("ix_case_item_status_received_at", "status", "received_at"),
        Index("ix_case_item_lead_status_received", "lead_department_id", "status", "received_at"),
        # the handed-down arm of a handler's list (and the foreign key's lookups)
        Index("ix_case_item_handed_status_received", "handed_down_to_id", "status", "received_at"),
        Index("ix_case_item_lead_received", "lead_department_id", "received_at"),
        Index("ix_case_item_merged_into_id", "merged_into_id"),
        Index("ix_case_item_repeat_of_id", "repeat_of_id"),
        # unique indexes, not constraints: SQLite adds them without copying the table
        Index("ix_case_item_submission_key", "submission_key", unique=True),
        Index("ix_case_item_api_token", "api_token", unique=True),
        Index("ix_case_item_next_due_at", "next_due_at"),
        Index("ix_case_item_closed_at", "closed_at"),  # the rollup counts closures by day
        Index("ix_case_item_anonymised_closed", "anonymised_at", "closed_at"),  # the retention job
        # the dashboard's one pass over the open cases, read from the index alone
        Index("ix_case_item_open_board", "status", "street_id", "community_id", "urgency", "grade"),
        # the clerk's desk: caller history by ID number, search by the phone's last four digits, list
        # filters by street and community (app.cases.caller_history, admin_views.cases.search)
        Index("ix_case_item_citizen_id_no", "citizen_id_no"),
        Index("ix_case_item_citizen_phone_last4", "citizen_phone_last4"),
        Index("ix_case_item_street_id", "street_id"),
        Index("ix_case_item_community_id", "community_id"),
        # repeat candidates: the newest earlier cases of one place, and of one place and category
        # (app.intake.repeats)
        Index("ix_case_item_community_received", "community_id", "received_at"),
        Index("ix_case_item_street_received", "street_id", "received_at"),
        Index("ix_case_item_community_category_received", "community_id", "category_id", "received_at"),
        Index("ix_case_item_street_category_received", "street_id", "category_id", "received_at"),
    )

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def phone_last4(phone: str | None) -> str | None:
    """The last four characters of a stored phone number, or None (no phone, or too short to have them)."""
    return phone[-4:] if phone and len(phone) >= 4 else None


@event.listens_for(Case.citizen_phone, "set")
def _keep_phone_last4(case, value, old, initiator) -> None:
    """Every write of the phone (constructor, form, edit) writes its last four digits too."""
    case.citizen_phone_last4 = phone_last4(value)


class CaseAction(LabelledEnum):
    """What a timeline event records: a lifecycle action (see app.cases.actions) or what it caused."""

    RECEIVE = "receive", _l("Case received")
    REGISTER = "register", _l("Register")
    REJECT = "reject", _l("Reject")
    DISPATCH = "dispatch", _l("Dispatch")
    RETURN = "return", _l("Return")
    REASSIGN = "reassign", _l("Re-dispatch to another department")
    RECALL = "recall", _l("Recall to intake")
    SIGN = "sign", _l("Sign for")
    CONTACT = "contact", _l("Record contact")
    REPLY = "reply", _l("Reply")
    REVISIT = "revisit", _l("Revisit")
    REOPEN = "reopen", _l("Reopen")
    MERGE = "merge", _l("Merge into another case")
    MERGE_IN = "merge_in", _l("Duplicate merged in")
    COMMENT = "comment", _l("Add a note")
    EDIT = "edit", _l("Registered details changed")
    REQUEST_EXTENSION = "request_extension", _l("Request an extension")
    APPROVE_EXTENSION = "approve_extension", _l("Approve the extension")
    REJECT_EXTENSION = "reject_extension", _l("Reject the extension")
    DRAFT_REPLY = "draft_reply", _l("Draft the reply for signing")
    INSTRUCT = "instruct", _l("Leader instruction")
    SUPERVISE = "supervise", _l("Supervision order")
    ANSWER_ORDER = "answer_order", _l("Answer to an order")
    ACCEPT_ORDER = "accept_order", _l("Answer accepted")
    RETURN_ORDER = "return_order", _l("Answer sent back")
    CLOSE_ORDER = "close_order", _l("Order closed")
    PACKAGE = "package", _l("Leader takes charge (包案)")
    SETTLE = "settle", _l("Settled (销案)")
    VISIT = "visit", _l("Leader's visit")
    RAISE_LEVEL = "raise_level", _l("Raise the handling level")
    LOWER_LEVEL = "lower_level", _l("Lower the handling level")
    HAND_DOWN = "hand_down", _l("Hand down to a community")
    TAKE_BACK = "take_back", _l("Take back, or hand back to the street")
    SIGN_PART = "sign_part", _l("Sign for our part")
    CONTACT_PART = "contact_part", _l("Record contact for our part")
    ANSWER_PART = "answer_part", _l("Answer our part")
    WAIVE_PART = "waive_part", _l("Waive a co-department's part")
    DIRECT_ANSWER = "direct_answer", _l("Answer on the spot")
    CITIZEN_RATING = "citizen_rating", _l("Citizen's own rating")  # 群众评价 after a revisit closed the case
    URGE = "urge", _l("Urge the department")
    PROGRESS_UPDATE = "progress_update", _l("Progress update")  # a red case's hourly 动态更新


class CaseEvent(db.Model):
    """One step on a case's timeline: who did what, when, from which status to which."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(Coded(CaseAction))
    from_status: Mapped[str | None] = mapped_column(Coded(Status))
    to_status: Mapped[str | None] = mapped_column(Coded(Status))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_case_event_case_id_at", "case_id", "at"),
        Index("ix_case_event_action_at", "action", "at"),  # the rollup counts replies and ratings by day
    )


@event.listens_for(Session, "after_flush")
def _sync_co_department_copies(session, flush_context) -> None:
    """Copy status, received time and lead of every case written in this flush onto its co-department rows."""
    for case in [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Case)]:
        if case in session.new and not sa_inspect(case).dict.get("co_departments"):
            continue  # a new case without co-departments has no rows to copy onto (spares the UPDATE)
        session.execute(
            case_co_department.update()
            .where(case_co_department.c.case_id == case.id)
            .values(
                status=case.status,
                received_at=case.received_at,
                lead_department_id=case.lead_department_id,
            )
        )


class AttachmentKind(LabelledEnum):
    IMAGE = "image", _l("Photo")
    AUDIO = "audio", _l("Voice note")
    DOCUMENT = "document", _l("Document")  # staff files (PDF, Word, Excel) on a contact record or a reply


class Attachment(db.Model):
    """One stored file of a case or a clue; its bytes are kept under ``stored_name`` by app.intake.storage."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clue.id", ondelete="CASCADE"), index=True)
    # photos of a leader's visit or of a 销案's evidence (models.command), also filed under the case
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("leader_visit.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_package.id", ondelete="CASCADE"), index=True
    )
    # photos of a bureau's 报到 on a 令 (models.field_order), not filed under any case
    field_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_order_target.id", ondelete="CASCADE"), index=True
    )
    # the timeline entry the file documents (a contact record or a reply with photos)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id", ondelete="SET NULL"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(Coded(AttachmentKind, 10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case | None] = relationship(back_populates="attachments")
    clue: Mapped["Clue | None"] = relationship(back_populates="attachments")  # noqa: F821  (models.volunteer)

    def __str__(self) -> str:
        return self.original_name


class Counter(db.Model):
    """A named sequence; ``next_value`` increments it inside the caller's transaction."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
