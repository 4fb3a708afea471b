"""The work calendar in the panel: staff read it, administrators change it, and every change is audited,
queued for recompute and seen by the very next computation. The dashboard warns when a year is missing."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.deadlines.calendar_seed import generate_year
from app.deadlines.calendar_seed import seed_calendar
from app.deadlines.workcalendar import compute_due
from app.timeutil import local_day
from app.timeutil import utcnow
from models.audit import ConfigChange
from models.deadline import WorkCalendarDay
from models.jobstate import RecomputeRequest
from tests.support.web import token_from

FRI_2330_BEIJING = datetime(2026, 2, 13, 15, 30, tzinfo=UTC)
STAFF = [("clerk", None), ("supervisor", None), ("leader", None), ("handler", "SA")]


@pytest.fixture
def cal2026(app, db):
    seed_calendar([2026])
    return db


def days_on_page(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>\s*\S+ (\d{4}-\d{2}-\d{2})\s*</td>", html)  # "Sat 2026-02-14"


def count(db, model) -> int:
    """Rows of ``model``; of ConfigChange, only the calendar's (sign-ins are audited too)."""
    query = select(func.count()).select_from(model)
    if model is ConfigChange:
        query = query.where(ConfigChange.entity == "work_calendar_day")
    return db.session.scalar(query)


@pytest.mark.parametrize(("role", "department"), STAFF + [("admin", None)])
def test_all_staff_read_the_calendar_newest_first(cal2026, client, login_as, role, department):
    login_as(role, department)
    response = client.get("/admin/calendar/")
    assert response.status_code == 200
    days = days_on_page(response.get_data(as_text=True))
    assert days[:3] == ["2026-12-31", "2026-12-30", "2026-12-29"]
    assert client.get("/admin/calendar/details/?id=2026-02-14").status_code == 200
    assert client.get("/admin/calendar/details/?id=2031-01-01").status_code == 404
    assert client.get("/admin/calendar/details/?id=not-a-day").status_code == 404


def test_filters_and_search(cal2026, client, login_as):
    login_as("clerk")
    html = client.get("/admin/calendar/?search=春节&page_size=50").get_data(as_text=True)
    days = days_on_page(html)
    assert "2026-02-15" in days and "2026-02-14" in days and "2026-03-02" not in days
    url = "/admin/calendar/?flt0_day_between=2026-10-01+to+2026-10-31&flt1_working_day_equals=0&page_size=50"
    days = days_on_page(client.get(url).get_data(as_text=True))
    assert (
        days[-1] == "2026-10-01"
        and "2026-10-07" in days
        and "2026-10-10" not in days
        and "2026-10-08" not in days
    )
    days = days_on_page(
        client.get("/admin/calendar/?flt0_year_equals=2026&flt1_source_equals=admin").get_data(True)
    )
    assert days == []
    assert days_on_page(client.get("/admin/calendar/?flt0_year_equals=2025").get_data(as_text=True)) == []


