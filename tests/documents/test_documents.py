"""Printed case documents: the 办理单, 答复告知书 and 延期告知书 as print pages and Word files, per role."""

import io

import docx
import pytest

from app.cases import lifecycle
from app.deadlines.policies import seed_default_policies
from app.timeutil import format_local
from models.audit import AuditAction
from models.audit import ConfigChange
from models.enums import Status
from tests.support.factories import make_case
from tests.support.factories import parse_page
from tests.support.factories import user

CONTENT = "夜里摊贩占道<script>alert('x')</script>\x0b，电话13900001111可联系\x00。"
OFFICE = "测试区群众诉求服务中心"
REPLY = "经现场核查，已清理占道摊位<b>x</b>\x0c。\n今后将加强巡查。"
REASON = "需协调多个部门联合执法"


@pytest.fixture
def app_config():
    return {"OFFICE_NAME": OFFICE}


@pytest.fixture
def case(db):
    seed_default_policies()
    db.session.commit()
    return make_case(Status.IN_PROGRESS, content=CONTENT, citizen_name="张三")


def replied(case, db):
    lifecycle.perform(case, "contact", user("handler", "SA"), note="已电话联系群众")
    lifecycle.perform(case, "reply", user("handler", "SA"), outcome="supported", text=REPLY)
    db.session.commit()


def extended(case, db):
    lifecycle.perform(
        case, "request_extension", user("handler", "SA"), stage="resolve", amount=2, reason=REASON
    )
    lifecycle.perform(case, "approve_extension", user("supervisor"), note="同意")
    db.session.commit()


def word_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def both(client, case, kind) -> tuple[str, str]:
    base = f"/admin/case_documents/{case.id}/{kind}"
    return page_text(client.get(base + "/")), word_text(client.get(base + ".docx"))


def test_case_sheet_carries_the_case_with_personal_data_in_full_for_a_supervisor(client, login_as, case):
    login_as("supervisor")
    html, word = both(client, case, "sheet")
    for text in (html, word):
        assert case.number in text and OFFICE in text and "诉求办理单" in text
        assert "13800138000" in text and "440306199001011234" in text  # the supervisor sees them in full
        assert "13900001111" in text  # and numbers typed into the content
        assert "\x0b" not in text and "\x00" not in text
        assert "甲街道" in text  # lead department
        assert "（盖章）" in text
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert "<script>alert('x')</script>，电话" in word  # plain text in Word, control characters gone
    page = parse_page(html)
    assert page.by_id["office-name"] == OFFICE


def test_a_leader_gets_the_personal_numbers_masked(client, login_as, case):
    login_as("leader")
    html, word = both(client, case, "sheet")
    for text in (html, word):
        assert case.number in text
        assert "13800138000" not in text and "138****8000" in text
        assert "440306199001011234" not in text and "13900001111" not in text


def test_reply_notice_tells_the_citizen_the_reply_and_how_to_rate(client, login_as, case, db):
    replied(case, db)
    login_as("handler", "SA")
    html, word = both(client, case, "reply")
    for text in (html, word):
        assert "答复告知书" in text and case.number in text and OFFICE in text
        assert "今后将加强巡查。" in text and "\x0c" not in text
        assert "张三" in text and case.tracking_code in text and "/track" in text
        assert "支持" in text  # the outcome
        assert "13800138000" not in text  # no phone on a letter to the citizen
    assert "已清理占道摊位&lt;b&gt;x&lt;/b&gt;。" in html and "<b>x" not in html
    assert "已清理占道摊位<b>x</b>。" in word


def test_reply_notice_is_refused_before_the_reply(client, login_as, case):
    login_as("supervisor")
    response = client.get(f"/admin/case_documents/{case.id}/reply.docx")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert "还没有答复" in follow.get_data(as_text=True)


def test_extension_notice_only_after_an_approved_extension(client, login_as, case, db):
    login_as("supervisor")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'data-document="sheet"' in page and 'data-document="extension"' not in page
    response = client.get(f"/admin/case_documents/{case.id}/extension/", follow_redirects=True)
    assert "没有经批准的延期" in response.get_data(as_text=True)

    extended(case, db)
    extension = next(e for d in case.deadlines for e in d.extensions)
    assert extension.status == "approved"
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'data-document="extension"' in page
    html, word = both(client, case, "extension")
    for text in (html, word):
        assert "延期告知书" in text and REASON in text and case.number in text
        assert format_local(extension.new_due_at) in text and format_local(extension.old_due_at) in text


@pytest.mark.parametrize("kind", ["sheet", "reply", "extension"])
def test_a_user_who_may_not_see_the_case_gets_404(client, login_as, case, db, kind):
    replied(case, db)
    login_as("handler", "SB")
    assert client.get(f"/admin/case_documents/{case.id}/{kind}/").status_code == 404
    assert client.get(f"/admin/case_documents/{case.id}/{kind}.docx").status_code == 404
    assert client.get(f"/admin/case_documents/{case.id + 999}/sheet/").status_code == 404
    login_as("handler", "SA")
    assert client.get(f"/admin/case_documents/{case.id}/sheet/").status_code == 200
    assert client.get(f"/admin/case_documents/{case.id}/letter/").status_code == 404


def test_each_download_is_in_the_audit_trail(client, login_as, case, db):
    clerk = login_as("clerk")
    client.get(f"/admin/case_documents/{case.id}/sheet.docx")
    rows = db.session.query(ConfigChange).filter_by(action=AuditAction.EXPORT, actor_id=clerk.id).all()
    assert len(rows) == 1
    assert case.number in str(rows[0].after["filters"]) and "联系电话" in "".join(rows[0].after["personal"])
