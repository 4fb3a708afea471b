"""Who hears of what happens to a case: the event notifications (派件, 退单, 重办, 催办, 延期, 新来信, …).

A 批示 or 督办单 tells its addressed departments itself (:mod:`app.command.orders`), as a 令 does.
The state machine calls :func:`after_action` after every action; intake calls :func:`case_received` for a
new letter and the volunteers' intake :func:`clue_received` for a new clue. Each event goes to the people
whose work it changes, within their scope (a department hears only of cases it leads, co-handles, is handed
or is addressed on), through the outbox (inbox, e-mail as each person chose, the department's group
robot). Messages are Chinese, name the case by its number as a link and never carry an address.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import office_language
from app.notifications.links import case_link
from app.notifications.links import link
from app.notifications.outbox import Outbox
from app.notifications.outbox import notify_department
from app.notifications.outbox import notify_role
from app.notifications.outbox import notify_users
from app.timeutil import format_local
from models.case import Case
from models.case import CaseAction
from models.case import CaseEvent
from models.deadline import DeadlineExtension
from models.deadline import ExtensionStatus
from models.deadline import Stage
from models.enums import Channel
from models.enums import Role
from models.notification import NoticeKind
from models.org import Department
from models.user import User


class Notice:
    """One event's message about ``case``, sent to departments, roles or people on one outbox."""

    def __init__(self, case: Case, kind: NoticeKind, lines: list, now, outbox: Outbox):
        self.case, self.kind, self.now, self.outbox = case, kind, now, outbox
        self.subject = f"【{kind_title(kind)}】{case.number} {case.title}"[:200]
        self.body = "\n".join(str(line) for line in lines if line)
        self.data = {"links": [case_link(case)], "event": kind.value}

    def _kwargs(self) -> dict:
        kwargs = {"kind": self.kind.value, "data": self.data, "now": self.now, "outbox": self.outbox}
        return kwargs | {"case": self.case}

    def department(self, department: Department | None) -> None:
        """The department's people, mailbox and group robot."""
        if department is not None and department.active:
            notify_department(department, self.subject, self.body, **self._kwargs())

    def role(self, role) -> None:
        """Every active user holding ``role``."""
        notify_role(role, self.subject, self.body, **self._kwargs())

    def users(self, users) -> None:
        """These people (inactive ones are skipped by the outbox)."""
        users = [u for u in users if u is not None]
        if users:
            notify_users(users, self.subject, self.body, **self._kwargs())


def kind_title(kind: NoticeKind) -> str:
    """The short bracketed word a message's subject starts with."""
    titles = {
        NoticeKind.DISPATCHED: _("New case"),
        NoticeKind.RETURNED: _("Case back"),
        NoticeKind.REDO: _("Redo"),
        NoticeKind.SUPERVISED: _("Supervision"),
        NoticeKind.EXTENSION_REQUESTED: _("Extension request"),
        NoticeKind.EXTENSION_DECIDED: _("Extension decision"),
        NoticeKind.NEW_LETTER: _("New letter"),
        NoticeKind.NEW_CLUE: _("New clue"),
        NoticeKind.RED_RECEIVED: _("Red case"),
        NoticeKind.AWAITING_REVISIT: _("Awaiting revisit"),
        NoticeKind.CITIZEN_RATING: _("Citizen unsatisfied"),
    }
    return titles.get(kind, kind.label)


def _case_line(case: Case) -> str:
    return _("Case %(number)s: %(title)s", number=case.number, title=case.title)


def _department(department_id) -> Department | None:
    return db.session.get(Department, department_id) if department_id else None


def _last_actor(case: Case, action: str) -> User | None:
    """Who last took ``action`` on ``case`` (e.g. the clerk who dispatched it)."""
    return db.session.scalar(
        select(User)
        .join(CaseEvent, CaseEvent.actor_id == User.id)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == action)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(1)
    )


def intake_team(department_id: int | None) -> list[User]:
    """The clerks who take in a mailbox's letters: its department's clerks, else every clerk."""
    query = select(User).where(User.role == Role.CLERK, User.active.is_(True)).order_by(User.id)
    if department_id is not None:
        own = list(db.session.scalars(query.where(User.department_id == department_id)))
        if own:
            return own
    return list(db.session.scalars(query))


def _acting(case: Case) -> Department | None:
    return case.handed_down_to or case.lead_department


