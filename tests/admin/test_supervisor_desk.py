"""The supervisor's workbench: 延期申请待审 decided from the row, 超期件 with how long, 催办 from the case
page, and the flags (重复件 / 敏感件 / 重点件) as filters on the case list."""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from flask_babel import gettext as _

from admin_views.cases.overdue_list import overdue_text
from app.timeutil import format_local
from app.timeutil import utcnow
from models.case import Case
from models.deadline import DeadlineExtension
from models.deadline import ExtensionStatus
from models.deadline import Unit
from models.enums import Status
from tests.support.deadlines import act
from tests.support.deadlines import at
from tests.support.deadlines import deadline
from tests.support.deadlines import drive
from tests.support.deadlines import end_of
from tests.support.deadlines import new_case
from tests.support.deadlines import seed_calendar_2026
from tests.support.deadlines import stage_policies
from tests.support.factories import make_case

NUMBER = re.compile(r"SQ\d{8}-\d{6}")
DAY = timedelta(days=1)


def listed(client, url) -> tuple[list[str], str]:
    html = client.get(url).get_data(as_text=True)
    return list(dict.fromkeys(NUMBER.findall(html))), html


@pytest.fixture
def policies(app):
    """Resolve: 2 natural days, one extension of at most 3 days; the other stages 30 days."""
    return stage_policies(resolve=(2, Unit.NATURAL_DAYS, {"max_extensions": 1, "max_extension_amount": 3}))


def handled(started, lead="SA", **fields) -> Case:
    """A case received, registered, dispatched to ``lead`` and signed at ``started``."""
    return drive(new_case(started, **fields), started, "register", "dispatch", "sign", lead=lead)


# --- 延期申请待审 ----------------------------------------------------------------------------------------


def requested(case, now=None) -> DeadlineExtension:
    act(case, "request_extension", now or utcnow(), stage="resolve", amount=2, reason="需要协调产权单位")
    return deadline(case, "resolve").extensions[-1]


def test_the_queue_lists_pending_requests_for_supervisors_only(client, login_as, policies):
    case = handled(utcnow() - timedelta(hours=5))
    other = handled(utcnow() - timedelta(hours=5), lead="SB", title="楼道堆物")
    requested(case, utcnow() - 3 * timedelta(hours=1))
    decided = requested(other)
    act(other, "reject_extension", utcnow())
    assert decided.status == ExtensionStatus.REJECTED
    login_as("supervisor")
    numbers, html = listed(client, "/admin/extension_queue/")
    assert numbers == [case.number]  # the decided request is gone
    assert "需要协调产权单位" in html and "甲街道" in html and "handler_SA" in html
    assert f'href="/admin/case/details/?id={case.id}"' in html
    assert _("%(hours)s hours %(minutes)s minutes", hours=3, minutes=0) in html  # waiting
    assert format_local(deadline(case, "resolve").due_at + 2 * DAY) in html and "+2" in html  # asked for
    for role, code in (("handler", "SA"), ("clerk", None), ("leader", None)):
        login_as(role, code)
        assert client.get("/admin/extension_queue/").status_code == 403


def decide(client, extension, case, decision, note="", version=None):
    return client.post(
        f"/admin/extension_queue/decide/{extension.id}/",
        data={"decision": decision, "note": note, "version": case.version if version is None else version},
    )


def test_approve_from_the_row_is_the_case_action(client, login_as, db, policies):
    case = handled(utcnow() - timedelta(hours=5))
    extension = requested(case)
    due = deadline(case, "resolve").due_at
    supervisor = login_as("supervisor")
    response = decide(client, extension, case, "approve", note="同意")
    assert response.status_code == 302 and response.location.endswith("/admin/extension_queue/")
    db.session.expire_all()
    assert extension.status == ExtensionStatus.APPROVED and extension.decided_by_id == supervisor.id
    assert deadline(case, "resolve").due_at == due + 2 * DAY
    event = case.events[-1]
    assert (event.action, event.actor_id, event.data["public"]) == ("approve_extension", supervisor.id, True)
    assert "extension-decide" not in client.get("/admin/extension_queue/").get_data(as_text=True)
    again = decide(client, extension, case, "reject", note="晚了")
    assert again.status_code == 302
    db.session.expire_all()
    assert extension.status == ExtensionStatus.APPROVED  # already decided: nothing changes


def test_reject_needs_a_reason_and_a_stale_row_is_refused(client, login_as, db, policies):
    case = handled(utcnow() - timedelta(hours=5))
    extension = requested(case)
    login_as("supervisor")
    decide(client, extension, case, "reject", note="")
    db.session.expire_all()
    assert extension.status == ExtensionStatus.REQUESTED
    assert _("Give the reason for rejecting the extension.") in client.get(
        "/admin/extension_queue/"
    ).get_data(as_text=True)
    decide(client, extension, case, "reject", note="理由不充分", version=case.version - 1)
    db.session.expire_all()
    assert extension.status == ExtensionStatus.REQUESTED
    decide(client, extension, case, "reject", note="理由不充分")
    db.session.expire_all()
    assert extension.status == ExtensionStatus.REJECTED and extension.decision_note == "理由不充分"
    # a decision that is neither 批准 nor 驳回 is a bad request (checked before the request's status)
    other = requested(handled(utcnow() - timedelta(hours=5), title="楼道堆物"))
    assert (
        client.post(f"/admin/extension_queue/decide/{other.id}/", data={"decision": "x"}).status_code == 400
    )


