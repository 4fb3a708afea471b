"""The home page: the leaders' picture (tiles, rates, charts, area board) and the others' own rates."""

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from models.audit import ConfigChange
from models.enums import Grade
from models.enums import Status
from models.report import AreaColourRule
from tests.support.factories import dept
from tests.support.factories import make_case


@pytest.fixture
def today_cases(app):
    """Four cases received now: a red one open in 甲一社区 (甲街道), two green ones open in 乙街道, one closed."""
    street_a, community_a, street_b = dept("SA").id, dept("CA").id, dept("SB").id
    return {
        "red": make_case(Status.DISPATCHED, grade=Grade.RED, street_id=street_a, community_id=community_a),
        "b1": make_case(Status.REGISTERED, street_id=street_b),
        "b2": make_case(Status.IN_PROGRESS, lead="SB", street_id=street_b),
        "closed": make_case(Status.CLOSED, street_id=street_b),
    }


def tile(html: str, key: str) -> str:
    return re.search(rf'data-tile="{key}">([^<]*)<', html).group(1)


def area(html: str, department_id: int) -> str:
    return re.search(rf'data-area="{department_id}" data-colour="(\w+)"', html).group(1)


def test_the_leader_sees_the_day_and_the_areas(client, login_as, today_cases):
    login_as("leader")
    html = client.get("/admin/").get_data(as_text=True)
    assert tile(html, "today") == "4" and tile(html, "open") == "3" and tile(html, "red") == "1"
    assert area(html, dept("SA").id) == "red"  # an open red case
    assert area(html, dept("CA").id) == "red"
    assert area(html, dept("SB").id) == "green"  # two open, none overdue, under the rule's 30
    assert 'data-rate="response"' in html and 'data-rate="satisfaction"' in html
    charts = {
        m.group(1): json.loads(unescape(m.group(2)))
        for m in re.finditer(r"id=\"chart-(\w+)\" data-chart='([^']*)'", html)
    }
    assert set(charts) == {"trend", "channels", "categories", "overdue"}
    assert charts["trend"]["series"][0]["data"][-1] == 4  # received today, the last of 30 days
    assert len(charts["trend"]["categories"]) == 30


def test_an_area_links_to_its_open_cases(client, login_as, today_cases):
    login_as("supervisor")
    html = client.get("/admin/").get_data(as_text=True)
    href = unescape(re.search(rf'href="([^"]+)"[^>]*>[^<]*{dept("SB").name}', html).group(1))
    listed = client.get(href).get_data(as_text=True)
    assert today_cases["b1"].number in listed and today_cases["b2"].number in listed
    assert today_cases["closed"].number not in listed and today_cases["red"].number not in listed


def test_the_rule_the_administrator_sets_colours_the_board(client, login_as, today_cases):
    login_as("admin")
    rule = db.session.scalars(select(AreaColourRule)).one()
    form = {
        "red_open_red_cases": "5",
        "red_overdue_share": "0.5",
        "yellow_overdue_share": "0.2",
        "yellow_open_cases": "2",
    }
    assert client.post(f"/admin/area_rule/edit/?id={rule.id}", data=form).status_code == 302
    html = client.get("/admin/").get_data(as_text=True)
    assert area(html, dept("SA").id) == "green"  # one red case is now under 5
    assert area(html, dept("SB").id) == "yellow"  # two open cases reach the new 2
    change = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "area_colour_rule")).one()
    assert change.before["yellow_open_cases"] == 30 and change.after["yellow_open_cases"] == 2
    assert change.after["yellow_overdue_share"] == "0.2"


def test_a_share_outside_0_to_1_is_refused(client, login_as):
    login_as("admin")
    rule = db.session.scalars(select(AreaColourRule)).one()
    form = {
        "red_open_red_cases": "1",
        "red_overdue_share": "7",
        "yellow_overdue_share": "0.2",
        "yellow_open_cases": "2",
    }
    response = client.post(f"/admin/area_rule/edit/?id={rule.id}", data=form)
    assert response.status_code == 200 and 'name="red_overdue_share"' in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(AreaColourRule, rule.id)
    assert (
        saved.red_overdue_share == pytest.approx(0.1) and saved.yellow_open_cases == 30
    )  # nothing half-saved


def test_a_handler_keeps_the_queues_and_sees_the_own_rates(client, login_as, today_cases):
    login_as("handler", "SB")
    html = client.get("/admin/").get_data(as_text=True)
    assert 'id="area-board"' not in html and 'data-tile="today"' not in html
    assert 'data-rate="response"' in html and "本单位" in html
    assert 'data-status="dispatched"' in html  # the queues stay


def test_only_administrators_edit_the_rule(client, login_as):
    login_as("supervisor")
    rule = db.session.scalars(select(AreaColourRule)).one()
    assert client.get("/admin/area_rule/").status_code == 200
    assert (
        client.post(f"/admin/area_rule/edit/?id={rule.id}", data={"yellow_open_cases": "1"}).status_code
        == 403
    )
