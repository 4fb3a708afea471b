"""Clues (线索): staff entry, triage (convert into a case, merge, dismiss) exactly once, the links between a
clue and its case both ways, department scoping on every clue route, CSRF, and the reward rules.
"""

import io
import re
import threading
import uuid
from pathlib import Path

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.cases import lifecycle
from app.intake.uploads import inspect
from app.volunteers import clues
from app.volunteers import rewards
from app.volunteers.clue_intake import ClueReport
from app.volunteers.clue_intake import create_clue
from models.audit import ConfigChange
from models.case import Attachment
from models.case import Case
from models.case import CaseEvent
from models.enums import Channel
from models.enums import ClueStatus
from models.enums import Status
from models.volunteer import Clue
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_clue
from tests.support.factories import make_volunteer
from tests.support.factories import png_bytes
from tests.support.factories import user
from tests.support.factories import wav_bytes


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def volunteer(db):
    return make_volunteer("陈平安", "CA", phone="13700001111")


@pytest.fixture
def clue(db, volunteer):
    """A clue of community CA (street SA) with a photo and a voice note, sent through the link."""
    report = ClueReport(
        place="甲一社区幸福花园5栋",
        description="两户居民因装修噪音发生争吵，其中一方扬言要动手。",
        people_involved=4,
        money_involved=3000,
        files=[inspect("现场.png", png_bytes()), inspect("录音.wav", wav_bytes())],
    )
    row, created = create_clue(volunteer, report)
    assert created
    return row


