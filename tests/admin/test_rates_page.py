"""The rates page: figures of the hand-counted cases, each a link to exactly its cases; scoping; bad input."""

import re
from html import unescape

import pytest

from tests.support.reports import hand_counted_cases

PERIOD = "period=custom&date=2026-03-02&end=2026-03-04"


@pytest.fixture
def cases(app):
    return hand_counted_cases()


def cell(html: str, row: str, rate: str) -> str:
    """The HTML of one rate cell of one row."""
    rows = re.findall(r'<tr[^>]*data-row="([^"]+)"[^>]*>(.*?)</tr>', html, re.S)
    found = dict(rows)[row]
    return re.search(rf'<td[^>]*data-rate="{rate}"[^>]*>(.*?)</td>', found, re.S).group(1)


def value(html: str, row: str, rate: str) -> str:
    return re.search(r'data-field="value">([^<]*)<', cell(html, row, rate)).group(1)


def link(html: str, row: str, rate: str, part: str) -> str:
    return unescape(re.search(rf'href="([^"]+)" data-link="{part}"', cell(html, row, rate)).group(1))


def listed(client, url: str, cases: dict) -> set[str]:
    """Which of the hand-counted cases (A…E) the case list at ``url`` shows."""
    html = client.get(url).get_data(as_text=True)
    assert "invalid" not in html.lower()
    return {name for name, case in cases.items() if case.number in html}


def test_the_leader_sees_the_hand_counted_rates(client, login_as, cases):
    login_as("leader")
    html = client.get(f"/admin/rates/?{PERIOD}&group=").get_data(as_text=True)
    assert value(html, "total", "response") == "50.0%"
    assert value(html, "total", "contact") == "66.7%"
    assert value(html, "total", "closure") == "66.7%"
    assert value(html, "total", "satisfaction") == "75.0%"
    assert value(html, "total", "dispute") == "50.0%"
    assert value(html, "total", "overdue") == "6"
    assert "低于目标" in cell(html, "total", "response")  # the word, not only a colour


def test_each_figure_links_to_exactly_its_cases(client, login_as, cases):
    login_as("leader")
    html = client.get(f"/admin/rates/?{PERIOD}&group=").get_data(as_text=True)
    assert listed(client, link(html, "total", "response", "numerator"), cases) == {"A", "E"}
    assert listed(client, link(html, "total", "response", "denominator"), cases) == {"A", "B", "C", "E"}
    assert listed(client, link(html, "total", "closure", "denominator"), cases) == {"A", "C", "E"}
    assert listed(client, link(html, "total", "dispute", "numerator"), cases) == {"A"}
    assert listed(client, link(html, "total", "satisfaction", "denominator"), cases) == {"A", "B", "E"}


def test_rows_by_department_link_to_that_department_s_cases(client, login_as, cases):
    login_as("supervisor")
    html = client.get(f"/admin/rates/?{PERIOD}&group=department").get_data(as_text=True)
    sa = str(cases["A"].lead_department_id)
    assert value(html, sa, "response") == "50.0%"
    assert listed(client, link(html, sa, "response", "denominator"), cases) == {"A", "B"}


def test_a_handler_sees_only_the_own_department(client, login_as, cases):
    login_as("handler", "SB")
    other = cases["A"].lead_department_id
    html = client.get(f"/admin/rates/?{PERIOD}&group=department&department={other}").get_data(as_text=True)
    assert "仅显示本单位的数据" in html
    assert value(html, "total", "response") == "0.0%"  # C only: 乙街道's case, never signed
    assert f'data-row="{other}"' not in html
    assert 'id="f-department"' not in html


def test_bad_input_gets_a_message_in_chinese_and_a_page(client, login_as, cases):
    login_as("leader")
    response = client.get(
        "/admin/rates/?period=fortnight&date=２０２６-13-45&department=99999999999999999999"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "不是可选的值" in html and "YYYY-MM-DD" in html
    bad = client.get("/admin/case/?flt0_figure_is=m%3Dnope%3Bfrom%3D2026-01-01%3Bto%3D2026-01-02")
    assert bad.status_code == 200


def test_the_help_page_gives_every_formula(client, login_as):
    login_as("clerk")
    html = client.get("/admin/rates/help").get_data(as_text=True)
    for key in (
        "response",
        "contact",
        "reply",
        "closure",
        "satisfaction",
        "redo",
        "dispute",
        "overdue",
        "hours",
    ):
        assert f'id="rate-{key}"' in html
    assert "响应率" in html and "满意率" in html and "化解率" in html
