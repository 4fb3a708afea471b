"""标准用语: the templates a case is offered (its category, its level-1 category, then general ones, in their
order), the placeholders filled in as plain text (escaped by the page, never run), and the default set."""

from datetime import date

import pytest
from sqlalchemy import select

from app.cases import wording
from app.extensions import db
from models.enums import Status
from models.org import Category
from models.wording import DirectAnswerScope
from models.wording import ReplyTemplate
from tests.support.factories import dept
from tests.support.factories import make_case

BODY = "{称呼}：您好！您反映的“{标题}”（编号：{编号}）已由{承办单位}办理。{日期}"


def category(code: str) -> Category:
    return db.session.scalars(select(Category).filter_by(code=code)).one()


def template(title: str, code: str | None = None, order: int = 0, active: bool = True, body: str = BODY):
    row = ReplyTemplate(
        title=title, category=category(code) if code else None, body=body, sort_order=order, active=active
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_render_fills_every_placeholder(db):
    case = make_case(Status.DISPATCHED, lead="BA", citizen_name="张三")
    text = wording.render(template("通用"), case, today=date(2026, 3, 5))
    assert (
        text == f"张三同志：您好！您反映的“{case.title}”（编号：{case.number}）已由区城管局办理。2026年3月5日"
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        ("王女士", "王女士"),
        ("李先生", "李先生"),
        ("  赵六 ", "赵六同志"),
        (None, "市民朋友"),
        ("", "市民朋友"),
    ],
)
def test_salutation(db, name, expected):
    assert wording.salutation(make_case(citizen_name=name)) == expected


def test_without_a_lead_department_the_office_answers(db):
    case = make_case(citizen_name=None)
    text = wording.render(template("通用"), case, today=date(2026, 12, 31))
    assert text.startswith("市民朋友：") and "已由测试区办理。2026年12月31日" in text


def test_today_is_beijing_s_day(db, monkeypatch):
    from datetime import UTC
    from datetime import datetime

    monkeypatch.setattr(wording, "utcnow", lambda: datetime(2026, 3, 4, 17, 30, tzinfo=UTC))  # 01:30 Beijing
    assert wording.values_for(make_case())["日期"] == "2026年3月5日"


def test_an_unknown_brace_is_left_as_it_is(db):
    case = make_case()
    assert wording.render(template("t", body="{编号} {地址} {}"), case).startswith(
        f"{case.number} {{地址}} {{}}"
    )


def test_the_order_of_the_offered_templates(db):
    general_late = template("通用·后", order=20)
    general = template("通用·先", order=10)
    parent = template("城市管理", "CSGL", order=50)
    own = template("占道经营", "CSGL-ZDJY", order=90)
    template("城乡建设", "CXJS")
    template("停用", order=1, active=False)
    case = make_case(category=category("CSGL-ZDJY"))
    assert wording.templates_for(case) == [own, parent, general, general_late]
    assert wording.templates_for(make_case(category=category("CSGL"))) == [parent, general, general_late]
    assert wording.templates_for(make_case()) == [general, general_late]
    offered = wording.choices_for(case)
    assert [o.title for o in offered] == ["占道经营", "城市管理", "通用·先", "通用·后"]
    assert case.number in offered[0].text


def test_the_case_s_html_stays_escaped_in_the_picker(client, login_as, db):
    template("通用")
    case = make_case(Status.IN_PROGRESS, title='<img src=x onerror="alert(1)">', citizen_name="<b>张</b>")
    login_as("handler", "SA")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'data-reply-template-for="reply-text"' in page
    assert "<img src=x" not in page and "<b>张</b>" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "&lt;b&gt;张&lt;/b&gt;同志" in page


def test_placeholder_check_names_the_allowed_ones():
    assert wording.unknown_placeholders("{称呼}{地址}{姓名}{地址}") == ["地址", "姓名"]
    assert wording.placeholder_refusal("{称呼}{编号}{标题}{承办单位}{日期}") is None
    message = wording.placeholder_refusal("您好{地址}")
    assert "{地址}" in message and "{称呼} {编号} {标题} {承办单位} {日期}" in message


def test_the_default_set_is_added_once(db):
    db.session.add(Category(code="LDSB", name="劳动和社会保障"))
    added = wording.seed_defaults()
    db.session.commit()
    assert added == {"scopes": 1, "templates": 6}
    scope = db.session.scalars(select(DirectAnswerScope)).one()
    assert scope.request_type == "consult" and scope.category is None and scope.active
    titles = {t.title: t for t in db.session.scalars(select(ReplyTemplate))}
    assert titles["城市管理类答复"].category.code == "CSGL"
    assert titles["劳动保障类答复"].category.code == "LDSB" and titles["受理告知"].category is None
    for row in titles.values():
        assert wording.check_template(row) is None
    assert wording.seed_defaults() == {"scopes": 0, "templates": 0}


def test_a_template_of_a_missing_category_is_left_out(db):
    assert db.session.scalars(select(Category).filter_by(code="LDSB")).first() is None  # not in the test org
    wording.seed_defaults()
    titles = set(db.session.scalars(select(ReplyTemplate.title)))
    assert "劳动保障类答复" not in titles and "城市管理类答复" in titles
    assert dept("D").name == wording.office_name(make_case())