def reload(db, row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def triage(client, step, clue_id, **fields):
    data = {f"{step}-id": clue_id, **{f"{step}-{k}": v for k, v in fields.items()}}
    return client.post(f"/admin/clue/triage/{step}/", data=data)


def count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# --- staff entry ------------------------------------------------------------------------------------


def test_staff_enter_a_clue_for_a_volunteer_with_a_photo(app, client, db, login_as, volunteer):
    clerk = login_as("clerk")
    photo = png_bytes(5, 5)
    response = client.post(
        "/admin/clue/new/",
        data={
            "volunteer": volunteer.id,
            "occurred": "2026-02-01T08:15",
            "place": "甲一社区菜市场门口",
            "description": "摊主与顾客因缺斤少两发生推搡。",
            "people_involved": "2",
            "money_involved": "",
            "submission_key": uuid.uuid4().hex,
            "files": (io.BytesIO(photo), "市场.png"),
        },
        content_type="multipart/form-data",
    )
    row = db.session.scalars(select(Clue)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/details/?id={row.id}")
    assert row.entered_by_id == clerk.id and row.volunteer_id == volunteer.id and row.status == ClueStatus.NEW
    assert row.community_id == dept("CA").id and row.people_involved == 2 and row.money_involved is None
    assert row.occurred_at.isoformat().startswith("2026-02-01T00:15")
    [attachment] = row.attachments
    assert (Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name).read_bytes() == photo


def test_staff_entry_needs_a_volunteer_in_scope(client, db, login_as, volunteer):
    login_as("handler", "SB")
    response = client.post(
        "/admin/clue/new/",
        data={"volunteer": volunteer.id, "place": "某地", "description": "某事发生了。"},
    )
    assert response.status_code == 200  # the form again: the volunteer is not offered or accepted
    assert count(db, Clue) == 0
    login_as("leader")
    assert client.get("/admin/clue/new/").status_code == 403


def test_entry_refuses_an_inactive_volunteer(db, volunteer):
    volunteer.status = "left"
    db.session.commit()
    with pytest.raises(clues.ClueError):
        create_clue(volunteer, ClueReport(place="某地", description="某事"), user("clerk"))
    assert count(db, Clue) == 0


# --- convert ----------------------------------------------------------------------------------------


def test_convert_creates_a_volunteer_case_linked_both_ways(client, db, login_as, clue):
    clerk = login_as("clerk")
    response = triage(
        client, "convert", clue.id, request_type="report", category="", title="幸福花园装修噪音纠纷"
    )
    assert response.status_code == 302
    clue = reload(db, clue)
    case = clue.case
    assert clue.status == ClueStatus.CONVERTED and clue.triaged_by_id == clerk.id
    assert (
        case.channel == Channel.VOLUNTEER
        and case.status == Status.NEW
        and case.received_at == clue.triaged_at
    )
    assert case.title == "幸福花园装修噪音纠纷" and case.content == clue.description
    assert case.address == clue.place and case.people_involved == 4 and int(case.money_involved) == 3000
    assert case.community_id == dept("CA").id and case.street_id == dept("SA").id
    assert case.citizen_name == "陈平安" and case.citizen_phone == "13700001111"
    assert f"#{clue.id}" in case.events[0].note
    # the clue's files now belong to the case too
    assert {a.id for a in case.attachments} == {a.id for a in clue.attachments} and len(case.attachments) == 2
    image = case.attachments[0]
    assert client.get(f"/admin/case/attachment/{image.id}").data == png_bytes()
    # the case page names its source clue, with a link to it
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert f'data-clue="{clue.id}"' in html and f"/admin/clue/details/?id={clue.id}" in html
    # and the clue page links the case
    html = client.get(f"/admin/clue/details/?id={clue.id}").get_data(as_text=True)
    assert case.number in html and f"/admin/case/details/?id={case.id}" in html
    assert 'id="clue-steps"' not in html  # triaged: no more triage forms
    actions = db.session.scalars(select(ConfigChange.action).where(ConfigChange.entity == "clue")).all()
    assert actions == ["create", "convert"]


def test_convert_keeps_a_default_title_and_the_case_reaches_its_department(client, db, login_as, clue):
    case = clues.convert_to_case(clue, user("handler", "CA"))
    assert case.title.startswith("甲一社区幸福花园5栋：两户居民")
    lifecycle.perform(case, "register", user("clerk"))
    lifecycle.perform(case, "dispatch", user("clerk"), lead_department=dept("BA"))
    db.session.commit()
    # a bureau handler sees the clue through its case, nothing else of the community's clues
    other = make_clue(clue.volunteer, place="别的线索")
    login_as("handler", "BA")
    html = client.get("/admin/clue/").get_data(as_text=True)
    assert f"/admin/clue/details/?id={clue.id}" in html and f"/admin/clue/details/?id={other.id}" not in html
    assert client.get(f"/admin/clue/details/?id={clue.id}").status_code == 200
    assert client.get(f"/admin/clue/details/?id={other.id}").status_code == 404


# --- merge ------------------------------------------------------------------------------------------


def test_merge_into_a_visible_case_notes_it_on_the_timeline(client, db, login_as, clue):
    target = make_case(Status.IN_PROGRESS, lead="SA", title="幸福花园噪音投诉")
    handler = login_as("handler", "SA")
    assert triage(client, "merge", clue.id, case_number=target.number.lower()).status_code == 302
    clue, target = reload(db, clue), reload(db, target)
    assert clue.status == ClueStatus.MERGED and clue.case_id == target.id and clue.triaged_by_id == handler.id
    assert target.status == Status.IN_PROGRESS  # merging a clue does not move the case
    note = target.events[-1]
    assert note.action == "comment" and note.actor_id == handler.id and f"#{clue.id}" in note.note
    assert {a.case_id for a in clue.attachments} == {target.id}
    html = client.get(f"/admin/case/details/?id={target.id}").get_data(as_text=True)
    assert f'data-clue="{clue.id}"' in html


def test_merge_into_an_invisible_or_unknown_case_is_refused(client, db, login_as, clue):
    foreign = make_case(Status.IN_PROGRESS, lead="SB", title="乙街道的案件")
    events = count(db, CaseEvent)
    login_as("handler", "SA")
    for number in (foreign.number, "SQ20000101-999999"):
        response = triage(client, "merge", clue.id, case_number=number)
        assert response.status_code == 409
        assert "乙街道的案件" not in response.get_data(as_text=True)
    clue = reload(db, clue)
    assert clue.status == ClueStatus.NEW and clue.case_id is None and clue.triaged_at is None
    assert count(db, CaseEvent) == events
    # a supervisor sees every case and may merge into it
    case = clues.merge_into_case(clue, foreign.number, user("supervisor"))
    assert case.id == foreign.id and reload(db, clue).status == ClueStatus.MERGED


# --- dismiss, and only one triage -------------------------------------------------------------------


def test_dismiss_requires_a_reason_and_blocks_rewards(client, db, login_as, clue):
    login_as("handler", "CA")
    response = triage(client, "dismiss", clue.id, reason="   ")
    assert response.status_code == 400 and reload(db, clue).status == ClueStatus.NEW
    with pytest.raises(clues.ClueError):
        clues.dismiss(clue, "", user("clerk"))
    assert triage(client, "dismiss", clue.id, reason="经核实不属实").status_code == 302
    clue = reload(db, clue)
    assert (
        clue.status == ClueStatus.DISMISSED and clue.dismiss_reason == "经核实不属实" and clue.case_id is None
    )
    with pytest.raises(rewards.RewardError) as refused:
        rewards.propose(clue.volunteer, 100, "奖励", user("clerk"), clue=clue)
    assert refused.value.message == gettext("A dismissed clue cannot be rewarded.")


def test_a_second_triage_is_refused(client, db, login_as, clue):
    login_as("clerk")
    assert triage(client, "dismiss", clue.id, reason="重复线索").status_code == 302
    cases = count(db, Case)
    response = triage(client, "convert", clue.id, request_type="report", category="", title="再转一次")
    assert response.status_code == 409
    assert triage(client, "merge", clue.id, case_number=make_case().number).status_code == 409
    clue = reload(db, clue)
    assert clue.status == ClueStatus.DISMISSED and clue.case_id is None and count(db, Case) == cases + 1


def test_two_staff_triaging_at_once_only_one_wins(db, clue):
    """The second triager's page was built while the clue was new; the conditional UPDATE refuses it."""
    target = make_case(Status.REGISTERED)
    db.session.execute(update(Clue).where(Clue.id == clue.id).values(status="dismissed", dismiss_reason="x"))
    db.session.commit()
    cases, events = count(db, Case), count(db, CaseEvent)
    for step in (
        lambda stale: clues.convert_to_case(stale, user("clerk")),
        lambda stale: clues.merge_into_case(stale, target, user("clerk")),
        lambda stale: clues.dismiss(stale, "同一线索", user("clerk")),
    ):
        stale = reload(db, clue)
        set_committed_value(stale, "status", ClueStatus.NEW)  # what the second page was built from
        with pytest.raises(clues.ClueError) as refused:
            step(stale)
        assert refused.value.message == gettext("This clue has already been triaged.")
    assert (count(db, Case), count(db, CaseEvent)) == (cases, events)
    clue = reload(db, clue)
    assert clue.status == ClueStatus.DISMISSED and clue.case_id is None and clue.dismiss_reason == "x"
    assert db.session.scalar(select(func.count(Attachment.id)).where(Attachment.case_id.is_not(None))) == 0


def test_convert_and_dismiss_at_the_same_moment_on_sqlite(app, db, clue):
    """Two staff, two threads and transactions, released together: exactly one triage happens."""
    barrier, outcome, errors, clue_id = threading.Barrier(2), {}, [], clue.id

    def worker(step: str) -> None:
        try:
            with app.app_context():
                row, actor = db.session.get(Clue, clue_id), user("clerk")
                assert row.status == ClueStatus.NEW and row.volunteer and row.community  # loaded before
                barrier.wait(timeout=30)
                try:  # as the triage page does: the step, then one commit; a refusal rolls back
                    if step == "convert":
                        clues.convert_to_case(row, actor)
                    else:
                        clues.dismiss(row, "同一线索", actor)
                    db.session.commit()
                    outcome[step] = "ok"
                except clues.ClueError as exc:
                    db.session.rollback()
                    outcome[step] = exc.message
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(step,)) for step in ("convert", "dismiss")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcome.values()) == sorted(["ok", gettext("This clue has already been triaged.")]), outcome
    row = reload(db, clue)
    assert (row.status == ClueStatus.CONVERTED) == (count(db, Case) == 1) == (outcome["convert"] == "ok")
    assert (row.status == ClueStatus.DISMISSED) == (row.dismiss_reason == "同一线索")
    actions = db.session.scalars(select(ConfigChange.action).where(ConfigChange.entity == "clue")).all()
    assert len(actions) == 2  # create, and the one triage


