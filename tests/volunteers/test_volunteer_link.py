"""A volunteer's personal clue page (``/v/<token>``) and the staff page that makes and replaces the link.

Every refusal (bad field, bad file, honeypot, rate limit) writes nothing and leaves no file; a double
submit makes one clue; unknown, replaced and inactive links answer the same 404.
"""

import io
import uuid
from pathlib import Path

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.volunteers.links import volunteer_by_token
from models.audit import ConfigChange
from models.case import Attachment
from models.enums import ClueStatus
from models.volunteer import Clue
from tests.support.factories import dept
from tests.support.factories import make_clue
from tests.support.factories import make_volunteer
from tests.support.factories import parse_page
from tests.support.factories import png_bytes

CLUE = {
    "occurred_at": "2026-01-05T19:30",
    "place": "甲一社区幸福花园5栋楼下",
    "description": "两户居民因装修噪音发生争吵，其中一方扬言要动手。",
    "people_involved": "4",
    "money_involved": "3000",
}


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), "PUBLIC_BASE_URL": "https://suqiu.example.gov.cn"}


@pytest.fixture
def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


@pytest.fixture
def volunteer(db):
    return make_volunteer("陈平安", "CA")


def clue_data(**changes) -> dict:
    data = {**CLUE, "submission_key": uuid.uuid4().hex, **changes}
    return {k: v for k, v in data.items() if v is not None}


def post(client, token, data, attachments=(), **kwargs):
    body = dict(data)
    if attachments:
        body["attachments"] = [(io.BytesIO(content), name) for content, name in attachments]
    return client.post(f"/v/{token}", data=body, content_type="multipart/form-data", **kwargs)


def snapshot(db, folder: Path) -> dict:
    """Everything a clue submission could write."""
    db.session.expire_all()
    return {
        "clues": db.session.scalar(select(func.count(Clue.id))),
        "attachments": db.session.scalar(select(func.count(Attachment.id))),
        "files": sorted(p.name for p in folder.rglob("*")) if folder.exists() else [],
    }


# --- the page and the happy path -------------------------------------------------------------------


def test_page_shows_only_the_initial_and_own_recent_clues(client, db, volunteer):
    other = make_volunteer("林其他", "CA", phone="13700002222")
    mine = make_clue(volunteer, place="我的线索地点")
    make_clue(other, place="别人的线索地点")
    response = client.get(f"/v/{volunteer.link_token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    page = parse_page(html)
    assert "陈**" in page.by_id["volunteer-name"] and "陈平安" not in html
    assert "我的线索地点" in page.by_id["recent-clues"] and f'data-clue="{mine.id}"' in html
    assert "别人的线索地点" not in html and "林其他" not in html and volunteer.phone not in html


def test_clue_with_photo_is_saved_with_its_file(client, db, volunteer, upload_dir):
    photo = png_bytes(3, 2)
    data = clue_data()
    response = post(client, volunteer.link_token, data, [(photo, "现场.jpg")])  # a PNG named .jpg
    assert response.status_code == 302, parse_page(response.get_data(as_text=True)).errors
    assert response.headers["Location"].endswith(f"/v/{volunteer.link_token}/done")
    clue = db.session.scalars(select(Clue)).one()
    assert clue.volunteer_id == volunteer.id and clue.community_id == dept("CA").id
    assert clue.status == ClueStatus.NEW and clue.entered_by_id is None
    assert (clue.place, clue.description) == (CLUE["place"], CLUE["description"])
    assert clue.people_involved == 4 and str(clue.money_involved) == "3000.00"
    assert clue.occurred_at.isoformat().startswith("2026-01-05T11:30")  # 19:30 in Shanghai, stored as UTC
    assert clue.submission_key == data["submission_key"]
    [attachment] = clue.attachments
    assert attachment.case_id is None and attachment.content_type == "image/png"
    assert (upload_dir / attachment.stored_name).read_bytes() == photo
    audit = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "clue")).one()
    assert audit.action == "create" and audit.actor_id is None

    done = client.get(response.headers["Location"])
    page = parse_page(done.get_data(as_text=True))
    assert done.status_code == 200 and page.by_id["clue-number"] == str(clue.id)
    assert f'data-clue="{clue.id}"' in done.get_data(as_text=True)


