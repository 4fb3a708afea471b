"""The case page's 重复件 panel: the candidates with similarity and reason, 标记重复件 (an audited edit), 并单
(the state machine's merge), the user's scope, and CSRF on both buttons."""

import re

import pytest

from models.audit import ConfigChange
from models.case import Case
from models.case import CaseEvent
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.web import logged_in

SMOKE = ("楼下烧烤店油烟扰民", "幸福路12号楼下的烧烤店每天晚上油烟很大，熏得家里没法开窗。")
AGAIN = ("烧烤店油烟问题仍未解决", "幸福路12号楼下那家烧烤店的油烟还是很大，之前打过电话，希望尽快处理。")
MARK, MERGE = "/admin/case_repeats/mark/", "/admin/case_repeats/merge/"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def at_place(status, text, phone, lead="SA", place="CA"):
    community = dept(place)
    return make_case(status, lead=lead, title=text[0], content=text[1], citizen_phone=phone,
                     citizen_id_no=None, community=community, street=community.parent)  # fmt: skip


@pytest.fixture
def pair(db):
    """An earlier case about a smoky barbecue and the new case telling it again, both in 甲一社区."""
    first = at_place(Status.DISPATCHED, SMOKE, "13600000001")
    again = at_place(Status.REGISTERED, AGAIN, "13600000002")
    return first, again


def page(client, case) -> str:
    response = client.get(f"/admin/case/details/?id={case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post(client, url, token, case, target, version=None):
    data = {"id": case.id, "target": target.id, "version": case.version if version is None else version}
    if token:
        data["csrf_token"] = token
    return client.post(url, data=data)


def test_the_panel_lists_the_earlier_case_with_similarity_reason_and_buttons(client, pair):
    first, again = pair
    logged_in(client, "clerk")
    html = page(client, again)
    panel = html[html.index('id="repeat-candidates"') :]
    assert "疑似重复件" in panel and "内容相近" in panel and "相似度" in panel
    row = re.search(rf'data-case="{first.id}" data-similarity="(\d+)"', panel)
    assert row and 40 <= int(row.group(1)) <= 100
    assert first.number in panel and "标记为此件的重复件" in panel and "并入此件" in panel
    assert "13600000001" not in panel  # no phone reaches the page


def test_mark_as_repeat_links_the_case_on_the_timeline_and_in_the_audit(client, db, pair):
    first, again = pair
    token = logged_in(client, "clerk")
    response = post(client, MARK, token, again, first)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"id={again.id}")
    db.session.expire_all()
    case = db.session.get(Case, again.id)
    assert case.repeat_of_id == first.id and case.is_repeat and case.status == Status.REGISTERED
    edit = db.session.query(CaseEvent).filter_by(case_id=case.id, action="edit").one()
    assert "repeat_of" in edit.data["fields"]
    assert (
        db.session.query(ConfigChange)
        .filter_by(entity="case", entity_key=str(case.id), action="update")
        .count()
        == 1
    )
    html = page(client, case)
    assert "已标记为" in html and 'id="repeat-of"' in html and "该事项第 2 次反映" in html
    assert 'class="d-inline repeat-mark"' not in html  # already its repeat: no second button


def test_a_stale_version_is_refused(client, db, pair):
    first, again = pair
    token = logged_in(client, "clerk")
    assert post(client, MARK, token, again, first, version=again.version + 5).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, again.id).repeat_of_id is None


def test_merge_folds_the_case_into_the_earlier_one(client, db, pair):
    first, again = pair
    token = logged_in(client, "clerk")
    assert post(client, MERGE, token, again, first).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, again.id)
    assert case.status == Status.MERGED and case.merged_into_id == first.id
    assert db.session.query(CaseEvent).filter_by(case_id=first.id, action="merge_in").count() == 1


def test_no_merge_button_where_the_state_machine_refuses_it(client, db):
    at_place(Status.DISPATCHED, SMOKE, "13600000001")
    closed = at_place(Status.CLOSED, AGAIN, "13600000002")
    logged_in(client, "clerk")
    html = page(client, closed)
    assert 'id="repeat-candidates"' in html
    assert "并入此件" not in html and "标记为此件的重复件" not in html  # closed: neither merged nor edited


def test_a_handler_sees_only_candidates_in_scope_and_no_buttons(client, db):
    ours = at_place(Status.DISPATCHED, SMOKE, "13600000001", lead="SA")
    theirs = at_place(Status.DISPATCHED, SMOKE, "13600000003", lead="BB")
    again = at_place(Status.DISPATCHED, AGAIN, "13600000002", lead="SA")
    token = logged_in(client, "handler_SA")
    html = page(client, again)
    assert f'data-case="{ours.id}"' in html and f'data-case="{theirs.id}"' not in html
    assert theirs.number not in html
    assert "并入此件" not in html and "标记为此件的重复件" not in html
    assert post(client, MERGE, token, again, ours).status_code == 403  # not an intake role
    assert client.get(f"/admin/case/details/?id={theirs.id}").status_code == 404


def test_an_unknown_or_unseen_case_is_404(client, db, pair):
    first, again = pair
    token = logged_in(client, "clerk")
    ghost = Case(id=999999)
    assert post(client, MARK, token, again, ghost).status_code == 404
    assert post(client, MERGE, token, ghost, first).status_code == 404
    assert client.post(MARK, data={"csrf_token": token, "id": "x", "target": first.id}).status_code == 404


def test_both_buttons_need_the_csrf_token(client, db, pair):
    first, again = pair
    logged_in(client, "clerk")
    assert post(client, MARK, None, again, first).status_code == 400
    assert post(client, MERGE, None, again, first).status_code == 400
    db.session.expire_all()
    case = db.session.get(Case, again.id)
    assert case.repeat_of_id is None and case.status == Status.REGISTERED
