"""A file too large for the form never costs the citizen the text they typed, and nothing is half-saved.

Regression for the outside test in which a letter with a 36 MB photo answered a bare 413 page: the request
was over the server's body limit (32 MB) and refused before the form was read, so the title, content, name
and phone were lost. The body limit now sits well above the attachment limits, so an oversized file is a
form error with everything kept; a body over the hard limit gets a page that says nothing was sent.
"""

import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.deadlines.policies import seed_default_policies
from models.case import Attachment
from models.case import Case
from models.volunteer import Clue
from tests.support.factories import dept
from tests.support.factories import make_mailbox
from tests.support.factories import make_volunteer
from tests.support.factories import parse_page
from tests.support.factories import png_bytes

MB = 1024 * 1024
LETTER = {
    "request_type": "complaint",
    "title": "幸福路夜市摊贩占道经营",
    "content": "每天晚上七点以后，幸福路口有十多个摊贩占用人行道经营，行人只能走机动车道，很危险。",
    "address": "幸福路 12 号对面",
    "citizen_name": "李四",
    "citizen_phone": "13900139000",
}
CLUE = {"place": "甲小区3栋楼下", "description": "两户居民因装修噪音发生争吵，其中一方扬言要动手。"}


@pytest.fixture
def app_config(tmp_path):
    """The shipped limits (no override), uploads in a temporary folder."""
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def mailbox(db):
    seed_default_policies()
    db.session.commit()
    return make_mailbox("qzxx")


def big_photo(size: int) -> io.BytesIO:
    """A PNG padded to ``size`` bytes: a real photo's header, a real upload's size."""
    head = png_bytes()
    return io.BytesIO(head + b"\0" * (size - len(head)))


def stored(db, folder: Path) -> dict:
    db.session.expire_all()
    return {
        "cases": db.session.scalar(select(func.count(Case.id))),
        "clues": db.session.scalar(select(func.count(Clue.id))),
        "attachments": db.session.scalar(select(func.count(Attachment.id))),
        "files": sorted(p.name for p in folder.rglob("*")) if folder.exists() else [],
    }


def letter() -> dict:
    return {**LETTER, "street": dept("SA").id, "community": dept("CA").id, "submission_key": uuid.uuid4().hex}


def test_a_36_mb_photo_is_refused_and_the_letter_is_kept(app, client, db, mailbox):
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = stored(db, folder)
    data = {**letter(), "attachments": [(big_photo(36 * MB), "现场照片.png")]}
    response = client.post("/m/qzxx", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    page = parse_page(html)
    assert response.status_code == 400
    for name in ("title", "content", "address", "citizen_name", "citizen_phone"):
        assert page.values.get(name) == LETTER[name], name
    assert page.errors["attachments"] == ["现场照片.png 超过 10.0 MB。"]
    assert stored(db, folder) == before


def test_a_photo_over_the_limit_among_small_ones_keeps_the_letter(app, client, db, mailbox):
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = stored(db, folder)
    parts = [(io.BytesIO(png_bytes()), "小图.png"), (big_photo(11 * MB), "大图.png")]
    response = client.post(
        "/m/qzxx", data={**letter(), "attachments": parts}, content_type="multipart/form-data"
    )
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.errors["attachments"] == ["大图.png 超过 10.0 MB。"]
    assert page.values["title"] == LETTER["title"] and stored(db, folder) == before


def test_a_volunteer_s_oversized_photo_keeps_the_clue(app, client, db):
    folder = Path(app.config["UPLOAD_FOLDER"])
    token = make_volunteer("陈平安", "CA").link_token
    before = stored(db, folder)
    data = {**CLUE, "submission_key": uuid.uuid4().hex, "attachments": [(big_photo(36 * MB), "楼道.png")]}
    response = client.post(f"/v/{token}", data=data, content_type="multipart/form-data")
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and page.errors["attachments"] == ["楼道.png 超过 10.0 MB。"]
    assert page.values["place"] == CLUE["place"] and page.values["description"] == CLUE["description"]
    assert stored(db, folder) == before


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2 * MB}])
def test_a_body_over_the_hard_limit_says_nothing_was_sent(app, client, db, mailbox, tmp_path):
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = stored(db, folder)
    data = {**letter(), "attachments": [(big_photo(3 * MB), "现场照片.png")]}
    response = client.post("/m/qzxx", data=data, content_type="multipart/form-data")
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 413
    assert page.by_id["too-large"] == (
        "您选择的文件太大，内容没有发送，也没有保存。请返回修改：删除或缩小照片、语音后再发送。"
    )
    assert ("a", {"href": "/m/qzxx", "id": "back-to-form", "class": "btn btn-primary"}) in page.tags
    links = [a.get("href", "") for tag, a in page.tags if tag == "a"]
    assert not [href for href in links if href.startswith("/admin")]  # a citizen is not sent to the panel
    assert stored(db, folder) == before


def test_the_form_tells_the_browser_its_file_limits(app, client, mailbox):
    """The page's script (app/static/suqiu.js) checks chosen files against these before sending."""
    page = parse_page(client.get("/m/qzxx").get_data(as_text=True))
    [field] = [a for tag, a in page.tags if tag == "input" and a.get("name") == "attachments"]
    assert int(field["data-max-file-bytes"]) == app.config["UPLOAD_MAX_FILE_BYTES"]
    assert int(field["data-max-total-bytes"]) == app.config["UPLOAD_MAX_CASE_BYTES"]
    assert int(field["data-max-files"]) == app.config["UPLOAD_MAX_FILES"]
    assert field["data-too-large"] == "{name} 超过 10.0 MB。"
    assert app.config["MAX_CONTENT_LENGTH"] >= 2 * app.config["UPLOAD_MAX_CASE_BYTES"]
