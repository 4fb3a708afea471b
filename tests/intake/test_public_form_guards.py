"""The public forms' honeypot looks at every value sent, and invisible characters are no text.

Regressions for two findings of the outside test: ``website=&website=bot`` passed the honeypot (only the
first value was read), and names made of zero-width characters passed as filled in. Both forms with a
honeypot are covered: the mailbox letter (``/m/<slug>``) and the volunteer's clue (``/v/<token>``).
"""

import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.deadlines.policies import seed_default_policies
from models.case import Case
from models.volunteer import Clue
from tests.support.factories import dept
from tests.support.factories import make_mailbox
from tests.support.factories import make_volunteer
from tests.support.factories import parse_page

LETTER = {
    "request_type": "complaint",
    "title": "幸福路夜市摊贩占道经营",
    "content": "每天晚上七点以后，幸福路口有十多个摊贩占用人行道经营，行人只能走机动车道。",
    "citizen_name": "李四",
    "citizen_phone": "13900139000",
}
CLUE = {"place": "甲小区3栋楼下", "description": "两户居民因装修噪音发生争吵，其中一方扬言要动手。"}
REQUIRED = "此项必填。"
REAL_NAME = "本信箱实行实名来信，请填写姓名。"
LETTER_REFUSED = "来信未能提交，请重试或拨打热线电话。"
CLUE_REFUSED = "线索未能提交，请重试或拨打热线。"
INVISIBLE = [
    "\u200b\u200b",
    "\u200d",
    "\ufeff",
    "\u200b \u200c\u3000",
    " \u2060\u200e\u200f ",
    "\u202e\u200b",
    "\u00ad",
]
SPLIT_HONEYPOTS = [["", "bot"], ["", "", "http://spam.example"], ["bot", ""], [" ", ""]]


@pytest.fixture
def mailboxes(db):
    seed_default_policies()
    db.session.commit()
    return make_mailbox("shiming", real_name_required=True), make_mailbox("niming", real_name_required=False)


@pytest.fixture
def volunteer(db):
    return make_volunteer("陈平安", "CA")


def counts(db) -> tuple[int, int]:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Case.id))), db.session.scalar(select(func.count(Clue.id)))


def send_letter(client, slug="shiming", **changes):
    data = {**LETTER, "street": dept("SA").id, "community": dept("CA").id, "submission_key": uuid.uuid4().hex}
    data.update(changes)
    return client.post(f"/m/{slug}", data=data)


def send_clue(client, token, **changes):
    return client.post(f"/v/{token}", data={**CLUE, "submission_key": uuid.uuid4().hex, **changes})


@pytest.mark.parametrize("values", SPLIT_HONEYPOTS)
def test_any_filled_honeypot_value_refuses_the_letter(client, db, mailboxes, values):
    before = counts(db)
    response = send_letter(client, website=values)
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.by_id.get("form-refusal") == LETTER_REFUSED
    assert counts(db) == before


@pytest.mark.parametrize("values", SPLIT_HONEYPOTS)
def test_any_filled_honeypot_value_refuses_the_clue(client, db, volunteer, values):
    before = counts(db)
    response = send_clue(client, volunteer.link_token, website=values)
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.by_id.get("form-refusal") == CLUE_REFUSED
    assert counts(db) == before


def test_empty_honeypot_values_pass(client, db, mailboxes, volunteer):
    assert send_letter(client, website=["", ""]).status_code == 302
    assert send_clue(client, volunteer.link_token, website="").status_code == 302


@pytest.mark.parametrize("blank", INVISIBLE)
def test_an_invisible_name_is_no_name(client, db, mailboxes, blank):
    before = counts(db)
    response = send_letter(client, citizen_name=blank)
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.errors == {"citizen_name": [REAL_NAME]}
    assert counts(db) == before


@pytest.mark.parametrize("field", ["title", "content"])
@pytest.mark.parametrize("blank", INVISIBLE)
def test_invisible_title_or_content_is_required(client, db, mailboxes, field, blank):
    response = send_letter(client, **{field: blank * 12})
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.errors == {field: [REQUIRED]}


@pytest.mark.parametrize("field", ["place", "description"])
def test_invisible_clue_text_is_required(client, db, volunteer, field):
    before = counts(db)
    response = send_clue(client, volunteer.link_token, **{field: "\u200b\u200d\ufeff" * 3})
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.errors == {field: [REQUIRED]}
    assert counts(db) == before


def test_invisible_characters_are_dropped_from_names_that_are_kept(client, db, mailboxes):
    assert send_letter(client, citizen_name="\u200b李\u200d四\ufeff").status_code == 302
    assert (
        send_letter(client, slug="niming", citizen_name="\u200b\u200b", citizen_phone="").status_code == 302
    )
    db.session.expire_all()
    names = db.session.scalars(select(Case.citizen_name).order_by(Case.id)).all()
    assert names == ["李四", None]
