"""The 即接即办 scope and 标准用语 settings pages (who may open them, what they refuse, the audit rows), and the
标准用语 picker beside the texts written to the citizen on the case page."""

import pytest
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from models.audit import ConfigChange
from models.enums import RequestType
from models.enums import Status
from models.org import Category
from models.wording import DirectAnswerScope
from models.wording import ReplyTemplate
from tests.support.factories import make_case

SCOPES, TEMPLATES = "/admin/direct_answer_scope/", "/admin/reply_template/"
BODY = "{称呼}：您好！您反映的“{标题}”（编号：{编号}）已办结。{承办单位} {日期}"


def category(code: str) -> Category:
    return db.session.scalars(select(Category).filter_by(code=code)).one()


def audit_rows(entity: str) -> list[ConfigChange]:
    db.session.expire_all()
    return list(db.session.scalars(select(ConfigChange).filter_by(entity=entity).order_by(ConfigChange.id)))


@pytest.mark.parametrize(
    "role, code, scopes, templates",
    [
        ("admin", None, 200, 200),
        ("supervisor", None, 403, 200),
        ("clerk", None, 403, 403),
        ("leader", None, 403, 403),
        ("handler", "SA", 403, 403),
    ],
)
def test_who_may_open_the_pages(client, login_as, role, code, scopes, templates):
    login_as(role, code)
    assert client.get(SCOPES).status_code == scopes
    assert client.get(f"{SCOPES}new/").status_code == scopes
    assert client.get(TEMPLATES).status_code == templates
    assert client.get(f"{TEMPLATES}new/").status_code == templates


def test_a_scope_must_name_something_and_every_change_is_audited(client, login_as):
    admin = login_as("admin")
    response = client.post(f"{SCOPES}new/", data={"request_type": "__None", "note": "空的", "active": "y"})
    assert response.status_code == 200
    assert gettext("A scope must name a request type, a category or both.") in response.get_data(as_text=True)
    assert db.session.scalars(select(DirectAnswerScope)).first() is None

    response = client.post(f"{SCOPES}new/", data={"request_type": "consult", "active": "y"})
    assert response.status_code == 302
    scope = db.session.scalars(select(DirectAnswerScope)).one()
    assert scope.request_type == RequestType.CONSULT and scope.category is None
    scope_id = scope.id
    response = client.post(
        f"{SCOPES}edit/?id={scope_id}",
        data={"request_type": "__None", "category": category("CSGL").id, "active": "y", "note": "城管类"},
    )
    assert response.status_code == 302
    response = client.post(f"{SCOPES}delete/", data={"id": scope_id})
    assert response.status_code == 302 and db.session.scalars(select(DirectAnswerScope)).first() is None

    created, changed, deleted = audit_rows("direct_answer_scope")
    assert [row.action for row in (created, changed, deleted)] == ["create", "update", "delete"]
    assert all(row.actor_id == admin.id and row.entity_key == str(scope_id) for row in (created, changed))
    assert created.before is None and created.after["request_type"] == "consult"
    assert changed.before == {"request_type": "consult", "category": None, "active": True, "note": None}
    assert changed.after == {"request_type": None, "category": "城市管理", "active": True, "note": "城管类"}
    assert deleted.before == changed.after and deleted.after is None


def test_unknown_placeholders_are_refused_naming_the_allowed_ones(client, login_as):
    login_as("supervisor")
    data = {
        "title": "通用答复",
        "body": "{称呼}您好，{地址}的问题已处理。",
        "active": "y",
        "sort_order": "10",
    }
    response = client.post(f"{TEMPLATES}new/", data=data)
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and "{地址}" in html and "{称呼} {编号} {标题} {承办单位} {日期}" in html
    )
    assert "{称呼}您好，{地址}的问题已处理。" in html  # what was typed is kept
    assert db.session.scalars(select(ReplyTemplate)).first() is None
    response = client.post(f"{TEMPLATES}new/", data={**data, "title": "", "body": BODY})
    assert response.status_code == 200 and db.session.scalars(select(ReplyTemplate)).first() is None


def test_a_template_s_changes_are_audited(client, login_as):
    supervisor = login_as("supervisor")
    data = {"title": "办结告知", "body": BODY, "active": "y", "sort_order": "10"}
    assert client.post(f"{TEMPLATES}new/", data=data).status_code == 302
    row = db.session.scalars(select(ReplyTemplate)).one()
    assert row.body == BODY and row.category is None and row.sort_order == 10
    edited = {**data, "category": category("CSGL").id, "sort_order": "5"}
    assert client.post(f"{TEMPLATES}edit/?id={row.id}", data=edited).status_code == 302
    assert client.post(f"{TEMPLATES}edit/?id={row.id}", data=edited).status_code == 302
    rows = audit_rows("reply_template")
    assert [r.action for r in rows] == ["create", "update"]  # saving it unchanged leaves no row
    assert rows[0].actor_id == supervisor.id and rows[0].after["body"] == BODY
    assert rows[1].before["sort_order"] == 10
    assert rows[1].after == {**rows[1].before, "category": "城市管理", "sort_order": 5}


def template(title: str, code: str | None = None, body: str = BODY, order: int = 0) -> ReplyTemplate:
    row = ReplyTemplate(title=title, body=body, category=category(code) if code else None, sort_order=order)
    db.session.add(row)
    db.session.commit()
    return row


def test_the_picker_beside_the_reply_has_the_texts_rendered_for_the_case(client, login_as):
    template("城管答复", "CSGL", body="{称呼}：{承办单位}已处理“{标题}”。", order=1)
    template("通用答复", order=2)
    case = make_case(Status.IN_PROGRESS, lead="SA", category=category("CSGL-ZDJY"), citizen_name="王女士")
    login_as("handler", "SA")
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    picker = html[html.index('data-reply-template-for="reply-text"') :]
    picker = picker[: picker.index("</select>")]
    assert f'data-text="王女士：甲街道已处理“{case.title}”。"' in picker
    assert f"（编号：{case.number}）" in picker
    assert picker.index("城管答复") < picker.index("通用答复")
    assert html.index('id="reply-text-templates"') < html.index('id="reply-text"')  # above the text area
    assert 'name="reply-text-templates"' not in html  # the picker itself is never posted
    assert 'data-reply-template-for="comment' not in html  # only on texts written to the citizen


def test_the_picker_on_the_direct_answer_form_and_none_without_templates(client, login_as):
    db.session.add(DirectAnswerScope(request_type=RequestType.CONSULT))
    db.session.commit()
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    login_as("clerk")
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="form-direct_answer"' in html and "data-reply-template-for" not in html  # no templates yet
    template("咨询答复")
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'data-reply-template-for="direct_answer-text"' in html
    assert "已办结。测试区 " in html  # no lead department: the office answers
