"""Test data: a small district with two streets, and cases driven to any status through the state machine."""

from app.auth.passwords import set_password
from app.cases import lifecycle
from app.extensions import db
from models.case import Case
from models.enums import Channel
from models.enums import Grade
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Satisfaction
from models.enums import Status
from models.org import Category
from models.org import Department
from models.org import Mailbox
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
    make_user("leader").leader_rank = "district_deputy"
    db.session.commit()


# leader account code -> rank: ``leader`` is a 区分管领导; these are made by :func:`make_ranked_leaders`
LEADERS = {"chief": "district_chief", "street": "street", "bureau": "department"}


def make_ranked_leaders() -> None:
    """``leader_chief`` (区主要领导), ``leader_street`` and ``leader_bureau`` (no department: a department's
    mail stays its handlers'), for the 包案 and 提级 tests."""
    for code, rank in LEADERS.items():
        make_user("leader", code).leader_rank = rank
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
        department = dept(code) if code and role != "leader" else None
        user = User(username=name, display_name=name, role=role, department=department)
        set_password(user, PASSWORD)
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
            if action == "reply":
                answer_parts(case)
            lifecycle.perform(case, action, actor, **params)
    if status == Status.REJECTED:
        lifecycle.perform(case, "reject", clerk, reason="不属于受理范围")
    db.session.commit()
    return case


def answer_parts(case: Case) -> None:
    """Each co-department signs for and answers its part (协办), so the lead may reply."""
    for part in case.parts:
        if part.status == "pending":
            lifecycle.perform(case, "sign_part", user("handler", part.department.code))
        if part.status == "signed":
            lifecycle.perform(
                case, "answer_part", user("handler", part.department.code), text="协办部分已办理"
            )


# --- the citizens' front door: mailboxes and small real upload files ---------------------------------


def make_mailbox(
    slug: str,
    *,
    real_name_required: bool = True,
    active: bool = True,
    department: str = "BA",
    name: str = "区长信箱",
    kind: str = "district_head",
    leader_name: str | None = "李区长",
    intro: str | None = "区长亲自阅办群众来信，件件有回音。",
) -> Mailbox:
    """A mailbox with a public page at ``/m/<slug>`` (committed)."""
    mailbox = Mailbox(
        slug=slug,
        name=name,
        kind=kind,
        department=dept(department),
        leader_name=leader_name,
        intro=intro,
        real_name_required=real_name_required,
        active=active,
    )
    db.session.add(mailbox)
    db.session.commit()
    return mailbox


def public_mailbox() -> Mailbox:
    """The test district's mailbox marked public (``gongkai``), made on first use (committed)."""
    box = db.session.query(Mailbox).filter_by(slug="gongkai").one_or_none()
    if box is None:
        box = make_mailbox("gongkai", real_name_required=False, name="书记在线", kind="party_secretary")
        box.is_public = True
        db.session.commit()
    return box


def make_published_case(status=Status.NEW, **fields) -> Case:
    """A case the public may see (app.cases.publication): from the public mailbox, the citizen consenting."""
    return make_case(status, mailbox=public_mailbox(), publication_consent=True, **fields)


def dispatched_letter(mailbox: Mailbox, files: list[tuple[str, bytes]], title: str, content: str) -> Case:
    """A letter to ``mailbox`` with ``files`` (name, bytes), registered and dispatched to 甲街道 (SA)."""
    from app.intake import uploads
    from app.intake.submission import CitizenRequest
    from app.intake.submission import submit

    case, created = submit(
        CitizenRequest(
            channel=Channel.MAILBOX,
            mailbox=mailbox,
            request_type="complaint",
            title=title,
            content=content,
            citizen_phone="13900139000",
            files=uploads.check_all(files),
        )
    )
    assert created
    lifecycle.perform(case, "register", user("clerk"))
    lifecycle.perform(case, "dispatch", user("clerk"), lead_department=dept("SA"))
    db.session.commit()
    return case


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG image (signature, IHDR, zlib-compressed IDAT, IEND with correct CRCs)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The start of a JFIF JPEG (SOI, APP0 JFIF segment) and its end marker."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    )


def webp_bytes() -> bytes:
    """A RIFF/WEBP container header."""
    import struct

    body = b"WEBPVP8 " + struct.pack("<I", 10) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", len(body)) + body


