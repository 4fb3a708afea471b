"""Two ratings of one reply sent at the same moment (two tabs, two devices): one counts, neither is a 500 --
before the staff revisit (the rating is the revisit) and after it closed the case (群众评价 only).

Regression for the outside test in which the loser of two simultaneous ratings got a 500
(``StaleDataError``: the case's version had moved on under it).
"""

import threading

from sqlalchemy import select

from app.cases import lifecycle
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.intake.submission import CitizenRequest
from app.intake.submission import submit
from models.case import Case
from models.case import CaseEvent
from models.enums import Channel
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_mailbox
from tests.support.factories import user
from tests.support.live_server import live_server_fixture  # noqa: F401  (provides the live_server fixture)
from tests.support.web import Browser

PHONE = "13900139000"


def replied_case(app, revisited: bool = False) -> tuple[int, str]:
    with app.app_context():
        seed_default_policies()
        box = make_mailbox("pjhf" if revisited else "pjxx", real_name_required=False)
        case, _created = submit(
            CitizenRequest(
                channel=Channel.MAILBOX,
                mailbox=box,
                request_type="complaint",
                title="电梯停运",
                content="小区3栋电梯停运一周，老人上下楼困难。",
                citizen_name="王女士",
                citizen_phone=PHONE,
            )
        )
        for action, actor, params in [
            ("register", user("clerk"), {}),
            ("dispatch", user("clerk"), {"lead_department": dept("SA")}),
            ("sign", user("handler", "SA"), {}),
            ("contact", user("handler", "SA"), {"note": "已电话联系"}),
            ("reply", user("handler", "SA"), {"outcome": "supported", "text": "已修复"}),
            *([("revisit", user("clerk"), {"satisfaction": "satisfied"})] if revisited else []),
        ]:
            lifecycle.perform(case, action, actor, **params)
        db.session.commit()
        return case.id, case.tracking_code


def rate_twice_at_once(live_server, code: str) -> list:
    """Two visitors who found the case post their ratings at the same moment; their pages afterwards."""
    visitors = []
    for _ in range(2):
        visitor = Browser(live_server.url)
        token = visitor.token("/track")
        assert (
            visitor.request("POST", "/track", {"csrf_token": token, "code": code, "phone_tail": PHONE[-4:]})[
                0
            ]
            == 302
        )
        visitors.append((visitor, visitor.token("/track/case")))
    barrier, statuses = threading.Barrier(2, timeout=30), []

    def rate(visitor, token, satisfaction):
        barrier.wait()
        statuses.append(
            visitor.request("POST", "/track/case", {"csrf_token": token, "satisfaction": satisfaction})[0]
        )

    threads = [
        threading.Thread(target=rate, args=(*visitors[0], "satisfied")),
        threading.Thread(target=rate, args=(*visitors[1], "unsatisfied")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 302], statuses
    return visitors


def test_two_ratings_at_once_one_counts_and_neither_fails(live_server):
    case_id, code = replied_case(live_server.app)
    visitors = rate_twice_at_once(live_server, code)
    with live_server.app.app_context():
        ratings = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "revisit")
        ).all()
        assert len(ratings) == 1
        assert db.session.get(Case, case_id).status in (Status.CLOSED, Status.IN_PROGRESS)
    # the loser is told, in the page it is sent back to
    for visitor, _token in visitors:
        status, html = visitor.request("GET", "/track/case")
        assert status == 200 and "Traceback" not in html


def test_two_ratings_after_the_revisit_closed_the_case_one_counts(live_server):
    case_id, code = replied_case(live_server.app, revisited=True)
    visitors = rate_twice_at_once(live_server, code)
    with live_server.app.app_context():
        ratings = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "citizen_rating")
        ).all()
        assert len(ratings) == 1
        case = db.session.get(Case, case_id)
        assert case.status == Status.CLOSED and case.citizen_rating == ratings[0].data["satisfaction"]
    for visitor, _token in visitors:
        status, html = visitor.request("GET", "/track/case")
        assert status == 200 and "Traceback" not in html
