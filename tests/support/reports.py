"""Cases counted by hand for the rates tests (see tests/reports/test_rates.py for the story of each)."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from models.deadline import Unit
from models.org import Category
from tests.support.deadlines import LONG
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import user

H = timedelta(hours=1)
M = timedelta(minutes=1)


def category(code: str) -> Category:
    """The test catalogue's category ``code``."""
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def hand_counted_cases() -> dict:
    """Cases A to E received on Monday 2026-03-02 10:00 and driven through their steps (committed)."""
    stage_policies(
        sign=(60, Unit.MINUTES), contact=(120, Unit.MINUTES, {"max_extensions": 1}), first_reply=(24, Unit.HOURS),
        resolve=(48, Unit.HOURS), revisit=LONG,
    )  # fmt: skip
    dispute = category("CXJS")
    dispute.is_dispute = True
    other = category("CSGL-ZDJY")
    made = {}

    a = made["A"] = new_case(T0, category_id=dispute.id)
    act(a, "register", T0)
    act(a, "dispatch", T0, lead="SA", co_departments=[dept("BB")])
    act(a, "sign", T0 + 30 * M)
    act(a, "contact", T0 + H)
    bb = user("handler", "BB")  # the co-department answers its part in time, so the lead may reply
    act(a, "sign_part", T0 + 20 * M, actor=bb)
    act(a, "answer_part", T0 + 4 * H, actor=bb, text="住建局已核查，涉及本局部分已处理。")
    act(a, "reply", T0 + 5 * H)
    act(a, "revisit", T0 + 6 * H)

    b = made["B"] = new_case(T0, category_id=other.id)
    act(b, "register", T0)
    act(b, "dispatch", T0, lead="SA")
    act(b, "sign", T0 + 2 * H)
    act(b, "contact", T0 + 5 * H)
    act(b, "reply", T0 + 26 * H)
    act(b, "revisit", T0 + 27 * H, satisfaction="unsatisfied")
    act(b, "reply", T0 + 28 * H)
    act(b, "revisit", T0 + 29 * H, satisfaction="basically_satisfied")

    c = made["C"] = new_case(T0, category_id=other.id)
    act(c, "register", T0)
    act(c, "dispatch", T0, lead="SB")

    made["D"] = new_case(T0, category_id=other.id)
    act(made["D"], "reject", T0 + 10 * M)

    e = made["E"] = new_case(T0, category_id=dispute.id)
    act(e, "register", T0)
    act(e, "dispatch", T0, lead="BB")
    act(e, "sign", T0 + 10 * M)
    act(e, "contact", T0 + 20 * M)
    act(e, "reply", T0 + H, outcome="not_supported")
    act(e, "revisit", T0 + 2 * H)
    db.session.commit()
    return made
