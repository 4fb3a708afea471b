"""The scorecard and scheme pages (endpoints ``scorecard`` and ``score_scheme``): hand-counted scores and
boards, links to exactly the cases behind a draft's counts, publishing once and for good, a handler's own
row only, the workbooks, and scheme forms that refuse bad numbers in Chinese and write nothing.

The scores are those of tests/reports/test_scorecards.py (March 2026, the default scheme).
"""

import io
import re
from datetime import date
from html import unescape

import openpyxl
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.reports import rollup
from app.timeutil import utcnow
from models.audit import ConfigChange
from models.scorecard import ScorePeriod
from models.scorecard import ScoreScheme
from tests.support.factories import dept
from tests.support.scorecards import placed_cases
from tests.support.web import logged_in
from tests.support.web import token_from

CARD = "/admin/scorecard/?period=month&date=2026-03-01&unit={unit}"
MARCH = {"period": "month", "date": "2026-03-01", "unit": "department"}
SCHEMES = "/admin/score_scheme/"
GOOD = {
    "effective_from": "2027-01-01",
    "weight_response": "20",
    "weight_reply": "30",
    "weight_closure": "20",
    "weight_satisfaction": "30",
    "deduct_late": "1",
    "deduct_sent_back": "2",
    "max_deduction": "20",
    "note": "",
}


@pytest.fixture
def cases(app):
    return placed_cases()