def heic_bytes() -> bytes:
    """An ISO-BMFF ``ftyp`` box with the HEIC brand (as iPhones write)."""
    import struct

    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 16


def wav_bytes(frames: int = 800) -> bytes:
    """A real mono 8 kHz 16-bit WAV file written by the ``wave`` module (a tenth of a second of silence)."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


def amr_bytes() -> bytes:
    """An AMR-NB voice note: the ``#!AMR`` magic and a few 12.2 kbit/s frames."""
    return b"#!AMR\n" + (b"\x3c" + b"\x00" * 31) * 4


def mp3_bytes() -> bytes:
    """An MP3 with an ID3v2.3 tag header followed by one MPEG-1 Layer III frame header."""
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413


def m4a_bytes() -> bytes:
    """An ISO-BMFF ``ftyp`` box with the ``M4A`` brand (an AAC voice note)."""
    import struct

    return struct.pack(">I", 24) + b"ftypM4A " + b"\x00\x00\x02\x00" + b"M4A isom" + b"\x00" * 16


class _PageParser:
    """Reads a rendered page: element texts by id, form values by name, field errors by field name."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.by_id: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.errors: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict]] = []  # every start tag with its attributes, in order
        parser = HTMLParser(convert_charrefs=True)
        parser.handle_starttag = self._start
        parser.handle_startendtag = self._start
        parser.handle_endtag = self._end
        parser.handle_data = self._data
        self._stack: list[str] = []
        self._open: list[tuple[int, str, str, list]] = []  # (depth, kind, key, chunks)
        self._select: str | None = None
        parser.feed(html)
        parser.close()

    def _start(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        self.tags.append((tag, attrs))
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "radio", "checkbox"):
            self.values[name] = attrs.get("value", "")
        if tag == "select":
            self._select = name
        if tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        if tag in self.VOID:
            return
        self._stack.append(tag)
        depth = len(self._stack)
        if attrs.get("id"):
            self._open.append((depth, "id", attrs["id"], []))
        if attrs.get("data-error-for"):
            self._open.append((depth, "error", attrs["data-error-for"], []))
        if tag == "textarea" and name:
            self._open.append((depth, "value", name, []))

    def _end(self, tag):
        if tag in self.VOID or tag not in self._stack:
            return
        while self._stack:
            if self._stack.pop() == tag:
                break
        if tag == "select":
            self._select = None
        depth = len(self._stack)
        while self._open and self._open[-1][0] > depth:
            _depth, kind, key, chunks = self._open.pop()
            text = "".join(chunks)
            if kind == "id":
                self.by_id[key] = " ".join(text.split())
            elif kind == "error":
                self.errors.setdefault(key, []).append(text.strip())
            else:
                # HTML drops one newline right after <textarea> (CR LF counts as one newline)
                self.values[key] = text.replace("\r\n", "\n").removeprefix("\n")

    def _data(self, data):
        for record in self._open:
            record[3].append(data)


def parse_page(html: str) -> _PageParser:
    """Parse a rendered page (see :class:`_PageParser`: ``by_id``, ``values``, ``errors``, ``tags``)."""
    return _PageParser(html)


# --- volunteers and clues ----------------------------------------------------------------------------


def make_volunteer(
    name: str = "陈平安", community: str = "CA", *, status: str = "active", link: bool = True, **fields
):
    """A 平安员 of ``community`` (committed), with a personal link unless ``link`` is False."""
    from datetime import date

    from app.volunteers.links import new_link_token
    from models.volunteer import Volunteer

    volunteer = Volunteer(
        name=name,
        phone=fields.pop("phone", "13700001111"),
        group=fields.pop("group", "grid_worker"),
        community=dept(community),
        joined_on=fields.pop("joined_on", date(2025, 1, 1)),
        status=status,
        link_token=new_link_token() if link else None,
        **fields,
    )
    db.session.add(volunteer)
    db.session.commit()
    return volunteer


def make_clue(
    volunteer,
    place: str = "甲小区3栋楼下",
    description: str = "两户居民因停车位发生争吵，情绪激动。",
    **fields,
):
    """A new clue of ``volunteer`` as if sent through the personal link (committed)."""
    from models.volunteer import Clue

    clue = Clue(
        volunteer=volunteer,
        community_id=volunteer.community_id,
        place=place,
        description=description,
        status=fields.pop("status", "new"),
        **fields,
    )
    db.session.add(clue)
    db.session.commit()
    return clue
