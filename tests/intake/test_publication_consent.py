"""The citizen decides on the form whether a letter may be published, and only on a public mailbox.

Part of the regression for the outside test in which Open311 GET published every case: a case is shown
publicly only when its mailbox is marked public and its citizen ticked the consent box, which is off by
default (DECISIONS 5). Administrators mark a mailbox public in the panel.
"""

import uuid

import pytest
from sqlalchemy import select

from app.deadlines.policies import seed_default_policies
from models.case import Case
from models.org import Mailbox
from tests.support.factories import dept
from tests.support.factories import make_mailbox
from tests.support.factories import parse_page

LABEL = "同意在公开平台上公示本诉求（姓名、电话等个人信息不会公开）"
LETTER = {
    "request_type": "complaint",
    "title": "幸福路夜市摊贩占道经营",
    "content": "每天晚上七点以后，幸福路口有十多个摊贩占用人行道经营，行人只能走机动车道。",
    "citizen_name": "李四",
    "citizen_phone": "13900139000",
}


@pytest.fixture
def boxes(db):
    """A public mailbox and a private one (the default)."""
    seed_default_policies()
    db.session.commit()
    public = make_mailbox("gongkai", name="书记在线", kind="party_secretary")
    public.is_public = True
    private = make_mailbox("neibu", name="区长信箱")
    db.session.commit()
    return public, private


def send(client, slug: str, **extra):
    data = {**LETTER, "street": dept("SA").id, "community": dept("CA").id, "submission_key": uuid.uuid4().hex}
    response = client.post(f"/m/{slug}", data={**data, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return send_case(data["submission_key"])


def send_case(key: str) -> Case:
    from app.extensions import db

    db.session.expire_all()
    return db.session.scalars(select(Case).where(Case.submission_key == key)).one()


def consent_boxes(html: str) -> list[dict]:
    return [
        a for tag, a in parse_page(html).tags if tag == "input" and a.get("name") == "publication_consent"
    ]


def test_a_public_mailbox_asks_for_consent_unticked_with_a_clear_chinese_label(client, boxes):
    html = client.get("/m/gongkai").get_data(as_text=True)
    [box] = consent_boxes(html)
    assert box["type"] == "checkbox" and "checked" not in box
    assert LABEL in html


def test_a_private_mailbox_does_not_ask(client, boxes):
    html = client.get("/m/neibu").get_data(as_text=True)
    assert consent_boxes(html) == [] and LABEL not in html


def test_the_letter_records_the_citizen_s_choice(client, boxes):
    assert send(client, "gongkai", publication_consent="y").publication_consent is True
    assert send(client, "gongkai").publication_consent is False
    # A consent posted to a mailbox that never asked for it is ignored.
    assert send(client, "neibu", publication_consent="y").publication_consent is False


def test_an_administrator_marks_a_mailbox_public_in_the_panel(client, db, login_as):
    box = db.session.scalars(select(Mailbox).where(Mailbox.slug == "jzxx")).one()
    assert box.is_public is False  # off until an administrator decides
    login_as("admin")
    form = parse_page(client.get(f"/admin/mailbox/edit/?id={box.id}").get_data(as_text=True))
    assert any(tag == "input" and a.get("name") == "is_public" for tag, a in form.tags)
    data = {
        "name": box.name,
        "kind": box.kind,
        "department": box.department_id,
        "leader_name": box.leader_name or "",
        "slug": box.slug,
        "intro": box.intro or "",
        "real_name_required": "y",
        "active": "y",
        "is_public": "y",
    }
    response = client.post(f"/admin/mailbox/edit/?id={box.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Mailbox, box.id).is_public is True
    listing = client.get("/admin/mailbox/").get_data(as_text=True)
    assert "公开公示" in listing  # the column that shows it