def row(html: str, code: str) -> str:
    """The HTML of one department's row."""
    found = re.search(rf'<tr data-row="{dept(code).id}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row for {code}"
    return found.group(1)


def field(html: str, code: str, name: str) -> str:
    return re.search(rf'data-field="{name}">([^<]*)<', row(html, code)).group(1).strip()


def link(html: str, code: str, where: str, part: str) -> str:
    cell = re.search(
        rf'<td[^>]*data-(?:rate|deduction)="{where}"[^>]*>(.*?)</td>', row(html, code), re.S
    ).group(1)
    return unescape(re.search(rf'href="([^"]+)" data-link="{part}"', cell).group(1))


def listed(client, url: str, cases: dict) -> set[str]:
    """Which of the hand-counted cases (A…E) the case list at ``url`` shows."""
    html = client.get(url).get_data(as_text=True)
    return {name for name, case in cases.items() if case.number in html}


def board(html: str, colour: str) -> str:
    return re.search(rf'id="board-{colour}">(.*?)</ul>', html, re.S).group(1)


def sheets(response) -> dict:
    """The workbook's sheets as lists of rows (values), and the loaded workbook under ``None``."""
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return {None: book} | {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_leader_sees_the_hand_counted_scores_and_boards(client, login_as, cases):
    login_as("leader")
    html = client.get(CARD.format(unit="department")).get_data(as_text=True)
    assert [field(html, code, "score") for code in ("BB", "SA", "SB")] == ["100.00", "60.00", "-3.00"]
    assert [field(html, code, "rank") for code in ("BB", "SA", "SB")] == ["1", "2", "3"]
    assert field(html, "SA", "deducted") == "5.00"
    assert "区住建局" in board(html, "red") and "★" in board(html, "red") and "红榜" in board(html, "red")
    assert "乙街道" in board(html, "black") and "▼" in board(html, "black") and "黑榜" in board(html, "black")
    assert "甲街道" not in board(html, "red") + board(html, "black")
    assert "草稿" in html and "不计入" in html  # the rule for a rate with no denominator is on the page
    assert 'id="publish-form"' not in html  # leaders do not publish
    streets = client.get(CARD.format(unit="street")).get_data(as_text=True)
    assert field(streets, "SB", "score") == "62.00" and field(streets, "SB", "rank") == "1"


def test_a_draft_s_counts_link_to_exactly_their_cases(client, login_as, cases):
    login_as("supervisor")
    html = client.get(CARD.format(unit="department")).get_data(as_text=True)
    assert listed(client, link(html, "SA", "response", "numerator"), cases) == {"A"}
    assert listed(client, link(html, "SA", "response", "denominator"), cases) == {"A", "B"}
    assert listed(client, link(html, "SA", "sent_back", "count"), cases) == {"B"}
    assert listed(client, link(html, "SB", "late", "count"), cases) == {"C"}
    streets = client.get(CARD.format(unit="street")).get_data(as_text=True)
    assert listed(client, link(streets, "SB", "closure", "denominator"), cases) == {"C", "E"}


def test_publishing_freezes_the_card_and_a_second_publish_is_refused(client, login_as, cases):
    list(rollup.build_missing(utcnow()))
    db.session.commit()
    login_as("supervisor")
    assert 'id="publish-form"' in client.get(CARD.format(unit="department")).get_data(as_text=True)
    response = client.post("/admin/scorecard/publish", data=MARCH, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "考核结果已发布" in html and 'data-status="published"' in html
    assert 'data-link="' not in html and 'id="publish-form"' not in html  # frozen numbers, no links
    again = client.post("/admin/scorecard/publish", data=MARCH, follow_redirects=True).get_data(as_text=True)
    assert "已于" in again and "发布" in again
    assert db.session.scalar(select(func.count()).select_from(ScorePeriod)) == 1

    cases["C"].lead_department_id = dept("BB").id  # edited later: C moves to 区住建局
    db.session.commit()
    rollup.apply_corrections(utcnow())
    db.session.commit()
    later = client.get(CARD.format(unit="department")).get_data(as_text=True)
    assert [field(later, code, "score") for code in ("BB", "SA", "SB")] == ["100.00", "60.00", "-3.00"]
    quarter = client.get("/admin/scorecard/?period=quarter&date=2026-03-01&unit=department").get_data(
        as_text=True
    )
    assert field(quarter, "BB", "score") == "62.00" and 'data-row="{}"'.format(dept("SB").id) not in quarter


@pytest.mark.parametrize("role", ["leader", "clerk"])
def test_only_supervisors_and_administrators_publish(client, login_as, cases, role):
    login_as(role)
    assert client.post("/admin/scorecard/publish", data=MARCH).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ScorePeriod)) == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_publishing_needs_the_csrf_token(client, cases):
    logged_in(client, "admin")
    page = client.get(CARD.format(unit="department")).get_data(as_text=True)
    assert client.post("/admin/scorecard/publish", data=MARCH).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ScorePeriod)) == 0
    token = token_from(page)
    assert client.post("/admin/scorecard/publish", data=MARCH | {"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ScorePeriod)) == 1


def test_a_handler_sees_only_the_own_department(client, login_as, cases):
    login_as("handler", "SA")
    html = client.get(CARD.format(unit="department")).get_data(as_text=True)
    assert field(html, "SA", "score") == "60.00" and field(html, "SA", "rank") == "2"
    assert "区住建局" not in html and "乙街道" not in html and "仅显示本单位的数据" in html
    assert 'id="publish-form"' not in html
    book = sheets(client.get("/admin/scorecard/export.xlsx?period=month&date=2026-03-01&unit=department"))
    assert [line[1] for line in book["排名表"][1:]] == ["甲街道"]
    assert book["红榜"][1:] == [] and book["黑榜"][1:] == []
    export = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "export")).one()
    assert export.after["rows"] == 1 and export.after["view"] == "考核 2026-03（承办单位）"
    assert client.post("/admin/scorecard/publish", data=MARCH).status_code == 403
    assert client.get(SCHEMES).status_code == 403