def _reason(event: CaseEvent) -> str | None:
    return _("Reason: %(text)s", text=event.note) if event.note else None


def _dispatched(case, event, notice_for):
    notice_for(NoticeKind.DISPATCHED, [_case_line(case), event.note]).department(case.lead_department)
    for part_department in case.co_departments:
        line = _("Your department co-handles it; %(lead)s leads.", lead=case.lead_department.name)
        notice_for(NoticeKind.DISPATCHED, [_case_line(case), line]).department(part_department)


def _reassigned(case, event, notice_for):
    _dispatched(case, event, notice_for)
    data = event.data or {}
    old = _department(data.get("from_department_id"))
    if old is not None and old.id != case.lead_department_id:
        line = _("The case was re-dispatched to %(department)s.", department=case.lead_department.name)
        notice_for(NoticeKind.RETURNED, [_case_line(case), line, _reason(event)]).department(old)


def _recalled(case, event, notice_for):
    data = event.data or {}
    old = _department(data.get("from_department_id"))
    line = _("The case was recalled to intake; your department no longer handles it.")
    notice_for(NoticeKind.RETURNED, [_case_line(case), line, _reason(event)]).department(old)


def _returned(case, event, notice_for):
    clerk = _last_actor(case, CaseAction.DISPATCH)
    department = _department((event.data or {}).get("lead_department_id"))
    line = _("%(department)s returned the case (退单).", department=department.name if department else "")
    notice = notice_for(NoticeKind.RETURNED, [_case_line(case), line, _reason(event)])
    if clerk is not None and clerk.active:
        notice.users([clerk])
    else:
        notice.role(Role.CLERK)


def _handed_down(case, event, notice_for):
    line = _("The street handed the case down to your unit.")
    notice_for(NoticeKind.DISPATCHED, [_case_line(case), line, event.note]).department(case.handed_down_to)


def _taken_back(case, event, notice_for):
    data = event.data or {}
    community = _department(data.get("community_id"))
    line = _("The case is back with %(department)s.", department=case.lead_department.name)
    notice = notice_for(NoticeKind.RETURNED, [_case_line(case), line, _reason(event)])
    if data.get("by_community"):
        notice.department(case.lead_department)  # the community handed it back
    else:
        notice.department(community)


def _revisited(case, event, notice_for):
    data = event.data or {}
    if not data.get("redo"):
        return
    line = _("The citizen is not satisfied; the case is sent back to be handled again (重办).")
    notice = notice_for(NoticeKind.REDO, [_case_line(case), line, event.note])
    if data.get("to_intake"):
        notice.role(Role.CLERK)
        return
    notice.department(_acting(case))  # the handler who signed is one of its people


def _urged(case, event, notice_for):
    line = _("A supervisor urges your department to act on the case (催办): %(text)s", text=event.note or "")
    department = _department((event.data or {}).get("department_id")) or _acting(case)
    notice_for(NoticeKind.SUPERVISED, [_case_line(case), line]).department(department)


def _extension_requested(case, event, notice_for):
    line = _(
        "%(department)s asks for more time: %(text)s", department=case.lead_department.name, text=event.note
    )
    notice_for(NoticeKind.EXTENSION_REQUESTED, [_case_line(case), line]).role(Role.SUPERVISOR)


def _extension_decided(case, event, notice_for):
    stage = Stage.label_of((event.data or {}).get("stage"))
    extension = db.session.scalar(
        select(DeadlineExtension)
        .where(DeadlineExtension.case_id == case.id, DeadlineExtension.status != ExtensionStatus.REQUESTED)
        .order_by(DeadlineExtension.decided_at.desc(), DeadlineExtension.id.desc())
        .limit(1)
    )
    remark = extension.decision_note if extension is not None else None
    if event.action == CaseAction.APPROVE_EXTENSION:
        due = format_local(extension.new_due_at) if extension is not None else ""
        line = _(
            "The extension of %(stage)s is approved; the new time limit is %(due)s.", stage=stage, due=due
        )
    else:
        line = _("The extension of %(stage)s is not approved.", stage=stage)
    remark_line = _("Supervisor's remark: %(text)s", text=remark) if remark else None
    notice = notice_for(NoticeKind.EXTENSION_DECIDED, [_case_line(case), line, remark_line])
    requester = extension.requested_by if extension is not None else None
    if requester is not None and requester.active:
        notice.users([requester])
    else:
        notice.department(case.lead_department)


