"""Edits of a case's registered details: old → new on the timeline (personal values hidden) and in the audit trail."""

from sqlalchemy import select

from app.cases import lifecycle
from models.audit import ConfigChange
from models.case import Case
from models.enums import Grade
from models.enums import Status
from models.org import Category
from tests.support.factories import make_case
from tests.support.factories import parse_page
from tests.support.factories import user


def _form(client, case) -> dict:
    page = parse_page(client.get(f"/admin/case/edit/?id={case.id}").get_data(as_text=True))
    return {name: value for name, value in page.values.items() if name != "csrf_token"}


def _category(db, code: str) -> Category:
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def test_the_timeline_shows_grade_category_and_title_old_to_new_and_hides_personal_values(
    client, login_as, db
):
    case = make_case(Status.REGISTERED, category=_category(db, "CSGL-ZDJY"), citizen_id_no=None)
    login_as("clerk")
    form = _form(client, case)
    changed = {
        "grade": "red",
        "category": str(_category(db, "CXJS").id),
        "title": "占道经营已影响消防通道",
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
        "is_key": "y",
    }
    assert client.post(f"/admin/case/edit/?id={case.id}", data={**form, **changed}).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.grade == Grade.RED and case.citizen_name == "李四"
    [edit] = [e for e in case.events if e.action == "edit"]
    assert edit.data["changes"]["grade"] == ["green", "red"]
    assert edit.data["changes"]["category"] == ["城市管理 / 占道经营", "城乡建设"]
    assert "citizen_name" not in edit.data["changes"] and "citizen_phone" in edit.data["fields"]

    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    timeline = html[html.index('id="timeline"') :]
    assert "分级：绿色 → 红色" in timeline
    assert "分类：城市管理 / 占道经营 → 城乡建设" in timeline
    assert "标题：路边占道经营影响通行 → 占道经营已影响消防通道" in timeline
    assert "重点件：否 → 是" in timeline
    assert "群众姓名：已修改" in timeline and "联系电话：已修改" in timeline
    for secret in ("张三", "13800138000", "13900139000", "green", "CSGL"):
        assert secret not in timeline  # "李四" is on the page above, as the case's current name

    [row] = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "case")).all()
    assert row.action == "update" and row.actor.username == "clerk"
    assert row.before["citizen_name"] == "张三" and row.after["citizen_name"] == "李四"
    assert row.before["citizen_phone"] == "13800138000" and row.after["grade"] == "red"


def test_an_edit_made_in_code_keeps_the_old_relationship_value(db):
    case = make_case(Status.REGISTERED, category=_category(db, "CXJS"))
    db.session.expire_all()
    case, clerk, city = db.session.get(Case, case.id), user("clerk"), _category(db, "CSGL")
    case.category = city  # the old category was never loaded: read by its id
    case.address = "宝安大道1号"
    event = lifecycle.record_edit(case, clerk, ["category", "address"])
    assert event.data["changes"] == {"category": ["城乡建设", "城市管理"]}
    db.session.commit()
    row = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "case")).one()
    assert row.before == {"category": "城乡建设", "address": None}
    assert row.after == {"category": "城市管理", "address": "宝安大道1号"}