@pytest.mark.parametrize(("role", "department"), STAFF)
def test_only_admins_change_the_calendar(cal2026, client, login_as, role, department):
    db = cal2026
    login_as(role, department)
    assert client.get("/admin/calendar/edit/?id=2026-02-24").status_code == 403
    form = {"is_workday": "", "name": "放假"}
    assert client.post("/admin/calendar/edit/?id=2026-02-24", data=form).status_code == 403
    assert (
        client.post("/admin/calendar/new/", data={"day": "2031-03-01", "is_workday": "y"}).status_code == 403
    )
    assert client.post("/admin/calendar/delete/", data={"id": "2026-02-24"}).status_code == 403
    assert client.get("/admin/calendar/add-year/").status_code == 403
    assert client.post("/admin/calendar/add-year/", data={"year": "2031"}).status_code == 403
    assert "add-year" not in client.get("/admin/calendar/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(WorkCalendarDay, date(2026, 2, 24)).is_workday
    assert count(db, WorkCalendarDay) == 365
    assert count(db, ConfigChange) == count(db, RecomputeRequest) == 1  # the seed's own


def test_admin_edit_changes_the_next_computation_and_is_audited(cal2026, client, login_as):
    db = cal2026
    admin = login_as("admin")
    assert compute_due(FRI_2330_BEIJING, 3, "working_days")[0] == datetime(2026, 2, 25, 16, 0, tzinfo=UTC)
    assert client.get("/admin/calendar/edit/?id=2026-02-24").status_code == 200
    response = client.post(
        "/admin/calendar/edit/?id=2026-02-24", data={"is_workday": "", "name": " 区里放假 "}
    )
    assert response.status_code == 302
    db.session.expire_all()
    day = db.session.get(WorkCalendarDay, date(2026, 2, 24))
    assert (day.is_workday, day.name, day.source, day.updated_by_id) == (False, "区里放假", "admin", admin.id)
    # The request dropped the cache: the next computation (same process) skips the new rest day.
    due, explanation = compute_due(FRI_2330_BEIJING, 3, "working_days")
    assert due == datetime(2026, 2, 26, 16, 0, tzinfo=UTC)
    assert "2026-02-15 … 2026-02-24 (春节)" in explanation
    change = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "update")).one()
    assert (change.entity, change.entity_key, change.actor_id) == (
        "work_calendar_day",
        "2026-02-24",
        admin.id,
    )
    assert change.before == {"is_workday": True, "name": None, "source": "chinesecalendar"}
    assert change.after == {"is_workday": False, "name": "区里放假", "source": "admin"}
    request = db.session.scalars(select(RecomputeRequest).order_by(RecomputeRequest.id.desc())).first()
    assert (request.reason, request.scope, request.requested_by_id) == (
        "calendar",
        {"days": ["2026-02-24"]},
        admin.id,
    )
    # The administrator's day survives a later seed.
    seed_calendar([2026])
    assert not db.session.get(WorkCalendarDay, date(2026, 2, 24)).is_workday


def test_admin_creates_and_deletes_a_day(cal2026, client, login_as):
    db = cal2026
    admin = login_as("admin")
    start = datetime(2031, 2, 27, 15, 30, tzinfo=UTC)  # Thursday 23:30 Beijing, 2031 not in the table
    assert compute_due(start, 2, "working_days")[0] == datetime(2031, 3, 3, 16, 0, tzinfo=UTC)
    response = client.post(
        "/admin/calendar/new/", data={"day": "2031-03-01", "is_workday": "y", "name": "补班"}
    )
    assert response.status_code == 302
    saturday_worked = datetime(2031, 3, 1, 16, 0, tzinfo=UTC)
    assert compute_due(start, 2, "working_days")[0] == saturday_worked
    created = db.session.get(WorkCalendarDay, date(2031, 3, 1))
    assert (created.is_workday, created.name, created.source, created.updated_by_id) == (
        True,
        "补班",
        "admin",
        admin.id,
    )
    change = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "create")).one()
    assert change.entity_key == "2031-03-01" and change.before is None and change.after["is_workday"] is True
    # A second row for the same day is refused without a trace.
    before = count(db, ConfigChange), count(db, RecomputeRequest)
    client.post("/admin/calendar/new/", data={"day": "2031-03-01", "is_workday": ""})
    db.session.expire_all()
    assert db.session.get(WorkCalendarDay, date(2031, 3, 1)).is_workday
    assert (count(db, ConfigChange), count(db, RecomputeRequest)) == before
    # Deleting it falls back to Monday-Friday.
    bulk = {"action": "delete", "rowid": ["2031-03-01"]}
    assert client.post("/admin/calendar/action/", data=bulk).status_code == 403  # one day at a time
    assert client.post("/admin/calendar/delete/", data={"id": "2031-03-01"}).status_code == 302
    assert (
        db.session.scalar(select(WorkCalendarDay.day).where(WorkCalendarDay.day == date(2031, 3, 1))) is None
    )
    assert compute_due(start, 2, "working_days")[0] == datetime(2031, 3, 3, 16, 0, tzinfo=UTC)
    change = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "delete")).one()
    assert change.before == {"is_workday": True, "name": "补班", "source": "admin"} and change.after is None
    request = db.session.scalars(select(RecomputeRequest).order_by(RecomputeRequest.id.desc())).first()
    assert request.scope == {"days": ["2031-03-01"]}