def test_a_request_out_of_scope_is_not_found(client, login_as, policies):
    case = handled(utcnow() - timedelta(hours=5))
    extension = requested(case)
    login_as("handler", "SB")
    assert decide(client, extension, case, "approve").status_code == 403
    login_as("supervisor")
    assert (
        client.post("/admin/extension_queue/decide/99999/", data={"decision": "approve"}).status_code == 404
    )


# --- 超期件 ----------------------------------------------------------------------------------------------


def test_the_overdue_list_shows_late_open_cases_longest_first(client, login_as, policies):
    now = utcnow()
    late = handled(now - 5 * DAY, title="井盖缺失")
    later = handled(now - 3 * DAY - timedelta(hours=2), title="路灯不亮")
    on_time = handled(now - timedelta(hours=1), title="噪音扰民")
    closed_late = handled(now - 6 * DAY)
    for step in ("contact", "reply", "revisit"):
        act(closed_late, step, now)
    login_as("supervisor")
    numbers, html = listed(client, "/admin/overdue_case/")
    assert numbers == [late.number, later.number]  # the longest overdue first
    assert on_time.number not in html and closed_late.number not in html
    assert overdue_text(deadline(late, "resolve"), utcnow()) in html
    assert overdue_text(deadline(later, "resolve"), utcnow()) in html
    assert 'href="/admin/overdue_case/?sort=6' in html  # sortable by how long overdue, both ways
    assert listed(client, "/admin/overdue_case/?sort=6")[0] == [late.number, later.number]
    assert listed(client, "/admin/overdue_case/?sort=6&desc=1")[0] == [later.number, late.number]
    assert _("Times urged") in html
    # a handler sees only its own department's
    login_as("handler", "SB")
    assert listed(client, "/admin/overdue_case/")[0] == []
    login_as("handler", "SA")
    assert listed(client, "/admin/overdue_case/")[0] == [late.number, later.number]


def test_overdue_by_counts_as_the_clock_counts(app):
    seed_calendar_2026()
    working = SimpleNamespace(clock=Unit.WORKING_DAYS, due_at=end_of("2026-03-06"))  # Friday 24:00
    # Saturday and Sunday do not count: Monday 10:00 is 10 working hours late
    text = overdue_text(working, at("2026-03-09 10:00"))
    assert text == _("Overdue by %(span)s", span=_("%(hours)s hours", hours=10))
    # Friday 24:00 to Tuesday 02:00: Monday counts whole, Tuesday two hours
    text = overdue_text(working, at("2026-03-10 02:00"))
    assert text == _("Overdue by %(span)s", span=_("%(days)s working days %(hours)s hours", days=1, hours=2))
    natural = SimpleNamespace(clock=Unit.NATURAL_DAYS, due_at=end_of("2026-03-06"))
    text = overdue_text(natural, at("2026-03-09 10:00"))
    assert text == _("Overdue by %(span)s", span=_("%(days)s days %(hours)s hours", days=2, hours=10))


# --- 催办 on the case page -------------------------------------------------------------------------------


def test_a_supervisor_urges_from_the_case_page(client, login_as, db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    assert 'id="open-urge"' not in client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    login_as("supervisor")
    assert 'id="open-urge"' in client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    response = client.post(
        "/admin/case/transition/urge/",
        data={"urge-id": case.id, "urge-version": case.version, "urge-note": "请今日内联系群众"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.urge_count == 1 and case.events[-1].action == "urge"
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'data-action="urge"' in page and "请今日内联系群众" in page


# --- the flags as filters on the case list ----------------------------------------------------------------


@pytest.mark.parametrize(
    "flag, arg", [("is_repeat", "repeat"), ("is_sensitive", "sensitive"), ("is_key", "key")]
)
def test_each_flag_filters_the_case_list(client, login_as, db, flag, arg):
    plain = make_case(Status.DISPATCHED, lead="SA")
    flagged = make_case(Status.DISPATCHED, lead="SA", **{flag: True})
    login_as("supervisor")
    numbers, html = listed(client, f"/admin/case/?flt0_{arg}_equals=1")
    assert numbers == [flagged.number]
    numbers, _html = listed(client, f"/admin/case/?flt0_{arg}_equals=0")
    assert plain.number in numbers and flagged.number not in numbers
    assert {"重复件", "敏感件", "重点件"} <= set(re.findall(r"重复件|敏感件|重点件", html))


def test_both_lists_export_to_xlsx(client, login_as, policies):
    now = utcnow()
    late = handled(now - 5 * DAY, title="井盖缺失")
    requested(late)
    login_as("supervisor")
    for url, header in (
        ("/admin/overdue_case/export/xlsx/", _("Overdue by")),
        ("/admin/extension_queue/export/xlsx/", _("Time waiting")),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert header in rows[0] and late.number in rows[1], rows[:2]