def test_rewarding_a_converted_clue_links_its_case(db, clue):
    case = clues.convert_to_case(clue, user("clerk"))
    reward = rewards.propose(clue.volunteer, 100, "线索属实", user("handler", "CA"), clue=reload(db, clue))
    assert reward.case_id == case.id


# --- scoping ----------------------------------------------------------------------------------------


def test_handler_of_another_area_cannot_list_view_or_triage(client, db, login_as, clue):
    image = clue.attachments[0]
    login_as("handler", "SB")
    html = client.get("/admin/clue/").get_data(as_text=True)
    assert clue.place not in html and f"details/?id={clue.id}" not in html
    assert client.get(f"/admin/clue/details/?id={clue.id}").status_code == 404
    assert client.get(f"/admin/clue/attachment/{image.id}").status_code == 404
    assert client.get(f"/admin/clue/?flt0_community_equals={dept('CA').id}").status_code == 200
    assert f"details/?id={clue.id}" not in client.get(f"/admin/clue/?search={clue.place}").get_data(
        as_text=True
    )
    assert triage(client, "dismiss", clue.id, reason="不是我的").status_code == 404
    assert triage(client, "merge", clue.id, case_number=make_case(lead="SB").number).status_code == 404
    assert (
        triage(client, "convert", clue.id, request_type="report", category="", title="t").status_code == 404
    )
    assert reload(db, clue).status == ClueStatus.NEW and count(db, Case) == 1