def test_admin_adds_a_year_of_weekly_defaults(cal2026, client, login_as):
    db = cal2026
    login_as("admin")
    assert 'id="add-year"' in client.get("/admin/calendar/").get_data(as_text=True)
    assert client.get("/admin/calendar/add-year/").status_code == 200
    assert (
        client.post("/admin/calendar/add-year/", data={"year": "99"}).status_code == 200
    )  # refused, shown again
    response = client.post("/admin/calendar/add-year/", data={"year": "2031"})
    assert response.status_code == 302 and "flt0_year_equals=2031" in response.location
    assert count(db, WorkCalendarDay) == 365 + 365
    assert db.session.get(WorkCalendarDay, date(2031, 1, 4)).source == "weekly"
    days = days_on_page(client.get(response.location).get_data(as_text=True))
    assert days[0] == "2031-12-31" and all(day.startswith("2031-") for day in days)


def test_dashboard_warns_every_role_while_a_year_is_missing(app, db, client, login_as):
    for role, department in STAFF + [("admin", None)]:
        login_as(role, department)
        html = client.get("/admin/").get_data(as_text=True)
        assert 'id="calendar-health"' in html and "alert-danger" in html, role
    today = local_day(utcnow())
    generate_year(today.year)
    generate_year(today.year + 1)
    login_as("clerk")
    assert 'id="calendar-health"' not in client.get("/admin/").get_data(as_text=True)


# --- the year as twelve month grids ---------------------------------------------------------


def cell(html: str, day: str) -> str:
    """The grid cell of ``day`` (a button for administrators, a span for the others)."""
    match = re.search(rf'<(button|span)[^>]*data-day="{day}"[^>]*>.*?</\1>', html, re.S)
    assert match, day
    return match.group(0)


@pytest.mark.parametrize(("role", "department"), STAFF)
def test_the_year_grid_shows_twelve_months_to_every_role(cal2026, client, login_as, role, department):
    login_as(role, department)
    html = client.get("/admin/calendar/year/?year=2026").get_data(as_text=True)
    assert len(re.findall(r'<section class="[^"]*cal-month"', html)) == 12
    assert "一月" in html and "十二月" in html and "2026 年工作日历" in html
    assert "cal-makeup" in cell(html, "2026-02-14") and ">班<" in cell(html, "2026-02-14")  # 春节调休上班
    assert "cal-holiday" in cell(html, "2026-02-17") and ">休<" in cell(html, "2026-02-17")  # 春节
    assert "cal-rest" in cell(html, "2026-03-07") and "cal-work" in cell(html, "2026-03-09")
    assert "<button" not in cell(html, "2026-03-09") and 'id="calendar-grid-form"' not in html
    assert len(re.findall(r'data-day="2026-', html)) == 365


def test_a_year_not_in_the_table_shows_weekly_defaults(cal2026, client, login_as):
    login_as("clerk")
    html = client.get("/admin/calendar/year/?year=2031").get_data(as_text=True)
    assert "cal-unknown" in cell(html, "2031-03-03") and "cal-rest" in cell(html, "2031-03-01")
    assert client.get("/admin/calendar/year/?year=abc").status_code == 200  # falls back to this year


def test_admin_clicks_a_day_to_toggle_it(cal2026, client, login_as):
    db = cal2026
    admin = login_as("admin")
    html = client.get("/admin/calendar/year/?year=2026").get_data(as_text=True)
    assert 'id="calendar-grid-form"' in html and "<button" in cell(html, "2026-02-24")
    changes = count(db, ConfigChange)
    response = client.post("/admin/calendar/year/?year=2026", data={"day": "2026-02-24", "mode": "toggle"})
    assert response.status_code == 302 and response.location.endswith(
        "/admin/calendar/year/?year=2026#month-2"
    )
    db.session.expire_all()
    day = db.session.get(WorkCalendarDay, date(2026, 2, 24))
    assert (day.is_workday, day.name, day.source, day.updated_by_id) == (False, None, "admin", admin.id)
    assert compute_due(FRI_2330_BEIJING, 3, "working_days")[0] == datetime(2026, 2, 26, 16, 0, tzinfo=UTC)
    change = db.session.scalars(select(ConfigChange).order_by(ConfigChange.id.desc())).first()
    assert count(db, ConfigChange) == changes + 1
    assert (change.entity_key, change.action, change.before["is_workday"], change.after["is_workday"]) == (
        "2026-02-24",
        "update",
        True,
        False,
    )
    request = db.session.scalars(select(RecomputeRequest).order_by(RecomputeRequest.id.desc())).first()
    assert request.scope == {"days": ["2026-02-24"]}
    html = client.get(response.location).get_data(as_text=True)
    assert "cal-holiday" in cell(html, "2026-02-24") and "已设为休息日" in html
    # A second click puts it back, as a plain working day again.
    client.post("/admin/calendar/year/?year=2026", data={"day": "2026-02-24", "mode": "toggle"})
    db.session.expire_all()
    day = db.session.get(WorkCalendarDay, date(2026, 2, 24))
    assert (day.is_workday, day.name) == (True, None)


