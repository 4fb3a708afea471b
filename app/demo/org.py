"""The demo district (shaped like 深圳市光明区 "1+6+31+N"): departments, staff accounts and mailboxes."""

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select

from app.auth.passwords import set_password
from app.demo import texts
from app.org.catalogue import BUREAUS
from models.enums import DepartmentKind
from models.enums import LeaderRank
from models.enums import MailboxKind
from models.enums import Role
from models.org import Category
from models.org import Department
from models.org import Mailbox
from models.user import User

DEMO_PASSWORD = "suqiu-demo-2026"
DISTRICT_CODE = "GM"
DISTRICT_NAME = "光明区群众诉求服务中心"

# street code, street name, [(community code suffix, community name), ...]
STREETS = (
    ("GUANGMING", "光明街道", [("GM", "光明社区"), ("BY", "碧眼社区"), ("DZ", "东周社区"), ("CH", "翠湖社区"), ("BH", "白花社区")]),
    ("GONGMING", "公明街道", [("GM", "公明社区"), ("SC", "上村社区"), ("XC", "下村社区"), ("LSL", "李松蓢社区"), ("XT", "西田社区"), ("NH", "南环社区")]),
    ("XINHU", "新湖街道", [("XQ", "新羌社区"), ("LC", "楼村社区"), ("ZM", "圳美社区")]),
    ("FENGHUANG", "凤凰街道", [("FH", "凤凰社区"), ("TJ", "塘家社区"), ("DK", "东坑社区"), ("JZT", "甲子塘社区"), ("TW", "塘尾社区")]),
    ("YUTANG", "玉塘街道", [("YL", "玉律社区"), ("CZ", "长圳社区"), ("TL", "田寮社区"), ("HX", "红星社区")]),
    ("MATIAN", "马田街道", [("HSK", "合水口社区"), ("STP", "薯田埔社区"), ("JW", "将围社区"), ("XZ", "新庄社区"), ("SJ", "石家社区"), ("GZY", "根竹园社区"), ("MST", "马山头社区"), ("ZW", "钟屋社区")]),
)  # fmt: skip

# station code, name, parent code (a street or a community)
STATIONS = (
    ("GUANGMING-PCS", "光明派出所群众诉求服务站", "GUANGMING"),
    ("YUTANG-TL-WZN", "维珍妮园区群众诉求服务站", "YUTANG-TL"),
    ("XINHU-LC-KXC", "科学城建设工地群众诉求服务站", "XINHU-LC"),
    ("GONGMING-GM-SY", "公明商业中心群众诉求服务站", "GONGMING-GM"),
)

# username, role, display name (None: a generated name), department code
STAFF = (
    ("admin", Role.ADMIN, "系统管理员", DISTRICT_CODE),
    ("supervisor", Role.SUPERVISOR, None, DISTRICT_CODE),
    ("clerk", Role.CLERK, None, DISTRICT_CODE),
    ("clerk2", Role.CLERK, None, DISTRICT_CODE),
    ("leader", Role.LEADER, None, DISTRICT_CODE),
)

# Leaders by rank (the 包案 levels they hold): username, rank, title printed with the logins, department code.
# ``leader`` is one of STAFF (made there, ranked here); the others are made by build_leaders.
LEADERS = (
    ("leader", LeaderRank.DISTRICT_DEPUTY, "区分管领导", DISTRICT_CODE),
    ("leader_chief", LeaderRank.DISTRICT_CHIEF, "区主要领导", DISTRICT_CODE),
    ("leader_deputy", LeaderRank.DISTRICT_DEPUTY, "区分管领导", DISTRICT_CODE),
    ("leader_matian", LeaderRank.STREET, "街道领导", "MATIAN"),
    ("leader_gongming", LeaderRank.STREET, "街道领导", "GONGMING"),
    ("leader_zjj", LeaderRank.DEPARTMENT, "部门领导", "ZJJ"),
)

# slug, name, kind, owner department code, real name required, public (letters may be published with the
# writer's consent; the police and petition mailboxes never), intro
MAILBOXES = (
    ("jzxx", "局长信箱", MailboxKind.BUREAU_CHIEF, "GAFJ", True, False,
     "区公安分局局长信箱：群众来信由局长亲自阅批，10分钟内签收、30分钟内联系、4天内办结答复。请如实填写姓名和联系方式。"),
    ("sjzx", "书记在线", MailboxKind.PARTY_SECRETARY, DISTRICT_CODE, False, True,
     "区委书记在线受理群众诉求，实行“10-30-24”快速响应：10分钟响应、30分钟联系、24小时内给出处理意见。"),
    ("qzxx", "区长信箱", MailboxKind.DISTRICT_HEAD, DISTRICT_CODE, False, True,
     "欢迎对全区经济社会发展、政务服务和民生事项提出意见建议，区长信箱来信件件有回音。"),
    ("xinfang", "网上信访", MailboxKind.OTHER, DISTRICT_CODE, True, False,
     "依照《信访工作条例》受理信访事项：15日内告知是否受理，60日内办结（情况复杂的可延长30日）。"),
)  # fmt: skip

ROLE_NAMES = {
    Role.ADMIN: "系统管理员",
    Role.SUPERVISOR: "督办员",
    Role.CLERK: "受理员",
    Role.HANDLER: "承办人",
    Role.LEADER: "区领导",
}


@dataclass
class Org:
    """What the rest of the demo loader needs to find by code."""

    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Department]:
        """Demo departments of one kind, in definition order."""
        return [d for d in self.departments.values() if d.kind == kind]

    def handler(self, department: Department) -> User:
        """The demo handler of ``department``."""
        return self.users[handler_username(department.code)]


