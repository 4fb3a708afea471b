"""Test data: a small district with two streets, and cases driven to any status through the state machine."""

from app.extensions import db
from models import lifecycle
from models.case import Case
from models.catalog import Category
from models.enums import Channel
from models.enums import Grade
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Satisfaction
from models.enums import Status
from models.mailbox import Mailbox
from models.org import Department
from models.user import User

PASSWORD = "correct-horse-9"

# code -> (name, kind, parent code)
ORG = {
    "D": ("测试区", "district", None),
    "SA": ("甲街道", "street", "D"),
    "SB": ("乙街道", "street", "D"),
    "CA": ("甲一社区", "community", "SA"),
    "CB": ("乙一社区", "community", "SB"),
    "BA": ("区城管局", "bureau", "D"),
    "BB": ("区住建局", "bureau", "D"),
}


def build_org() -> None:
    """Departments, two categories, one mailbox and one user per role (handlers for SA and SB)."""
    depts = {}
    for code, (name, kind, parent) in ORG.items():
        depts[code] = Department(code=code, name=name, kind=kind, parent=depts.get(parent))
        db.session.add(depts[code])
        db.session.flush()
    city = Category(code="CSGL", name="城市管理", default_department=depts["BA"])
    db.session.add_all(
        [
            city,
            Category(code="CSGL-ZDJY", name="占道经营", parent=city),
            Category(code="CXJS", name="城乡建设", default_department=depts["BB"]),
            Mailbox(
                name="局长信箱",
                kind="bureau_chief",
                department=depts["BA"],
                slug="jzxx",
                leader_name="王局长",
            ),
        ]
    )
    for role in ("admin", "supervisor", "clerk", "leader"):
        make_user(role)
    for code in ("SA", "SB", "CA", "BA", "BB"):
        make_user("handler", code)
    db.session.commit()


def dept(code: str) -> Department:
    """The department with ``code``."""
    return db.session.query(Department).filter_by(code=code).one()


def username_for(role: str, code: str | None = None) -> str:
    """Conventional test username: ``clerk`` or ``handler_SA``."""
    return f"{role}_{code}" if code else role


def make_user(role: str, code: str | None = None) -> User:
    """Get or create the test user for ``role`` (and department ``code``)."""
    name = username_for(role, code)
    user = db.session.query(User).filter_by(username=name).one_or_none()
    if user is None:
        user = User(username=name, display_name=name, role=role, department=dept(code) if code else None)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def user(role: str, code: str | None = None) -> User:
    """The existing test user."""
    return db.session.query(User).filter_by(username=username_for(role, code)).one()


# The path each status is reached by: (action, actor (role, dept or None for lead), params)
PATH = {
    Status.REGISTERED: [("register", ("clerk", None), {})],
    Status.DISPATCHED: [("dispatch", ("clerk", None), {})],
    Status.IN_PROGRESS: [("sign", ("handler", "LEAD"), {})],
    Status.REPLIED: [
        ("contact", ("handler", "LEAD"), {"note": "已电话联系群众"}),
        ("reply", ("handler", "LEAD"), {"outcome": ReplyOutcome.SUPPORTED, "text": "已处理完毕"}),
    ],
    Status.CLOSED: [("revisit", ("clerk", None), {"satisfaction": Satisfaction.SATISFIED})],
}
ORDER = [Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED]


def make_case(status=Status.NEW, lead="SA", co=(), title="路边占道经营影响通行", **fields) -> Case:
    """A case received by hotline and driven through the lifecycle up to ``status``."""
    clerk = user("clerk")
    case = Case(
        channel=fields.pop("channel", Channel.HOTLINE),
        request_type=fields.pop("request_type", RequestType.COMPLAINT),
        title=title,
        content=fields.pop("content", "小区门口每天晚上有摊贩占道经营，影响行人通行。"),
        citizen_name=fields.pop("citizen_name", "张三"),
        citizen_phone=fields.pop("citizen_phone", "13800138000"),
        citizen_id_no=fields.pop("citizen_id_no", "440306199001011234"),
        grade=fields.pop("grade", Grade.GREEN),
        **fields,
    )
    lifecycle.open_case(case, clerk)
    if status not in (Status.NEW, Status.REJECTED, *ORDER):
        raise ValueError(f"make_case cannot reach {status}; merge in the test itself")
    target = Status.NEW if status == Status.REJECTED else status
    for step in ORDER[: ORDER.index(target) + 1] if target in ORDER else []:
        for action, (role, code), params in PATH[step]:
            actor = user(role, lead if code == "LEAD" else code)
            if action == "dispatch":
                params = {"lead_department": dept(lead), "co_departments": [dept(c) for c in co]}
            lifecycle.perform(case, action, actor, **params)
    if status == Status.REJECTED:
        lifecycle.perform(case, "reject", clerk, reason="不属于受理范围")
    db.session.commit()
    return case