def _replied(case, event, notice_for):
    if case.lead_department is None:  # 即接即办: answered at intake
        line = _("The case was answered on the spot; the citizen awaits the revisit call.")
    else:
        line = _(
            "%(department)s has replied; the citizen awaits the revisit call.",
            department=case.lead_department.name,
        )
    notice_for(NoticeKind.AWAITING_REVISIT, [_case_line(case), line]).users(
        intake_team(_mailbox_department(case))
    )


def _mailbox_department(case: Case) -> int | None:
    return case.mailbox.department_id if case.mailbox is not None else None


def _unsatisfied_after_closure(case, event, notice_for):
    if not (event.data or {}).get("flagged"):
        return
    line = _(
        "The citizen rated the reply to %(number)s unsatisfied after the revisit closed the case. "
        "Look at the case and reopen it if needed.",
        number=case.number,
    )
    notice_for(NoticeKind.CITIZEN_RATING, [_case_line(case), line, event.note]).role(Role.SUPERVISOR)


HANDLERS = {
    CaseAction.DISPATCH: _dispatched,
    CaseAction.REASSIGN: _reassigned,
    CaseAction.RECALL: _recalled,
    CaseAction.RETURN: _returned,
    CaseAction.HAND_DOWN: _handed_down,
    CaseAction.TAKE_BACK: _taken_back,
    CaseAction.REVISIT: _revisited,
    CaseAction.URGE: _urged,
    CaseAction.REQUEST_EXTENSION: _extension_requested,
    CaseAction.APPROVE_EXTENSION: _extension_decided,
    CaseAction.REJECT_EXTENSION: _extension_decided,
    CaseAction.REPLY: _replied,
    CaseAction.DIRECT_ANSWER: _replied,
    CaseAction.CITIZEN_RATING: _unsatisfied_after_closure,
}


def after_action(case: Case, event: CaseEvent) -> None:
    """Notify the people an action on ``case`` concerns (called by the state machine after each action)."""
    handler = HANDLERS.get(str(event.action))
    if handler is None:
        return
    outbox = Outbox()

    def notice_for(kind: NoticeKind, lines: list) -> Notice:
        return Notice(case, kind, lines, event.at, outbox)

    with office_language():
        handler(case, event, notice_for)
    outbox.write()


def case_received(case: Case, now) -> None:
    """A new letter in a mailbox: its intake team hears (called by intake for a citizen's submission)."""
    if case.mailbox is None:
        return
    outbox = Outbox()
    with office_language():
        line = _("A new letter in %(mailbox)s.", mailbox=case.mailbox.name)
        notice = Notice(case, NoticeKind.NEW_LETTER, [_case_line(case), line], now, outbox)
    notice.users(intake_team(case.mailbox.department_id))
    outbox.write()


def red_received(case: Case, now) -> None:
    """A red case has come in: the supervisors hear at once, from every channel (called by intake)."""
    outbox = Outbox()
    with office_language():
        received = _(
            "A red case came in at %(time)s through %(channel)s; its clocks run from receipt.",
            time=format_local(case.received_at or now),
            channel=Channel.label_of(str(case.channel)),
        )
        update = _progress_line(case)
        notice = Notice(case, NoticeKind.RED_RECEIVED, [_case_line(case), received, update], now, outbox)
    notice.role(Role.SUPERVISOR)
    outbox.write()


def _progress_line(case: Case) -> str | None:
    due = next((d.due_at for d in case.deadlines if d.stage == Stage.PROGRESS_UPDATE), None)
    if due is None:
        return None
    return _("A progress update is due every hour until the citizen is contacted; the first by %(due)s.",
             due=format_local(due))  # fmt: skip


def clue_received(clue, now) -> None:
    """A new clue from a volunteer: the community it is in hears."""
    outbox = Outbox()
    subject = f"【{kind_title(NoticeKind.NEW_CLUE)}】{clue.place}"[:200]
    body = "\n".join(
        [_("A volunteer reported a clue at %(place)s.", place=clue.place), clue.description[:200]]
    )
    data = {
        "links": [link(f"/admin/clue/details/?id={clue.id}", _("Clue %(id)d", id=clue.id))],
        "event": "new_clue",
    }
    community = clue.community if clue.community is not None else _department(clue.community_id)
    if community is not None:
        notify_department(
            community, subject, body, kind=NoticeKind.NEW_CLUE.value, data=data, now=now, outbox=outbox
        )
    outbox.write()
