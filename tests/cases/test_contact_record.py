"""联系记录: the handler records when, how and with whom the citizen was contacted, and the outcome;
未接通 is a try, not a contact made: no contact time is stamped and the contact clock keeps running."""

import pytest
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases import lifecycle
from app.extensions import db
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Unit
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import deadline
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import user


@pytest.fixture
def policies(app):
    return stage_policies(sign=(10, Unit.MINUTES), contact=(60, Unit.MINUTES), resolve=(2, Unit.NATURAL_DAYS))


def signed(now=T0, co=()):
    """A case received, registered, dispatched to SA (with co-departments ``co``) and signed at ``now``."""
    case = new_case(now)
    act(case, "register", now)
    act(case, "dispatch", now, co_departments=[dept(c) for c in co])
    act(case, "sign", now)
    return case


def contact(case, now, **record):
    return lifecycle.perform(case, "contact", user("handler", "SA"), now=now, **record)


def refused(case, now, **record) -> str:
    with pytest.raises(lifecycle.TransitionError) as caught:
        contact(case, now, **record)
    return caught.value.message


def test_a_structured_contact_stops_the_contact_clock(policies):
    case = signed()
    event = contact(
        case,
        T0 + 5 * MINUTE,
        method="visit",
        contact_time=T0 + 3 * MINUTE,
        person="张三本人",
        note="上门说明处理进度",
    )
    db.session.commit()
    assert event.note == "上门说明处理进度"
    assert event.data == {
        "contact": {"method": "visit", "at": (T0 + 3 * MINUTE).isoformat(), "person": "张三本人"},
        "reached": True,
    }
    assert case.contacted_at == T0 + 5 * MINUTE  # stamped when recorded (a stated time cannot back-date it)
    assert deadline(case, "contact").status == DeadlineStatus.MET


def test_not_reached_is_no_contact_and_the_clock_keeps_running(policies):
    case = signed()
    event = contact(
        case, T0 + 5 * MINUTE, method="not_reached", contact_time=None, person="", note="电话无人接听"
    )
    db.session.commit()
    assert event.data["reached"] is False and event.data["contact"]["method"] == "not_reached"
    assert event.data["contact"]["at"] == (T0 + 5 * MINUTE).isoformat()  # no time given: now
    assert event.data["contact"]["person"] is None
    assert case.contacted_at is None
    contact_clock = deadline(case, "contact")
    assert contact_clock.status == DeadlineStatus.RUNNING and contact_clock.due_at == T0 + 60 * MINUTE
    assert case.next_due_at == T0 + 60 * MINUTE
    # the next try gets through: now it is a contact made
    contact(case, T0 + 20 * MINUTE, method="phone", contact_time=None, person="张三", note="已电话说明")
    db.session.commit()
    assert case.contacted_at == T0 + 20 * MINUTE
    assert deadline(case, "contact").status == DeadlineStatus.MET


def test_a_first_contact_is_not_undone_by_a_later_failed_call(policies):
    case = signed()
    contact(case, T0 + 5 * MINUTE, method="wechat", contact_time=None, note="微信告知")
    contact(case, T0 + 9 * MINUTE, method="not_reached", contact_time=None, note="回电未接通")
    assert case.contacted_at == T0 + 5 * MINUTE
    assert deadline(case, "contact").status == DeadlineStatus.MET


@pytest.mark.parametrize(
    "record, message",
    [
        ({"method": "fax"}, "Choose how the citizen was contacted."),
        (
            {"method": "phone", "contact_time": T0 + 60 * MINUTE},
            "The time of contact cannot be in the future.",
        ),
        (
            {"method": "phone", "contact_time": T0 - MINUTE},
            "The time of contact cannot be before the case was received.",
        ),
        ({"method": "phone", "contact_time": "昨天下午"}, "Give the time of contact as a date and time."),
        ({"method": "phone", "person": "张" * 101}, "The name of the person spoken to is too long."),
        ({"method": "phone", "note": "  "}, "Record what was said to the citizen."),
    ],
)
def test_a_wrong_record_is_refused_and_nothing_changes(policies, record, message):
    case = signed()
    events = len(case.events)
    assert refused(case, T0 + 10 * MINUTE, **{"note": "已联系", **record}) == _(message)
    assert case.contacted_at is None and len(case.events) == events
    assert deadline(case, "contact").status == DeadlineStatus.RUNNING


def test_a_plain_note_from_an_older_caller_is_still_a_contact(policies):
    case = signed()
    event = contact(case, T0 + MINUTE, note="已电话联系群众")
    assert event.data is None and case.contacted_at == T0 + MINUTE


def test_a_co_department_not_reaching_the_citizen_keeps_its_part_clock(policies):
    case = signed(co=("BA",))
    part = case.parts[0]
    handler = user("handler", "BA")
    lifecycle.perform(case, "sign_part", handler, now=T0 + MINUTE)
    event = lifecycle.perform(
        case, "contact_part", handler, now=T0 + 2 * MINUTE, method="not_reached", note="无人接听"
    )
    db.session.commit()
    assert event.data["department_id"] == dept("BA").id and event.data["reached"] is False
    part_contact = db.session.scalars(
        select(CaseDeadline).where(CaseDeadline.part_id == part.id, CaseDeadline.stage == "contact")
    ).one()
    assert part.contacted_at is None and part_contact.status == DeadlineStatus.RUNNING
    lifecycle.perform(case, "contact_part", handler, now=T0 + 3 * MINUTE, method="phone", note="已电话说明")
    db.session.commit()
    db.session.refresh(part_contact)
    assert part.contacted_at == T0 + 3 * MINUTE and part_contact.status == DeadlineStatus.MET