def test_done_page_without_a_submission_goes_back_to_the_form(client, db, volunteer):
    other = make_volunteer("林其他", "CA", phone="13700002222")
    foreign = make_clue(other)
    with client.session_transaction() as session:
        session["submitted_clue"] = foreign.id  # another volunteer's clue: never shown here
    response = client.get(f"/v/{volunteer.link_token}/done")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/v/{volunteer.link_token}")


def test_double_submit_makes_one_clue(client, db, volunteer, upload_dir):
    data = clue_data()
    first = post(client, volunteer.link_token, data, [(png_bytes(), "a.png")])
    second = post(client, volunteer.link_token, data, [(png_bytes(), "a.png")])
    assert first.status_code == second.status_code == 302
    after = snapshot(db, upload_dir)
    assert after["clues"] == 1 and after["attachments"] == 1 and len(after["files"]) == 1


# --- refusals write nothing ------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["place", "description"])
def test_missing_where_or_what_is_refused_and_the_text_kept(client, db, volunteer, upload_dir, missing):
    before = snapshot(db, upload_dir)
    data = clue_data(**{missing: "   "})
    response = post(client, volunteer.link_token, data, [(png_bytes(), "a.png")])
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400
    assert page.errors[missing] == [gettext("This field is required.")]
    kept = "description" if missing == "place" else "place"
    assert page.values[kept] == data[kept]
    assert page.values["submission_key"] == data["submission_key"]
    assert snapshot(db, upload_dir) == before


def test_file_disguised_by_its_extension_is_refused(client, db, volunteer, upload_dir):
    before = snapshot(db, upload_dir)
    data = clue_data()
    fake = b"MZ\x90\x00" + b"\x00" * 200  # a Windows program named like a photo
    response = post(client, volunteer.link_token, data, [(png_bytes(), "ok.png"), (fake, "photo.jpg")])
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "photo.jpg" in page.errors["attachments"][0]
    assert page.values["place"] == data["place"] and page.values["description"] == data["description"]
    assert snapshot(db, upload_dir) == before


def test_honeypot_is_refused(client, db, volunteer, upload_dir):
    before = snapshot(db, upload_dir)
    response = post(client, volunteer.link_token, clue_data(website="http://spam.example"))
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and "form-refusal" in page.by_id
    assert snapshot(db, upload_dir) == before


def test_time_in_the_future_is_refused(client, db, volunteer, upload_dir):
    before = snapshot(db, upload_dir)
    response = post(client, volunteer.link_token, clue_data(occurred_at="2999-01-01T08:00"))
    assert response.status_code == 400
    assert parse_page(response.get_data(as_text=True)).errors["occurred_at"]
    assert snapshot(db, upload_dir) == before


def test_rate_limit_per_volunteer_and_per_ip(app, client, db, volunteer, upload_dir):
    app.config.update(CLUE_LIMIT_PER_VOLUNTEER="2/hour", CLUE_LIMIT_PER_IP="3/hour")
    for _ in range(2):
        assert post(client, volunteer.link_token, clue_data()).status_code == 302
    before = snapshot(db, upload_dir)
    response = post(client, volunteer.link_token, clue_data(), [(png_bytes(), "a.png")])
    assert response.status_code == 400 and "form-refusal" in parse_page(response.get_data(as_text=True)).by_id
    assert snapshot(db, upload_dir) == before
    # from another network the same volunteer is still limited; another volunteer is not
    elsewhere = {"REMOTE_ADDR": "198.51.100.9"}
    assert post(client, volunteer.link_token, clue_data(), environ_base=elsewhere).status_code == 400
    other = make_volunteer("林其他", "CA", phone="13700002222")
    assert post(client, other.link_token, clue_data()).status_code == 302

    # three clues came from 127.0.0.1 now: the next from there is refused, from elsewhere not
    third = make_volunteer("王三", "CA", phone="13700003333")
    assert post(client, third.link_token, clue_data()).status_code == 400
    assert post(client, third.link_token, clue_data(), environ_base=elsewhere).status_code == 302


