"""The handler's case list, queried per scope arm and merged, must list exactly what the single query lists."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from admin_views.cases.armed_list import ArmedCaseListMixin
from models.case import Case
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case

NUMBER = re.compile(r"SQ\d{8}-\d{6}")


def listed_numbers(client, url):
    """Case numbers in the order the list page shows them."""
    html = client.get(url).get_data(as_text=True)
    return list(dict.fromkeys(NUMBER.findall(html))), html


@pytest.fixture
def mixed(db):
    """25 cases SA sees (13 it leads, 12 it co-handles) and 6 it does not, received an hour apart."""
    cases = []
    for i in range(13):
        cases.append(make_case(Status.IN_PROGRESS if i % 2 else Status.DISPATCHED, lead="SA"))
        if i < 12:
            cases.append(make_case(Status.DISPATCHED, lead="BA", co=("SA",)))
    foreign = [make_case(Status.DISPATCHED, lead="SB", co=("BB",)) for _ in range(6)]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for hours, case in enumerate(cases + foreign):
        case.received_at = start + timedelta(hours=hours * 7 % 31)
    db.session.commit()
    newest_first = sorted(cases, key=lambda c: c.received_at, reverse=True)
    return [c.number for c in newest_first], {c.number for c in foreign}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/case/",
        "/admin/case/?page=1",
        "/admin/case/?sort=0",
        "/admin/case/?sort=0&desc=1&page=1",
        "/admin/case/?sort=4",
        "/admin/case/?flt0_status_equals=dispatched",
        "/admin/case/?search=路边",
    ],
)
def test_merged_arms_match_the_single_query(client, login_as, mixed, monkeypatch, url):
    login_as("handler", "SA")
    armed, armed_html = listed_numbers(client, url)
    monkeypatch.setattr(ArmedCaseListMixin, "armed_max_rows", 0)  # forces Flask-Admin's own OR query
    single, single_html = listed_numbers(client, url)
    assert armed, "the page lists cases"
    if "sort=4" in url:  # many ties on status: compare the sets, then that the statuses are in order
        assert set(armed) == set(single)
    else:
        assert armed == single
    assert not set(armed) & mixed[1], "another department's case leaked"
    total = re.search(r"\((\d+\+?)\)", single_html).group(1)
    assert re.search(r"\((\d+\+?)\)", armed_html).group(1) == total


def test_pages_walk_newest_first_across_both_arms(client, login_as, mixed):
    login_as("handler", "SA")
    expected, _ = mixed
    first, html = listed_numbers(client, "/admin/case/")
    second, _ = listed_numbers(client, "/admin/case/?page=1")
    assert first + second == expected
    assert "(25)" in html


def test_merged_total_is_capped(client, login_as, mixed, app):
    login_as("handler", "SA")
    app.config["LIST_COUNT_CAP"] = 20
    _, html = listed_numbers(client, "/admin/case/")
    assert "(20+)" in html
    app.config["LIST_COUNT_CAP"] = 13  # the lead arm alone reaches the cap
    _, html = listed_numbers(client, "/admin/case/?flt0_status_equals=dispatched")
    assert "(13+)" in html


def test_a_searched_merged_total_stops_at_the_search_cap(client, login_as, mixed, app):
    login_as("handler", "SA")
    app.config["SEARCH_COUNT_CAP"] = 4
    _, html = listed_numbers(client, "/admin/case/?search=路边")
    assert "(4+)" in html  # each arm stopped at the search cap; the merged total says so, not their sum


def test_a_case_both_led_and_co_handled_is_listed_once(client, login_as, db):
    case = make_case(Status.DISPATCHED, lead="SA", co=("BA",))
    case.co_departments.append(dept("SA"))
    db.session.commit()
    login_as("handler", "SA")
    numbers, html = listed_numbers(client, "/admin/case/")
    assert numbers == [case.number] and "(1)" in html


def test_status_sort_keeps_status_order(client, login_as, mixed):
    login_as("handler", "SA")
    numbers, _ = listed_numbers(client, "/admin/case/?sort=4")
    statuses = [Case.query.filter_by(number=n).one().status for n in numbers]
    assert statuses == sorted(statuses)


def test_co_department_copies_follow_the_case(db):
    from sqlalchemy import select

    from app.cases.lifecycle import perform
    from models.case import case_co_department as co
    from tests.support.factories import user

    case = make_case(Status.DISPATCHED, lead="SA", co=("BA", "BB"))

    def copies():
        rows = db.session.execute(select(co.c.status, co.c.lead_department_id).where(co.c.case_id == case.id))
        return set(rows)

    assert copies() == {("dispatched", dept("SA").id)}
    perform(case, "sign", user("handler", "SA"))
    db.session.commit()
    assert copies() == {("in_progress", dept("SA").id)}


def test_filter_names_in_links_survive_the_chinese_ui(client, login_as, mixed):
    login_as("handler", "SA")
    html = client.get("/admin/case/?flt0_status_equals=dispatched").get_data(as_text=True)
    assert "flt0__" not in html
    assert "flt0_status_equals=dispatched" in html  # sort and page links keep the filter
