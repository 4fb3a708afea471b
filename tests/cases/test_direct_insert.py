"""The intake path writes a case, its first event, clock and attachments with Core INSERTs (one statement on
PostgreSQL): the rows must equal what the unit of work writes, and the objects must behave as persistent."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from app.cases import lifecycle
from app.extensions import db
from app.intake import submission
from app.intake import uploads
from models.case import Attachment
from models.case import Case
from models.case import CaseEvent
from models.case import Counter
from models.deadline import CaseDeadline
from models.deadline import DeadlinePolicy
from models.enums import Channel
from models.enums import Status
from models.intake_control import SensitiveWord
from models.org import Mailbox
from tests.support import factories
from tests.support.pg_server import pg_app_fixture  # noqa: F401
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing


@pytest.fixture
def app_config(tmp_path):
    """Uploads go to the test's own folder."""
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.pg, pytest.mark.xdist_group("pg")])]
)
def any_app(request):
    """The app on SQLite, then on PostgreSQL."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def _policy() -> DeadlinePolicy:
    policy = DeadlinePolicy(name="受理 1 个工作日", stage="register", amount=1, unit="working_days",
                            ladder=[{"step": "warn", "percent": 80}, {"step": "breach"}])  # fmt: skip
    db.session.add(policy)
    db.session.commit()
    return policy


def _request(**changes) -> submission.CitizenRequest:
    fields = {
        "channel": Channel.MAILBOX,
        "request_type": "complaint",
        "title": "夜市占道",
        "content": "小区门口夜市占道经营，有人扬言要去静坐。",
        "mailbox": db.session.scalars(select(Mailbox)).first(),
        "citizen_name": "张三",
        "citizen_phone": "138 0013 8000",
        "files": [uploads.inspect("门口.png", factories.png_bytes()), uploads.inspect("录音.wav", factories.wav_bytes())],
    }  # fmt: skip
    fields.update(changes)
    return submission.CitizenRequest(**fields)


def _row(model, obj) -> dict:
    """The stored row of ``obj`` read back with Core, as {column: value}."""
    table = model.__table__
    return dict(db.session.execute(select(table).where(table.c.id == obj.id)).one()._mapping)


def test_submit_writes_the_same_rows_the_unit_of_work_would(any_app):
    policy = _policy()
    db.session.add(SensitiveWord(word="静坐"))
    db.session.commit()
    case, created = submission.submit(_request(), now=NOW)
    assert created and sa_inspect(case).persistent
    event, deadline = case.events[0], case.deadlines[0]
    assert all(sa_inspect(o).persistent for o in (event, deadline, *case.attachments))
    # Every attribute the objects hold equals the stored row, defaults and server defaults included.
    for model, obj in ((Case, case), (CaseEvent, event), (CaseDeadline, deadline)):
        stored = _row(model, obj)
        held = {
            c.key: getattr(obj, sa_inspect(model).get_property_by_column(c).key) for c in model.__table__.c
        }
        assert held == stored, model
    assert case.status == Status.NEW and case.number.startswith("SQ20261123-") and case.is_sensitive
    assert case.grade == "green" and case.urgency == "green" and case.next_due_at == deadline.due_at
    assert event.case_id == case.id and event.action == "receive"
    assert event.data == {"channel": "mailbox", "sensitive_words": ["静坐"]}
    assert deadline.policy_id == policy.id and deadline.policy.name == policy.name  # lazy load works
    assert [a.kind for a in case.attachments] == ["image", "audio"]
    assert all(a.case_id == case.id and uploads.path_of(a.stored_name).exists() for a in case.attachments)
    assert (
        db.session.scalar(select(Attachment.case_id).where(Attachment.id == case.attachments[1].id))
        == case.id
    )


def test_the_returned_case_goes_on_through_the_state_machine(any_app):
    _policy()
    case, _ = submission.submit(_request(files=[]), now=NOW)
    lifecycle.perform(case, "register", factories.user("clerk"), now=NOW)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.status == Status.REGISTERED
    assert [e.action for e in stored.events] == ["receive", "register"]


def test_numbers_stay_consecutive_across_both_paths(any_app):
    first, _ = submission.submit(_request(files=[]), now=NOW)
    staff = Case(channel="hotline", request_type="help", title="求助", content="家中老人走失")
    lifecycle.open_case(staff, factories.user("clerk"), now=NOW)
    db.session.commit()
    second, _ = submission.submit(_request(files=[]), now=NOW)
    numbers = [int(c.number.rsplit("-", 1)[1]) for c in (first, staff, second)]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_a_lost_race_on_the_submission_key_leaves_one_case_and_no_files(any_app, monkeypatch):
    winner, _ = submission.submit(_request(files=[], submission_key="k-1"), now=NOW)
    db.session.commit()
    before = set(uploads.upload_folder().iterdir()) if uploads.upload_folder().exists() else set()
    calls = []

    def late_lookup(key):  # the first look finds nothing, as when the twin request commits just after it
        calls.append(key)
        return None if len(calls) == 1 else db.session.scalar(select(Case).where(Case.submission_key == key))

    monkeypatch.setattr(submission, "existing_case", late_lookup)
    case, created = submission.submit(_request(submission_key="k-1"), now=NOW)
    assert not created and case.id == winner.id
    assert db.session.scalar(select(db.func.count(Case.id))) == 1
    assert db.session.scalar(select(db.func.count(Attachment.id))) == 0
    after = set(uploads.upload_folder().iterdir()) if uploads.upload_folder().exists() else set()
    assert after == before  # the loser's files were removed


def test_the_millionth_case_of_a_day_keeps_every_digit(any_app):
    db.session.add(Counter(name="case:20261123", value=999_998))
    db.session.commit()
    first, _ = submission.submit(_request(files=[]), now=NOW)
    second, _ = submission.submit(_request(files=[]), now=NOW)
    assert (first.number, second.number) == ("SQ20261123-999999", "SQ20261123-1000000")
