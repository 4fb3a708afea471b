"""Department scoping: a handler of department SA tries department SB's rows on every route and gets nothing."""

import io
import json
from datetime import date

import openpyxl
import pytest

from app.auth.passwords import set_password
from models.case import Case
from models.enums import Status
from models.volunteer import RewardPayout
from models.volunteer import Volunteer
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user


@pytest.fixture
def world(db):
    """Cases, volunteers and rewards on both sides of the SA / SB line."""
    own = make_case(Status.IN_PROGRESS, lead="SA", title="甲街道自己的案件")
    co = make_case(Status.DISPATCHED, lead="BA", co=("SA",), title="甲街道协办的案件")
    foreign = make_case(Status.IN_PROGRESS, lead="SB", title="乙街道的秘密案件", citizen_phone="13911112222")
    vol_a = Volunteer(
        name="甲平安员",
        phone="13700000001",
        group="grid_worker",
        community=dept("CA"),
        joined_on=date(2025, 1, 1),
    )
    vol_b = Volunteer(
        name="乙平安员",
        phone="13700000002",
        group="grid_worker",
        community=dept("CB"),
        joined_on=date(2025, 1, 1),
    )
    db.session.add_all([vol_a, vol_b])
    db.session.flush()
    reward_a = RewardPayout(volunteer=vol_a, case=own, amount=200, reason="甲线索")
    reward_b = RewardPayout(volunteer=vol_b, case=foreign, amount=300, reason="乙线索")
    db.session.add_all([reward_a, reward_b])
    db.session.commit()
    return {
        "own": own.id,
        "co": co.id,
        "foreign": foreign.id,
        "foreign_number": foreign.number,
        "vol_a": vol_a.id,
        "vol_b": vol_b.id,
        "reward_a": reward_a.id,
        "reward_b": reward_b.id,
    }


@pytest.fixture
def handler_a(login_as, world):
    return login_as("handler", "SA")


def test_case_list_shows_only_own_and_co_cases(client, handler_a, world):
    html = client.get("/admin/case/").get_data(as_text=True)
    assert "甲街道自己的案件" in html and "甲街道协办的案件" in html
    assert "乙街道的秘密案件" not in html and world["foreign_number"] not in html
    assert "(2)" in html  # the header count is scoped too


def test_case_list_search_and_filters_stay_scoped(client, handler_a, world):
    for url in (
        f"/admin/case/?search={world['foreign_number']}",
        "/admin/case/?search=13911112222",
        f"/admin/case/?flt0_lead_department_equals={dept('SB').id}",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "乙街道的秘密案件" not in html


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/admin/case/details/?id={foreign}"),
        ("get", "/admin/case/details/?id={foreign}&modal=True"),
        ("get", "/admin/volunteer/details/?id={vol_b}"),
        ("get", "/admin/reward/details/?id={reward_b}"),
    ],
)
def test_foreign_details_are_404(client, handler_a, world, method, url):
    response = getattr(client, method)(url.format(**world))
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "乙街道的秘密案件" not in body and "乙平安员" not in body and "13911112222" not in body


def test_own_details_are_visible(client, handler_a, world):
    assert client.get(f"/admin/case/details/?id={world['own']}").status_code == 200
    assert client.get(f"/admin/case/details/?id={world['co']}").status_code == 200
    assert client.get(f"/admin/volunteer/details/?id={world['vol_a']}").status_code == 200


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", "/admin/case/edit/?id={foreign}", None),
        ("post", "/admin/case/edit/?id={foreign}", {"title": "改掉", "content": "x"}),
        ("post", "/admin/case/delete/", {"id": "{foreign}"}),
        ("post", "/admin/case/action/", {"action": "supervise", "rowid": "{foreign}"}),
        ("post", "/admin/case/action/", {"action": "delete", "rowid": "{foreign}"}),
        ("get", "/admin/volunteer/edit/?id={vol_b}", None),
        ("post", "/admin/volunteer/edit/?id={vol_b}", {"name": "改掉"}),
        ("post", "/admin/volunteer/delete/", {"id": "{vol_b}"}),
        ("get", "/admin/reward/edit/?id={reward_b}", None),
        ("post", "/admin/reward/edit/?id={reward_b}", {"amount": "1"}),
        ("post", "/admin/reward/delete/", {"id": "{reward_b}"}),
        ("get", "/admin/volunteer/export/xlsx/", None),
        ("get", "/admin/user/", None),
    ],
)
def test_foreign_writes_are_refused(client, handler_a, world, db, method, url, data):
    data = {k: v.format(**world) for k, v in (data or {}).items()}
    response = (
        client.get(url.format(**world)) if method == "get" else client.post(url.format(**world), data=data)
    )
    assert response.status_code in (403, 404)
    db.session.expire_all()
    foreign = db.session.get(Case, world["foreign"])
    assert foreign.title == "乙街道的秘密案件" and not foreign.is_supervised
    assert db.session.get(Volunteer, world["vol_b"]).name == "乙平安员"
    assert db.session.get(RewardPayout, world["reward_b"]).amount == 300


