"""Rate limits hold under parallel requests: real threads against a live server (CSRF on), released together.

Regression for the outside test that made 32 letters from one network past a limit of 20, 15 from one phone
past 5, and 19 clues of one volunteer past 10: each limit used to be read before the write and counted
after it, so requests arriving together all read the same count.
"""

import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.extensions import limiter
from models.case import Case
from models.org import Category
from models.volunteer import Clue
from tests.support.factories import make_volunteer
from tests.support.live_server import live_server_fixture  # noqa: F401  (provides the live_server fixture)
from tests.support.web import Browser
from tests.support.web import at_once


@pytest.fixture
def server(live_server):
    """The live server with fresh rate-limit counts."""
    with live_server.app.app_context():
        limiter.reset()
    yield live_server
    with live_server.app.app_context():
        limiter.reset()


def count(server, model, *where) -> int:
    with server.app.app_context():
        return db.session.scalar(select(func.count(model.id)).where(*where))


def letter_sender(server, phone_for):
    """A function that prepares one visitor's letter (page and token fetched) and returns how to send it."""
    with server.app.app_context():
        category = db.session.scalar(select(Category.id).where(Category.code == "CSGL-ZDJY"))

    def send(i):
        visitor = Browser(server.url)
        token = visitor.token("/m/jzxx")
        form = {
            "csrf_token": token,
            "request_type": "complaint",
            "category": category,
            "title": f"占道经营第{i}封",
            "content": "小区门口每天晚上都有摊贩占道经营，影响通行。",
            "citizen_name": "张三",
            "citizen_phone": phone_for(i),
            "submission_key": uuid.uuid4().hex,
        }
        return lambda: visitor.request("POST", "/m/jzxx", form)[0]

    return send


def test_parallel_letters_from_one_network_stop_at_its_limit(server):
    server.app.config.update(SUBMIT_LIMIT_PER_IP="20/hour", SUBMIT_LIMIT_PER_PHONE="1000/hour")
    before = count(server, Case)
    statuses = at_once(40, letter_sender(server, lambda i: f"139{i:08d}"))
    made = count(server, Case) - before
    assert statuses.count(302) == made
    assert set(statuses) <= {302, 400}
    assert 1 <= made <= 20, made


def test_parallel_letters_with_one_phone_stop_at_its_limit(server):
    server.app.config.update(SUBMIT_LIMIT_PER_IP="1000/hour", SUBMIT_LIMIT_PER_PHONE="5/hour")
    before = count(server, Case)
    statuses = at_once(15, letter_sender(server, lambda i: "13700137000"))
    made = count(server, Case) - before
    assert statuses.count(302) == made
    assert 1 <= made <= 5, made


def test_parallel_clues_of_one_volunteer_stop_at_its_limit(server):
    server.app.config.update(CLUE_LIMIT_PER_VOLUNTEER="10/hour", CLUE_LIMIT_PER_IP="1000/hour")
    with server.app.app_context():
        volunteer = make_volunteer("林平安", "CA", phone="13700002222")
        token, volunteer_id = volunteer.link_token, volunteer.id

    def send(i):
        visitor = Browser(server.url)
        form = {
            "csrf_token": visitor.token(f"/v/{token}"),
            "place": "甲一社区幸福花园5栋楼下",
            "description": f"两户居民因装修噪音发生争吵（第{i}次报送）。",
            "submission_key": uuid.uuid4().hex,
        }
        return lambda: visitor.request("POST", f"/v/{token}", form)[0]

    statuses = at_once(20, send)
    made = count(server, Clue, Clue.volunteer_id == volunteer_id)
    assert statuses.count(302) == made
    assert 1 <= made <= 10, made


def test_refused_and_repeated_sends_give_their_place_back(server):
    """Places are counted before the write, so a letter that was not made must not keep its place."""
    server.app.config.update(SUBMIT_LIMIT_PER_IP="2/hour", SUBMIT_LIMIT_PER_PHONE="1000/hour")
    send = letter_sender(server, lambda i: f"136{i:08d}")
    first = send(0)
    assert first() == 302
    visitor = Browser(server.url)
    token = visitor.token("/m/jzxx")
    repeated = {"csrf_token": token, "title": "x"}  # refused by the form: no place taken
    assert visitor.request("POST", "/m/jzxx", repeated)[0] == 400
    assert send(1)() == 302
    assert send(2)() == 400  # the third letter of this network is over the limit