# --- links that do not work -----------------------------------------------------------------------


def test_unknown_inactive_and_replaced_links_all_answer_the_same_404(client, db, login_as, volunteer):
    suspended = make_volunteer("停用员", "CA", status="suspended", phone="13700004444")
    old_token = volunteer.link_token
    unknown = client.get("/v/" + "A" * 43)
    malformed = client.get("/v/short")
    inactive = client.get(f"/v/{suspended.link_token}")
    assert unknown.status_code == malformed.status_code == inactive.status_code == 404
    assert unknown.get_data() == inactive.get_data()
    assert post(client, suspended.link_token, clue_data()).status_code == 404
    assert db.session.scalar(select(func.count(Clue.id))) == 0

    login_as("clerk")
    response = client.post("/admin/volunteer_link/regenerate/", data={"id": volunteer.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert volunteer.link_token != old_token
    assert client.get(f"/v/{old_token}").status_code == 404
    assert client.get(f"/v/{old_token}").get_data() == unknown.get_data()
    assert post(client, old_token, clue_data()).status_code == 404
    assert client.get(f"/v/{volunteer.link_token}").status_code == 200
    assert volunteer_by_token(old_token) is None


# --- the staff page for the link --------------------------------------------------------------------


def test_link_page_shows_the_full_url_and_qr_and_makes_a_first_link(client, db, login_as):
    volunteer = make_volunteer("无链接", "CA", link=False)
    login_as("handler", "CA")
    page = parse_page(client.get(f"/admin/volunteer_link/?id={volunteer.id}").get_data(as_text=True))
    assert "no-link" in page.by_id and "link-url" not in page.by_id
    assert client.get(f"/admin/volunteer_link/qr.png?id={volunteer.id}").status_code == 404

    assert client.post("/admin/volunteer_link/regenerate/", data={"id": volunteer.id}).status_code == 302
    db.session.expire_all()
    token = volunteer.link_token
    assert token and len(token) == 43
    html = client.get(f"/admin/volunteer_link/?id={volunteer.id}").get_data(as_text=True)
    page = parse_page(html)
    assert page.by_id["link-url"] == f"https://suqiu.example.gov.cn/v/{token}"
    assert "<svg" in html and 'class="qr-code"' in html
    png = client.get(f"/admin/volunteer_link/qr.png?id={volunteer.id}")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    audit = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "volunteer_link")).one()
    assert audit.action == "create" and token not in str(audit.before) + str(audit.after)


def test_link_list_is_scoped(client, db, login_as, volunteer):
    make_volunteer("乙街道员", "CB", phone="13700005555")
    login_as("handler", "SA")
    html = client.get("/admin/volunteer_link/").get_data(as_text=True)
    assert "陈平安" in html and "乙街道员" not in html
    html = client.get("/admin/volunteer_link/?q=乙街道").get_data(as_text=True)
    assert "乙街道员" not in html