def handler_username(code: str) -> str:
    """Username of the demo handler of the department with ``code``."""
    return f"h_{code.lower()}"


def department_rows() -> list[tuple[str, str, str, str | None]]:
    """Every demo department as ``(code, name, kind, parent code)``, parents first."""
    rows = [(DISTRICT_CODE, DISTRICT_NAME, DepartmentKind.DISTRICT, None)]
    for code, name, communities in STREETS:
        rows.append((code, name, DepartmentKind.STREET, DISTRICT_CODE))
        rows.extend((f"{code}-{c}", n, DepartmentKind.COMMUNITY, code) for c, n in communities)
    rows.extend((code, name, DepartmentKind.STATION, parent) for code, name, parent in STATIONS)
    rows.extend((code, name, DepartmentKind.BUREAU, DISTRICT_CODE) for code, name in BUREAUS)
    return rows


def account_rows() -> list[tuple[str, str, str]]:
    """Every demo account as ``(username, role, department name)``."""
    names = {code: name for code, name, _kind, _parent in department_rows()}
    rows = [(u, str(role), names[dept]) for u, role, _name, dept in STAFF]
    rows += [(u, str(Role.LEADER), names[dept]) for u, _rank, _title, dept in LEADERS if u != "leader"]
    for code, name, kind, _parent in department_rows():
        if kind != DepartmentKind.DISTRICT:
            rows.append((handler_username(code), str(Role.HANDLER), name))
    return rows


def build_departments(session, gen: "texts.Gen", org: Org) -> int:
    """Create the department tree (reusing units whose code exists); return how many were added."""
    existing = {d.code: d for d in session.scalars(select(Department))}
    added = 0
    for i, (code, name, kind, parent) in enumerate(department_rows()):
        dept = existing.get(code)
        if dept is None:
            dept = Department(
                code=code,
                name=name,
                kind=kind,
                parent=org.departments.get(parent),
                leader_name=gen.name(),
                phone=gen.landline(),
                sort_order=i,
            )
            session.add(dept)
            session.flush()  # the path listener needs the parent's id
            added += 1
        org.departments[code] = dept
    return added


def _new_user(session, gen, hashes: dict, username, role, display_name, department) -> User:
    """A new demo account (a drawn name unless given, a drawn phone) with the shared demo password: one Argon2
    hash per run, kept in ``hashes`` and reused; added to the session."""
    user = User(
        username=username,
        display_name=display_name or gen.name(),
        role=role,
        department=department,
        phone=gen.mobile(),
    )
    if "demo" not in hashes:
        set_password(user, DEMO_PASSWORD)
        hashes["demo"] = user.password_hash
    else:
        user.password_hash = hashes["demo"]
    session.add(user)
    return user


def build_users(session, gen: "texts.Gen", org: Org) -> int:
    """Create the staff and one handler per street, community, station and bureau; return how many."""
    wanted = [(u, role, name, dept) for u, role, name, dept in STAFF]
    for code, _name, kind, _parent in department_rows():
        if kind != DepartmentKind.DISTRICT:
            wanted.append((handler_username(code), Role.HANDLER, None, code))
    existing = {u.username: u for u in session.scalars(select(User))}
    hashes: dict = {}
    added = 0
    for username, role, display_name, dept_code in wanted:
        user = existing.get(username)
        if user is None:
            user = _new_user(session, gen, hashes, username, role, display_name, org.departments[dept_code])
            added += 1
        org.users[username] = user
    session.flush()
    return added


def rank_title(username: str) -> str | None:
    """The rank title of a demo leader account (区主要领导 …), or None."""
    return next((title for u, _rank, title, _dept in LEADERS if u == username), None)


def build_leaders(session, seed: int, org: Org) -> int:
    """Give ``leader`` his rank and create the other ranked leaders (names from a generator seeded with
    ``seed``, the shared demo password); return how many were added."""
    gen = texts.Gen(seed)
    existing = {u.username: u for u in session.scalars(select(User))}
    hashes: dict = {}
    added = 0
    for username, rank, _title, dept_code in LEADERS:
        user = existing.get(username) or org.users.get(username)
        if user is None:
            user = _new_user(session, gen, hashes, username, Role.LEADER, None, org.departments[dept_code])
            added += 1
        if user.role == Role.LEADER and user.leader_rank is None:
            user.leader_rank = rank
        org.users[username] = user
    session.flush()
    return added


def build_mailboxes(session, gen: "texts.Gen", org: Org) -> int:
    """Create 局长信箱, 书记在线, 区长信箱 and 网上信访 (skipping slugs already taken; 书记在线 and 区长信箱
    public); return how many."""
    existing = {m.slug: m for m in session.scalars(select(Mailbox))}
    added = 0
    for slug, name, kind, owner, real_name, public, intro in MAILBOXES:
        mailbox = existing.get(slug)
        if mailbox is None:
            department = org.departments[owner]
            leader = department.leader_name if kind == MailboxKind.BUREAU_CHIEF else gen.name()
            mailbox = Mailbox(
                name=name,
                kind=kind,
                department=department,
                leader_name=leader,
                slug=slug,
                intro=intro,
                real_name_required=real_name,
                is_public=public,
            )
            session.add(mailbox)
            added += 1
        org.mailboxes[slug] = mailbox
    session.flush()
    return added


def load_categories(session, org: Org) -> None:
    """Fill ``org.categories`` with every category by code."""
    org.categories = {c.code: c for c in session.scalars(select(Category))}
