"""The audit trail page: supervisors and admins read it; nobody writes through it; values are escaped."""

import pytest

from app import audit
from app.extensions import db as _db
from models.audit import ConfigChange
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
    assert _db.session.query(ConfigChange).count() == 2