def test_foreign_transition_is_404(client, handler_a, world, db):
    response = client.post(
        "/admin/case/transition/reply/",
        data={"reply-id": world["foreign"], "reply-outcome": "supported", "reply-text": "越权答复"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Case, world["foreign"]).status == Status.IN_PROGRESS


def test_case_export_is_scoped(client, handler_a, world):
    response = client.get("/admin/case/export/xlsx/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("甲街道自己的案件" in v for v in values)
    assert not any("乙街道的秘密案件" in v or world["foreign_number"] in v for v in values)


def test_a_lookup_of_a_form_the_role_may_not_fill_is_refused(client, handler_a, world):
    """Handlers neither create nor edit cases: the case form's lookup is not theirs to use."""
    response = client.get("/admin/case/ajax/lookup/?name=repeat_of&query=SQ&limit=500")
    assert response.status_code == 403
    assert world["foreign_number"] not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url, forbidden",
    [
        ("/admin/reward/ajax/lookup/?name=case&query=SQ&limit=500", "foreign_number"),
        ("/admin/reward/ajax/lookup/?name=volunteer&query=平安员", "乙平安员"),
    ],
)
def test_ajax_lookups_are_scoped(client, handler_a, world, url, forbidden):
    response = client.get(url)
    assert response.status_code == 200
    rows = json.loads(response.data)
    text = json.dumps(rows, ensure_ascii=False)
    assert world.get(forbidden, forbidden) not in text
    assert rows, "own rows should still be found"


def test_foreign_ids_in_create_form_are_rejected(client, handler_a, world, db):
    before = db.session.query(RewardPayout).count()
    response = client.post(
        "/admin/reward/new/",
        data={"volunteer": world["vol_b"], "case": world["foreign"], "amount": "500", "reason": "越权"},
    )
    assert response.status_code == 200  # the form comes back with errors
    assert db.session.query(RewardPayout).count() == before
    # the same form with own rows saves
    response = client.post(
        "/admin/reward/new/",
        data={"volunteer": world["vol_a"], "case": world["own"], "amount": "500", "reason": "有效线索"},
    )
    assert response.status_code == 302
    assert db.session.query(RewardPayout).count() == before + 1


def test_reward_and_volunteer_lists_are_scoped(client, handler_a, world):
    html = client.get("/admin/volunteer/").get_data(as_text=True)
    assert "甲平安员" in html and "乙平安员" not in html
    html = client.get("/admin/reward/").get_data(as_text=True)
    assert "甲平安员" in html and "乙平安员" not in html


def test_clerk_sees_everything(client, login_as, world):
    login_as("clerk")
    html = client.get("/admin/case/").get_data(as_text=True)
    assert "乙街道的秘密案件" in html and "甲街道自己的案件" in html
    assert client.get(f"/admin/case/details/?id={world['foreign']}").status_code == 200


def test_handler_without_department_sees_no_cases(client, db, world, login_as):
    from models.user import User
    from tests.support.factories import PASSWORD

    orphan = User(username="orphan", display_name="orphan", role="handler")
    set_password(orphan, PASSWORD)
    db.session.add(orphan)
    db.session.commit()
    client.post("/login", data={"username": "orphan", "password": PASSWORD})
    html = client.get("/admin/case/").get_data(as_text=True)
    assert "甲街道自己的案件" not in html and "乙街道的秘密案件" not in html


@pytest.mark.parametrize(
    "role, url",
    [
        ("clerk", "/admin/user/"),
        ("clerk", "/admin/department/new/"),
        ("supervisor", "/admin/category/new/"),
        ("leader", "/admin/case/new/"),
        ("leader", "/admin/mailbox/edit/?id=1"),
        ("handler", "/admin/case/new/"),
    ],
)
def test_only_admins_edit_configuration(client, login_as, role, url, world):
    login_as(role, "SA" if role == "handler" else None)
    assert client.get(url).status_code == 403


def test_admin_edits_configuration(client, login_as):
    login_as("admin")
    for url in ("/admin/user/", "/admin/department/new/", "/admin/category/new/", "/admin/mailbox/new/"):
        assert client.get(url).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/case/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/admin/").status_code == 302


def test_user_of_other_role_scope_uses_python_twin(db, world):
    """can_see_case agrees with the SQL clause for every (user, case) pair."""
    from app.auth.access import can_see_case
    from app.auth.access import scope_query

    for who in (user("handler", "SA"), user("handler", "SB"), user("handler", "BA"), user("clerk")):
        visible = {c.id for c in scope_query(Case, db.session.query(Case), who)}
        assert visible == {c.id for c in db.session.query(Case) if can_see_case(who, c)}


def test_inline_subform_dropdowns_are_scoped(app, db, world):
    """Foreign-key selects inside inline (FieldList / FormField) forms are scoped like top-level ones."""
    from flask_admin.contrib.sqla.fields import QuerySelectField
    from flask_login import login_user
    from wtforms import FieldList
    from wtforms import Form
    from wtforms import FormField

    from admin_views.scoping import scope_select_fields

    class Row(Form):
        case = QuerySelectField(query_factory=lambda: db.session.query(Case), allow_blank=True)

    class Parent(Form):
        rows = FieldList(FormField(Row), min_entries=2)
        single = FormField(Row)

    with app.test_request_context():
        login_user(user("handler", "SA"))
        form = scope_select_fields(Parent())
        offered = [{c.id for c in entry.form.case.query_factory()} for entry in form.rows.entries]
        offered.append({c.id for c in form.single.form.case.query_factory()})
    assert all(ids == {world["own"], world["co"]} for ids in offered)


# --- 批示 and 督办 (issue 14): a department sees what is addressed to it, and nothing else ------------------


@pytest.fixture
def orders(db, world):
    """A 督办单 on SB's case addressed to SB only, and a 批示 on BA's case addressed to SA (not lead, not co)."""
    from app.cases import lifecycle

    foreign = db.session.get(Case, world["foreign"])
    addressed = make_case(Status.IN_PROGRESS, lead="BB", title="住建局牵头、批示交甲街道的案件")
    lifecycle.perform(
        foreign, "supervise", user("supervisor"), content="乙街道的督办要求", departments=[dept("SB")]
    )
    lifecycle.perform(addressed, "instruct", user("leader"), content="请甲街道配合", departments=[dept("SA")])
    db.session.commit()
    return addressed


def test_a_department_sees_the_orders_addressed_to_it_and_their_cases_only(client, handler_a, world, orders):
    ledger = client.get("/admin/order_ledger/").get_data(as_text=True)
    assert (
        orders.number in ledger and world["foreign_number"] not in ledger and "乙街道的督办要求" not in ledger
    )
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/order_ledger/export/xlsx/").data)).active
    assert [row[0].value for row in sheet.iter_rows()][1:] == [orders.number]
    # the case a 批示 is addressed to is open to the department (to answer it), and listed
    assert client.get(f"/admin/case/details/?id={orders.id}").status_code == 200
    assert "住建局牵头、批示交甲街道的案件" in client.get("/admin/case/").get_data(as_text=True)
    assert client.get(f"/admin/case/details/?id={world['foreign']}").status_code == 404
    for url in ("/admin/my_instructions/", "/admin/my_packages/", f"/admin/supervise_many/?ids={world['foreign']}",
                "/admin/supervision_rule/"):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_another_department_sees_none_of_it(client, login_as, world, orders):
    login_as("handler", "BA")
    ledger = client.get("/admin/order_ledger/").get_data(as_text=True)
    assert orders.number not in ledger and world["foreign_number"] not in ledger
    assert client.get(f"/admin/case/details/?id={orders.id}").status_code == 404


def test_a_leader_sees_every_order(client, login_as, world, orders):
    login_as("leader")
    ledger = client.get("/admin/order_ledger/").get_data(as_text=True)
    assert orders.number in ledger and world["foreign_number"] in ledger