def test_other_area_cannot_see_or_replace_the_link(client, db, login_as, volunteer):
    token = volunteer.link_token
    login_as("handler", "SB")
    assert client.get(f"/admin/volunteer_link/?id={volunteer.id}").status_code == 404
    assert client.get(f"/admin/volunteer_link/qr.png?id={volunteer.id}").status_code == 404
    assert client.post("/admin/volunteer_link/regenerate/", data={"id": volunteer.id}).status_code == 404
    login_as("leader")
    assert client.get(f"/admin/volunteer_link/?id={volunteer.id}").status_code == 403
    assert client.post("/admin/volunteer_link/regenerate/", data={"id": volunteer.id}).status_code == 403
    db.session.expire_all()
    assert volunteer.link_token == token


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_replacing_a_link_needs_the_csrf_token(client, db, volunteer):
    from tests.support.web import logged_in

    token = volunteer.link_token
    logged_in(client, "clerk")
    assert client.post("/admin/volunteer_link/regenerate/", data={"id": volunteer.id}).status_code == 400
    db.session.expire_all()
    assert volunteer.link_token == token


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_clue_without_the_page_token_is_refused_and_the_text_kept(client, db, volunteer):
    data = clue_data()
    response = post(client, volunteer.link_token, data)
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400 and "form-refusal" in page.by_id
    assert page.values["place"] == data["place"] and page.values["description"] == data["description"]
    assert db.session.scalar(select(func.count(Clue.id))) == 0
    token = page.values["csrf_token"]  # the re-rendered page carries a fresh token: sending again works
    response = post(client, volunteer.link_token, {**data, "csrf_token": token})
    assert response.status_code == 302 and db.session.scalar(select(func.count(Clue.id))) == 1


def test_the_roster_links_each_row_to_its_personal_link_page_for_staff_not_leaders(
    client, db, login_as, volunteer
):
    login_as("handler", "CA")
    assert f"/admin/volunteer_link/?id={volunteer.id}" in client.get("/admin/volunteer/").get_data(
        as_text=True
    )
    login_as("leader")
    html = client.get("/admin/volunteer/").get_data(as_text=True)
    assert "陈平安" in html and "/admin/volunteer_link/" not in html


def test_missing_links_are_made_in_bulk_for_active_volunteers_of_the_area_only(client, db, login_as):
    without = [make_volunteer(f"无链接{i}", "CA", link=False, phone=f"1370000100{i}") for i in range(2)]
    resting = make_volunteer("暂停员", "CA", status="suspended", link=False, phone="13700001009")
    elsewhere = make_volunteer("乙街道员", "CB", link=False, phone="13700001008")
    login_as("handler", "SA")
    page = client.get("/admin/volunteer_link/").get_data(as_text=True)
    assert "2" in parse_page(page).by_id["create-missing"]
    assert client.post("/admin/volunteer_link/create-missing/").status_code == 302
    db.session.expire_all()
    assert all(v.link_token and len(v.link_token) == 43 for v in without)
    assert without[0].link_token != without[1].link_token
    assert resting.link_token is None and elsewhere.link_token is None
    row = db.session.scalars(select(ConfigChange).where(ConfigChange.entity_key == "bulk")).one()
    assert (row.action, row.after) == ("create", {"count": 2})
    assert without[0].link_token not in str(row.after)
    login_as("leader")
    assert client.post("/admin/volunteer_link/create-missing/").status_code == 403


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_making_links_in_bulk_needs_the_csrf_token(client, db):
    from tests.support.web import logged_in

    volunteer = make_volunteer("无链接", "CA", link=False)
    logged_in(client, "clerk")
    assert client.post("/admin/volunteer_link/create-missing/").status_code == 400
    db.session.expire_all()
    assert volunteer.link_token is None


def test_the_links_workbook_lists_the_area_s_active_links_and_is_audited(client, db, login_as, volunteer):
    import openpyxl

    make_volunteer("乙街道员", "CB", phone="13700005555")
    make_volunteer("暂停员", "CA", status="suspended", phone="13700006666")
    login_as("handler", "SA")
    response = client.get("/admin/volunteer_link/links.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "陈平安"
    assert rows[1][3] == f"https://suqiu.example.gov.cn/v/{volunteer.link_token}"
    row = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "export")).one()
    assert row.after == {"count": 1} and volunteer.link_token not in str(row.after)
    login_as("leader")
    assert client.get("/admin/volunteer_link/links.xlsx").status_code == 403
