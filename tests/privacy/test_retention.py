"""The retention job: only finished cases past the period are erased, their texts masked, once, in batches;
the figures of the reports are the same after erasing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import sms
from app.privacy import retention
from app.timeutil import utcnow
from jobs import tasks
from jobs.runner import DAILY
from models.case import Case
from models.case import CaseEvent
from models.case_part import CasePart
from models.enums import Status
from models.notification import Notification
from models.sms import SmsMessage
from tests.support.factories import make_case

PHONE, ID_NO = "13912345678", "110101199003074514"
TEXT = f"本人王小明，电话{PHONE}，身份证{ID_NO}，反映小区门口占道经营。"


def _case(status, closed_days_ago=None, **fields):
    case = make_case(status, content=TEXT, citizen_name="王小明", citizen_phone=PHONE, citizen_id_no=ID_NO,
                     address="幸福路 8 号", **fields)  # fmt: skip
    if closed_days_ago is not None:
        case.closed_at = utcnow() - timedelta(days=closed_days_ago)
    db.session.commit()
    return case


def _set_months(months):
    retention.setting().retention_months = months
    db.session.commit()


def test_only_finished_cases_older_than_the_period_are_erased(app):
    _set_months(12)
    old_closed = _case(Status.CLOSED, closed_days_ago=400)
    old_rejected = _case(Status.REJECTED, closed_days_ago=400)
    recent_closed = _case(Status.CLOSED, closed_days_ago=300)
    still_open = _case(Status.IN_PROGRESS)
    still_open.closed_at = utcnow() - timedelta(days=400)  # an odd stale date must not make it due
    db.session.commit()

    result = tasks.privacy_retention(utcnow())
    assert result == "2 cases anonymised"
    db.session.expire_all()
    for case in (old_closed, old_rejected):
        assert case.anonymised_at is not None
        assert (case.citizen_name, case.citizen_phone, case.citizen_id_no, case.address) == (None,) * 4
        assert case.citizen_phone_last4 is None
        assert PHONE not in case.content and ID_NO not in case.content and "王小明" not in case.content
        assert "占道经营" in case.content  # the text stays for statistics
    for case in (recent_closed, still_open):
        assert case.anonymised_at is None and case.citizen_phone == PHONE and case.content == TEXT


def test_event_notes_and_reply_are_masked(app):
    _set_months(1)
    case = _case(Status.CLOSED, closed_days_ago=60)
    case.reply_text = f"已联系王小明（{PHONE}），问题已解决。"
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).first()
    event.note, event.data = f"回电 {PHONE}", {"text": f"身份证 {ID_NO}", "n": 3}
    db.session.commit()
    tasks.privacy_retention(utcnow())
    db.session.expire_all()
    assert (
        PHONE not in case.reply_text and "王小明" not in case.reply_text and "问题已解决" in case.reply_text
    )
    assert PHONE not in event.note and ID_NO not in event.data["text"] and event.data["n"] == 3


def test_co_department_parts_are_masked(app):
    _set_months(1)
    case = _case(Status.CLOSED, closed_days_ago=60, co=("BB",))
    part = db.session.scalars(select(CasePart).where(CasePart.case_id == case.id)).one()
    part.answer = f"已与王小明电话 {PHONE} 沟通"
    db.session.commit()
    tasks.privacy_retention(utcnow())
    db.session.expire_all()
    assert PHONE not in part.answer and "王小明" not in part.answer and "沟通" in part.answer


def test_messages_about_the_case_and_texts_to_the_citizen_are_masked(app):
    _set_months(1)
    case = _case(Status.CLOSED, closed_days_ago=60)
    other = _case(Status.IN_PROGRESS)
    note = Notification(kind="case", channel="inbox", case_id=case.id, subject=f"王小明 {PHONE} 来信",
                        body=f"来信人王小明，身份证 {ID_NO}", data={"links": [{"text": f"王小明 {PHONE}"}]},
                        status="sent")  # fmt: skip
    kept = Notification(
        kind="case", channel="inbox", case_id=other.id, subject=f"{PHONE}", body="x", status="sent"
    )
    now = utcnow()
    sent = SmsMessage(case_id=case.id, kind="accepted", phone=PHONE, text=f"王小明您好，编号{case.number}",
                      status="sent", created_at=now)  # fmt: skip
    unsent = SmsMessage(case_id=case.id, kind="answered", phone=PHONE, text="您反映的问题已办结", status="pending",
                        created_at=now, next_attempt_at=now)  # fmt: skip
    db.session.add_all([note, kept, sent, unsent])
    db.session.commit()

    tasks.privacy_retention(utcnow())
    db.session.expire_all()
    assert "王小明" not in note.subject and PHONE not in note.subject and "来信" in note.subject
    assert ID_NO not in note.body and "王小明" not in note.body
    assert PHONE not in str(note.data) and "王小明" not in str(note.data)
    assert kept.subject == PHONE  # another citizen's case is not touched
    assert sent.phone == "139****5678" and "王小明" not in sent.text and case.number in sent.text
    assert sent.status == "sent"
    assert (unsent.status, unsent.last_error, unsent.next_attempt_at) == ("failed", sms.ERASED, None)
    tasks.deliver_sms(utcnow())
    db.session.expire_all()
    assert (unsent.status, unsent.sent_at, unsent.attempts) == ("failed", None, 0)  # never sent to the number


def test_zero_months_means_never(app):
    _set_months(0)
    case = _case(Status.CLOSED, closed_days_ago=5000)
    assert tasks.privacy_retention(utcnow()) == "0 cases anonymised"
    db.session.expire_all()
    assert case.anonymised_at is None and case.citizen_phone == PHONE


def test_the_job_is_idempotent_batched_and_daily(app):
    assert "privacy_retention" in DAILY
    _set_months(12)
    cases = [_case(Status.CLOSED, closed_days_ago=400 + i) for i in range(5)]
    assert retention.counts(utcnow())["due"] == 5
    assert tasks.privacy_retention(utcnow(), batch=2, max_batches=2) == "4 cases anonymised"
    assert retention.counts(utcnow()) == {"done": 4, "due": 1}  # committed per batch, the rest next run
    stamps = {c.id: c.anonymised_at for c in cases}
    assert tasks.privacy_retention(utcnow(), batch=2) == "1 cases anonymised"
    assert tasks.privacy_retention(utcnow(), batch=2) == "0 cases anonymised"
    db.session.expire_all()
    assert all(c.anonymised_at == stamps[c.id] for c in cases if stamps[c.id])  # erased once


@pytest.fixture
def hand_counted(app):
    from tests.support.reports import hand_counted_cases

    return hand_counted_cases()


def test_report_figures_unchanged_after_erasing(hand_counted):
    from app.reports.rate_table import rate_rows
    from tests.reports.test_rates import NOW
    from tests.reports.test_rates import PERIOD

    def figures():
        return {key: f.value for key, f in rate_rows(PERIOD, NOW)[None].items()}

    before = figures()
    _set_months(1)
    erased = retention.anonymise_due(NOW + timedelta(days=800), batch=100)
    db.session.commit()
    assert erased >= 2  # the closed and the rejected ones
    assert db.session.scalar(select(db.func.count(Case.id)).where(Case.anonymised_at.is_not(None))) == erased
    db.session.expire_all()
    assert figures() == before