@pytest.mark.parametrize("role, code", [("handler", "CA"), ("handler", "SA"), ("clerk", None)])
def test_own_area_and_desk_see_the_clue_and_its_files(client, db, login_as, clue, role, code):
    login_as(role, code)
    html = client.get("/admin/clue/").get_data(as_text=True)
    assert f"/admin/clue/details/?id={clue.id}" in html
    page = client.get(f"/admin/clue/details/?id={clue.id}").get_data(as_text=True)
    assert 'id="clue-steps"' in page and "13700001111" in page
    image, voice = clue.attachments
    assert client.get(f"/admin/clue/attachment/{image.id}").data == png_bytes()
    assert client.get(f"/admin/clue/attachment/{voice.id}").mimetype == "audio/wav"
    assert f'<audio controls preload="none" src="/admin/clue/attachment/{voice.id}"' in page


def test_leader_reads_but_does_not_triage(client, db, login_as, clue):
    login_as("leader")
    page = client.get(f"/admin/clue/details/?id={clue.id}").get_data(as_text=True)
    assert 'id="clue-steps"' not in page and "13700001111" not in page  # phone masked for leaders
    assert triage(client, "dismiss", clue.id, reason="x").status_code == 403
    assert reload(db, clue).status == ClueStatus.NEW


def test_list_filters_by_status_community_group_and_month(client, db, login_as, clue):
    dismissed = make_clue(
        make_volunteer("乙员", "CB", group="shop_manager", phone="13700009999"), place="乙地"
    )
    clues.dismiss(dismissed, "不属实", user("clerk"))
    login_as("supervisor")

    def ids(query):
        html = client.get(f"/admin/clue/?{query}").get_data(as_text=True)
        return {int(found) for found in re.findall(r"/admin/clue/details/\?id=(\d+)", html)}

    mine, theirs = clue.id, dismissed.id
    assert {mine, theirs} <= ids("")
    assert ids("flt0_status_equals=dismissed") == {theirs}
    assert ids(f"flt0_community_equals={dept('CA').id}") == {mine}
    assert ids("flt0_group_is=shop_manager") == {theirs}
    month = clue.reported_at.strftime("%Y-%m")  # the test runs far from a month's edge in Shanghai
    assert {mine, theirs} <= ids(f"flt0_month_reported_is={month}")
    assert ids("flt0_month_reported_is=2001-01") == set()


# --- CSRF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("step, fields", [("dismiss", {"reason": "x"}), ("merge", {"case_number": "x"})])
def test_triage_needs_the_csrf_token(client, db, volunteer, step, fields):
    from tests.support.web import logged_in
    from tests.support.web import token_from

    row = make_clue(volunteer)
    logged_in(client, "clerk")
    assert triage(client, step, row.id, **fields).status_code == 400
    assert reload(db, row).status == ClueStatus.NEW
    html = client.get(f"/admin/clue/details/?id={row.id}").get_data(as_text=True)
    response = client.post(
        "/admin/clue/triage/dismiss/",
        data={"csrf_token": token_from(html), "dismiss-id": row.id, "dismiss-reason": "经核实不属实"},
    )
    assert response.status_code == 302 and reload(db, row).status == ClueStatus.DISMISSED


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_staff_entry_needs_the_csrf_token(client, db, volunteer):
    from tests.support.web import logged_in

    logged_in(client, "clerk")
    data = {"volunteer": volunteer.id, "place": "某地", "description": "某事发生了。"}
    assert client.post("/admin/clue/new/", data=data).status_code == 400
    assert count(db, Clue) == 0
