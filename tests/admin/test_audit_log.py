"""The audit trail page: supervisors and admins read it in Chinese, filter and export it; nobody writes through it."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest

from app import audit
from app.extensions import db as _db
from app.timeutil import local_day
from app.timeutil import utcnow
from models.audit import AuditAction
from models.audit import AuditEntity
from models.audit import ConfigChange
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user


@pytest.fixture
def rows(db):
    """Two audit rows: a roster change carrying markup in a note, and a reward approval."""
    supervisor = user("supervisor")
    audit.record(
        "volunteer", 7, "update", supervisor, {"status": "active"}, {"notes": "<script>x()</script>"}
    )
    audit.record("reward", 3, "approve", supervisor, {"status": "proposed"}, {"status": "approved"})
    _db.session.commit()
    return _db.session.query(ConfigChange).order_by(ConfigChange.id).all()


@pytest.mark.parametrize(
    "role, status", [("supervisor", 200), ("admin", 200), ("clerk", 403), ("leader", 403)]
)
def test_who_may_read_it(client, login_as, rows, role, status):
    login_as(role)
    assert client.get("/admin/audit_log/").status_code == status


def test_the_page_names_things_in_chinese_and_escapes_values(client, login_as, rows):
    login_as("supervisor")
    html = client.get("/admin/audit_log/").get_data(as_text=True)
    assert "平安员名册" in html and "修改" in html and "批准" in html and "平安奖励金" in html
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    only_rewards = client.get("/admin/audit_log/?flt0_what_equals=reward").get_data(as_text=True)
    assert "批准" in only_rewards and "&lt;script&gt;" not in only_rewards


def test_nothing_is_written_through_it(client, login_as, rows):
    login_as("admin")
    assert client.get("/admin/audit_log/new/").status_code == 403
    assert client.get(f"/admin/audit_log/edit/?id={rows[0].id}").status_code == 403
    assert client.post("/admin/audit_log/delete/", data={"id": rows[0].id}).status_code == 403
    assert _db.session.query(ConfigChange).filter(ConfigChange.entity != "sign_in").count() == 2


@pytest.fixture
def trail(db):
    """A case edit by a clerk, an account change and an export by a supervisor, a failed sign-in."""
    case = make_case(Status.REGISTERED)
    clerk, supervisor = user("clerk"), user("handler", "SA")
    changed = {"grade": ["green", "red"], "citizen_name": ["张三", "李四"], "is_key": [False, True]}
    audit.record_edit(AuditEntity.CASE, case.id, changed, clerk)
    before, after = {"role": "clerk", "active": True}, {"role": "handler", "active": False}
    audit.record(AuditEntity.USER, clerk.id, AuditAction.UPDATE, supervisor, before, after)
    export = {"view": "诉求", "filters": ["状态 等于 待派单"], "rows": 12, "personal": ["身份证号"]}
    audit.record(AuditEntity.EXPORT, "case", AuditAction.EXPORT, supervisor, None, export)
    audit.record(AuditEntity.SIGN_IN, "-", AuditAction.SIGN_IN_FAILED, None, None, {"ip": "10.0.0.9"})
    _db.session.commit()
    return {"case": case, "clerk": clerk, "handler": supervisor}


def _visible(html: str) -> str:
    """The page's text as a reader sees it (tags, scripts, hidden filter data and attributes left out)."""
    html = re.sub(r'<(script|style)\b.*?</\1>|<div id="filter-groups-data".*?</div>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def test_changes_read_as_chinese_labels_and_values_with_the_actor_and_department(client, login_as, trail):
    login_as("supervisor")
    text = _visible(client.get("/admin/audit_log/").get_data(as_text=True))
    assert "分级：绿色 → 红色" in text and "群众姓名：张三 → 李四" in text and "重点件：否 → 是" in text
    assert "角色：受理员 → 承办人" in text and "启用：是 → 否" in text
    assert (
        "筛选条件：状态 等于 待派单" in text and "行数：12" in text and "含完整个人信息的列：身份证号" in text
    )
    assert trail["case"].number in text  # the case by its number, not its id
    assert f"{trail['handler'].display_name}（{dept('SA').name}）" in text
    for english in ("grade", "citizen_name", "is_key", "role", "rows", "personal", '{"', "None", "True"):
        assert not re.search(rf"(?<![A-Za-z_]){re.escape(english)}(?![A-Za-z_])", text), english


def test_filters_by_actor_record_and_day(client, login_as, trail):
    login_as("supervisor")
    by_clerk = _visible(
        client.get(f"/admin/audit_log/?flt0_by_equals={trail['clerk'].id}").get_data(as_text=True)
    )
    assert "分级" in by_clerk and "角色" not in by_clerk and "行数" not in by_clerk
    number = trail["case"].number
    by_case = _visible(client.get(f"/admin/audit_log/?flt0_record_equals={number}").get_data(as_text=True))
    assert "分级" in by_case and "角色" not in by_case
    today = local_day(utcnow())
    days = f"{today - timedelta(days=1)} to {today}"
    assert "分级" in _visible(client.get(f"/admin/audit_log/?flt0_day_between={days}").get_data(as_text=True))
    days = f"{today - timedelta(days=9)} to {today - timedelta(days=8)}"
    assert "分级" not in _visible(
        client.get(f"/admin/audit_log/?flt0_day_between={days}").get_data(as_text=True)
    )


def test_the_trail_exports_as_chinese_text_and_the_export_is_audited(client, login_as, trail):
    reader = login_as("supervisor")
    response = client.get(f"/admin/audit_log/export/xlsx/?flt0_by_equals={trail['clerk'].id}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("分级：绿色 → 红色" in v for v in values) and not any("grade" in v for v in values)
    row = _db.session.query(ConfigChange).filter_by(entity="export", entity_key="audit_log").one()
    assert row.actor_id == reader.id and row.after["rows"] == 1 and row.after["view"] == "审计日志"
    assert row.after["filters"] == [f"操作人 等于 {trail['clerk'].display_name}（clerk）"]