def test_admin_marks_a_make_up_day_and_a_named_holiday(cal2026, client, login_as):
    db = cal2026
    login_as("admin")
    client.post("/admin/calendar/year/", data={"day": "2026-03-07", "mode": "work", "name": ""})
    client.post("/admin/calendar/year/", data={"day": "2026-03-09", "mode": "rest", "name": " 区里放假 "})
    client.post(
        "/admin/calendar/year/", data={"day": "2031-03-01", "mode": "work"}
    )  # a year not in the table
    db.session.expire_all()
    saturday, monday = (
        db.session.get(WorkCalendarDay, date(2026, 3, 7)),
        db.session.get(WorkCalendarDay, date(2026, 3, 9)),
    )
    assert (saturday.is_workday, saturday.name) == (True, "调休上班")
    assert (monday.is_workday, monday.name) == (False, "区里放假")
    assert db.session.get(WorkCalendarDay, date(2031, 3, 1)).is_workday
    created = db.session.scalars(select(ConfigChange).where(ConfigChange.entity_key == "2031-03-01")).one()
    assert (created.action, created.before) == ("create", None)
    html = client.get("/admin/calendar/year/?year=2026").get_data(as_text=True)
    assert "cal-makeup" in cell(html, "2026-03-07") and "区里放假" in cell(html, "2026-03-09")


@pytest.mark.parametrize("form", [{"day": "2026-02-30", "mode": "toggle"}, {"day": "", "mode": "toggle"},
                                  {"day": "2026-02-24", "mode": "delete"}, {"day": "2026-02-24", "name": "名" * 51}])  # fmt: skip
def test_a_bad_click_changes_nothing(cal2026, client, login_as, form):
    db = cal2026
    login_as("admin")
    before = count(db, ConfigChange), count(db, RecomputeRequest)
    response = client.post("/admin/calendar/year/?year=2026", data=form)
    assert response.status_code == 302
    message = re.search(r"未作任何修改[^<]*", client.get(response.location).get_data(as_text=True))
    assert message and not re.search(r"[A-Za-z]", message.group(0))  # the reason, in Chinese
    assert (count(db, ConfigChange), count(db, RecomputeRequest)) == before
    assert db.session.get(WorkCalendarDay, date(2026, 2, 24)).is_workday


@pytest.mark.parametrize(("role", "department"), STAFF)
def test_only_admins_click_days(cal2026, client, login_as, role, department):
    db = cal2026
    login_as(role, department)
    response = client.post("/admin/calendar/year/?year=2026", data={"day": "2026-02-24", "mode": "toggle"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(WorkCalendarDay, date(2026, 2, 24)).is_workday
    assert count(db, ConfigChange) == 1  # the seed's own


def test_a_click_needs_the_pages_csrf_token(cal2026, app, client, login_as):
    db = cal2026
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        click = {"day": "2026-02-24", "mode": "toggle"}
        assert client.post("/admin/calendar/year/?year=2026", data=click).status_code == 400
        db.session.expire_all()
        assert db.session.get(WorkCalendarDay, date(2026, 2, 24)).is_workday
        token = token_from(client.get("/admin/calendar/year/?year=2026").get_data(as_text=True))
        response = client.post("/admin/calendar/year/?year=2026", data={**click, "csrf_token": token})
        assert response.status_code == 302
        db.session.expire_all()
        assert not db.session.get(WorkCalendarDay, date(2026, 2, 24)).is_workday
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_list_links_to_the_year_grid(cal2026, client, login_as):
    login_as("clerk")
    assert 'href="/admin/calendar/year/"' in client.get("/admin/calendar/").get_data(as_text=True)