def test_the_workbook_holds_every_table_and_names_stay_text(client, login_as, cases):
    dept("BB").name = '=HYPERLINK("http://example.com","x")'
    db.session.commit()
    login_as("leader")
    book = sheets(client.get("/admin/scorecard/export.xlsx?period=month&date=2026-03-01&unit=department"))
    assert list(book) == [None, "排名表", "红榜", "黑榜"]
    ranking = book["排名表"]
    assert ranking[0][:3] == ("排名", "单位", "响应率 (%)")
    assert [(line[0], line[1], line[-2]) for line in ranking[1:]] == [
        (1, '=HYPERLINK("http://example.com","x")', 100),
        (2, "甲街道", 60),
        (3, "乙街道", -3),
    ]
    assert book[None]["排名表"]["B2"].data_type == "s"  # text, never a formula
    assert book["红榜"][1:] == [(1, '=HYPERLINK("http://example.com","x")', 100)]
    assert book["黑榜"][1:] == [(3, "乙街道", -3)]


def test_supervisors_read_the_schemes_and_administrators_add_one(client, login_as, app):
    login_as("supervisor")
    html = client.get(SCHEMES).get_data(as_text=True)
    assert "2000-01-01" in html and 'data-weight="reply">30%' in html and 'id="scheme-new"' not in html
    assert client.post(f"{SCHEMES}new", data=GOOD).status_code == 403
    login_as("admin")
    wide = {
        k: v.translate(str.maketrans("0123456789.-", "０１２３４５６７８９．－")) for k, v in GOOD.items()
    }
    response = client.post(
        f"{SCHEMES}new", data=wide | {"weight_reply": "２７．５", "weight_satisfaction": "32.5%"}
    )
    assert response.status_code == 302
    made = db.session.scalar(select(ScoreScheme).where(ScoreScheme.effective_from == date(2027, 1, 1)))
    assert made.weights == {"response": 20, "reply": 27.5, "closure": 20, "satisfaction": 32.5}
    assert (
        made.deductions == {"late": 1, "sent_back": 2, "orders_late": 0, "field_late": 0}
        and made.max_deduction == 20
    )
    audited = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "score_scheme")).all()
    assert [(row.action, row.actor.username) for row in audited] == [("create", "admin")]
    book = sheets(client.get(f"{SCHEMES}export.xlsx"))
    assert [line[0] for line in book["考核方案"][1:]] == ["2027-01-01", "2000-01-01"]
    export = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "export")).one()
    assert (export.actor.username, export.after["view"], export.after["rows"]) == ("admin", "考核方案", 2)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"weight_satisfaction": "20"}, "权重合计为 90，必须正好等于 100"),
        ({"weight_satisfaction": "40", "weight_reply": "-10"}, "不能为负数"),
        ({"deduct_late": "一分"}, "请输入数字"),
        ({"weight_response": "1e1"}, "请输入数字"),  # no exponents: a person types digits
        ({"max_deduction": "-5"}, "不能为负数"),
        ({"effective_from": "2027-13-01"}, "YYYY-MM-DD"),
        ({"effective_from": "2000-01-01"}, "已有考核方案在 2000-01-01 生效"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(client, login_as, app, changes, message):
    login_as("admin")
    response = client.post(f"{SCHEMES}new", data=GOOD | changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScoreScheme)) == 1  # the default only
    assert db.session.scalars(select(ConfigChange).where(ConfigChange.entity != "sign_in")).all() == []


def test_a_scheme_that_scored_a_published_period_cannot_be_changed(client, login_as, cases):
    login_as("admin")
    client.post("/admin/scorecard/publish", data=MARCH)
    default = db.session.scalar(select(ScoreScheme))
    html = client.get(SCHEMES).get_data(as_text=True)
    assert "2026-03-01" in html and "已使用，不能修改" in html and f'data-edit="{default.id}"' not in html
    refused = client.post(f"{SCHEMES}edit?id={default.id}", data=GOOD | {"effective_from": "2000-01-01"})
    assert "不能修改" in refused.get_data(as_text=True)
    early = client.post(f"{SCHEMES}new", data=GOOD | {"effective_from": "2026-03-01"})
    assert "最早只能从 2026-03-02 起生效" in early.get_data(as_text=True)
    db.session.expire_all()
    assert (
        default.weights["reply"] == 30
        and db.session.scalar(select(func.count()).select_from(ScoreScheme)) == 1
    )
