"""Citizens' files in the panel, and the front door's settings (ban list, sensitive words).

Attachments are served only through the access-checked case route, with their stored type, ``nosniff`` and
a sandboxing CSP; the case page shows photos as thumbnails and voice notes as players. The ban list and the
sensitive-word list are administrators' settings, and they act on the public form.
"""

import io
import re
from pathlib import Path
from urllib.parse import quote
from urllib.parse import unquote

import pytest
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.intake import uploads
from app.intake.submission import CitizenRequest
from app.intake.submission import submit
from models.case import Attachment
from models.case import Case
from models.enums import Channel
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from tests.support.factories import amr_bytes
from tests.support.factories import dispatched_letter
from tests.support.factories import heic_bytes
from tests.support.factories import jpeg_bytes
from tests.support.factories import make_mailbox
from tests.support.factories import parse_page
from tests.support.factories import png_bytes

PHOTO_NAME = "现场照片 1.png"
VOICE_NAME = "语音.amr"
HEIC_NAME = "IMG_0420.HEIC"


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def mailbox(app):
    return make_mailbox("qzxx", real_name_required=False)


@pytest.fixture
def case_with_files(mailbox):
    """A letter with a photo, a voice note and a HEIC photo, dispatched to 甲街道 (SA)."""
    files = [(PHOTO_NAME, png_bytes()), (VOICE_NAME, amr_bytes()), (HEIC_NAME, heic_bytes())]
    return dispatched_letter(
        mailbox, files, "垃圾站异味严重", "小区门口垃圾站每天下午异味很重，照片和录音见附件。"
    )


def attachment(case: Case, name: str) -> Attachment:
    return next(a for a in case.attachments if a.original_name == name)


def url(attachment_id: int, download: bool = False) -> str:
    return f"/admin/case/attachment/{attachment_id}" + ("?download=1" if download else "")


# --- serving attachments ----------------------------------------------------------------------------


@pytest.mark.parametrize("role, code", [("clerk", None), ("supervisor", None), ("handler", "SA")])
def test_staff_who_see_the_case_get_the_file_safely(client, login_as, case_with_files, role, code):
    login_as(role, code)
    photo = attachment(case_with_files, PHOTO_NAME)
    response = client.get(url(photo.id))
    assert response.status_code == 200
    assert response.data == png_bytes()
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "no-store" in response.headers["Cache-Control"]
    assert not response.headers.get("Content-Disposition", "inline").startswith("attachment")

    download = client.get(url(photo.id, download=True))
    assert download.status_code == 200 and download.data == png_bytes()
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(PHOTO_NAME)}" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    voice = client.get(url(attachment(case_with_files, VOICE_NAME).id))
    assert voice.status_code == 200 and voice.mimetype == "audio/amr" and voice.data == amr_bytes()


def download_names(response) -> list[str]:
    """Every file name a Content-Disposition header gives (plain and RFC 5987), decoded."""
    disposition = response.headers["Content-Disposition"]
    return [
        unquote(value.removeprefix("UTF-8''").strip('"'))
        for value in re.findall(r"filename\*?=([^;]+)", disposition)
    ]


def test_a_jpeg_named_html_downloads_as_jpg(client, login_as, mailbox):
    """Regression: a JPEG/HTML polyglot sent as poly.html was served for download as poly.html."""
    page = b"<html><body><script>fetch('/admin/user/')</script></body></html>"
    jpeg = jpeg_bytes()
    polyglot = jpeg[:20] + b"\xff\xfe" + (len(page) + 2).to_bytes(2, "big") + page + jpeg[20:]
    case, _created = submit(
        CitizenRequest(
            channel=Channel.MAILBOX,
            mailbox=mailbox,
            request_type="complaint",
            title="路灯不亮",
            content="小区门口路灯坏了一个月，照片见附件。",
            citizen_phone="13900139000",
            files=uploads.check_all([("poly.html", polyglot)]),
        )
    )
    db.session.commit()
    [photo] = case.attachments
    assert (photo.original_name, photo.content_type) == ("poly.jpg", "image/jpeg")

    login_as("clerk")
    for response in (client.get(url(photo.id, download=True)), client.get(url(photo.id))):
        assert response.status_code == 200 and response.data == polyglot
        assert response.mimetype == "image/jpeg"
        names = download_names(response)
        assert names and all(name == "poly.jpg" for name in names), names
        assert ".htm" not in response.headers["Content-Disposition"].lower()


def test_a_row_stored_with_a_wrong_extension_downloads_with_its_type_extension(
    client, login_as, case_with_files
):
    """Rows kept before names took the detected type's extension are served under a matching name."""
    photo = attachment(case_with_files, PHOTO_NAME)
    photo.original_name = "现场照片 1.html"
    db.session.commit()
    login_as("clerk")
    response = client.get(url(photo.id, download=True))
    assert response.status_code == 200 and response.mimetype == "image/png"
    names = download_names(response)  # the ASCII fallback and the UTF-8 name
    assert names and all(name.endswith(".png") for name in names), names
    assert f"filename*=UTF-8''{quote('现场照片 1.png')}" in response.headers["Content-Disposition"]
    assert ".htm" not in response.headers["Content-Disposition"].lower()


def test_other_department_gets_404(client, login_as, case_with_files):
    login_as("handler", "SB")
    for a in case_with_files.attachments:
        response = client.get(url(a.id))
        assert response.status_code == 404
        assert response.data != png_bytes()
        assert client.get(url(a.id, download=True)).status_code == 404
    # and the case page itself is as closed to them
    assert client.get(f"/admin/case/details/?id={case_with_files.id}").status_code == 404


def test_anonymous_is_sent_to_login(client, case_with_files):
    photo = attachment(case_with_files, PHOTO_NAME)
    response = client.get(url(photo.id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert response.data != png_bytes()


def test_unknown_attachment_or_missing_file_is_404(app, client, login_as, case_with_files):
    login_as("clerk")
    assert client.get(url(999999)).status_code == 404
    photo = attachment(case_with_files, PHOTO_NAME)
    (Path(app.config["UPLOAD_FOLDER"]) / photo.stored_name).unlink()
    assert client.get(url(photo.id)).status_code == 404


def test_case_page_shows_thumbnail_and_player(client, login_as, case_with_files):
    login_as("handler", "SA")
    response = client.get(f"/admin/case/details/?id={case_with_files.id}")
    assert response.status_code == 200
    page = parse_page(response.get_data(as_text=True))
    photo = attachment(case_with_files, PHOTO_NAME)
    voice = attachment(case_with_files, VOICE_NAME)
    heic = attachment(case_with_files, HEIC_NAME)
    images = [
        attrs
        for tag, attrs in page.tags
        if tag == "img" and "/admin/case/attachment/" in attrs.get("src", "")
    ]
    audios = [attrs for tag, attrs in page.tags if tag == "audio"]
    assert [(i["src"], i["alt"]) for i in images] == [
        (url(photo.id), PHOTO_NAME)
    ]  # browsers cannot show HEIC
    assert len(audios) == 1 and audios[0]["src"] == url(voice.id) and "controls" in audios[0]
    links = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
    for a in (photo, voice, heic):
        assert url(a.id, download=True) in links
    # nothing points into static/ or at the stored names
    html = response.get_data(as_text=True)
    for a in (photo, voice, heic):
        assert a.stored_name not in html


# --- the ban list and sensitive words ---------------------------------------------------------------


def test_admin_bans_a_phone_written_with_spaces_and_it_blocks_letters(app, client, login_as, mailbox):
    login_as("admin")
    assert client.get("/admin/ban_entry/").status_code == 200
    response = client.post(
        "/admin/ban_entry/new/",
        data={"kind": "phone", "value": " 138 0013 8000 ", "reason": "骚扰", "active": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    entry = db.session.scalars(select(BanEntry)).one()
    assert (entry.kind, entry.value, entry.active) == ("phone", "13800138000", True)
    listing = client.get("/admin/ban_entry/").get_data(as_text=True)
    assert "13800138000" in listing

    citizen = app.test_client()
    letter = {
        "request_type": "complaint",
        "title": "噪音扰民",
        "content": "楼下商铺每天深夜放音乐，影响休息。",
        "citizen_phone": "+86 138 0013 8000",
    }
    response = citizen.post("/m/qzxx", data=letter)
    assert response.status_code == 400
    assert parse_page(response.get_data(as_text=True)).by_id["form-refusal"] == gettext(
        "Submissions from this phone number or network are not accepted. Please call the hotline."
    )
    assert db.session.scalar(select(Case.id).where(Case.title == "噪音扰民")) is None
    # another phone gets through
    assert citizen.post("/m/qzxx", data={**letter, "citizen_phone": "13900139000"}).status_code == 302


def test_admin_bans_an_ip_and_it_blocks_letters(app, client, login_as, mailbox):
    login_as("admin")
    response = client.post(
        "/admin/ban_entry/new/", data={"kind": "ip", "value": " 203.0.113.5 ", "active": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(BanEntry.value)).one() == "203.0.113.5"
    letter = {"request_type": "consult", "title": "咨询", "content": "请问社保卡在哪里办理补卡手续？"}
    banned = app.test_client().post("/m/qzxx", data=letter, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert banned.status_code == 400 and "form-refusal" in parse_page(banned.get_data(as_text=True)).by_id
    other = app.test_client().post("/m/qzxx", data=letter, environ_base={"REMOTE_ADDR": "203.0.113.6"})
    assert other.status_code == 302


def test_inactive_ban_does_not_block(app, client, login_as, mailbox):
    login_as("admin")
    client.post("/admin/ban_entry/new/", data={"kind": "phone", "value": "13800138000"})  # active unticked
    assert db.session.scalars(select(BanEntry.active)).one() is False
    letter = {
        "request_type": "consult",
        "title": "咨询",
        "content": "请问社保卡在哪里办理补卡？",
        "citizen_phone": "13800138000",
    }
    assert app.test_client().post("/m/qzxx", data=letter).status_code == 302


def test_admin_adds_a_sensitive_word_and_it_flags_letters(app, client, login_as, mailbox):
    login_as("admin")
    assert client.get("/admin/sensitive_word/").status_code == 200
    response = client.post("/admin/sensitive_word/new/", data={"word": "集体上访", "active": "y"})
    assert response.status_code == 302
    assert db.session.scalars(select(SensitiveWord.word)).one() == "集体上访"
    assert "集体上访" in client.get("/admin/sensitive_word/").get_data(as_text=True)
    letter = {"request_type": "complaint", "title": "拖欠工资", "content": "再不发工资我们就组织集体上访。"}
    assert app.test_client().post("/m/qzxx", data=letter).status_code == 302
    case = db.session.scalars(select(Case).where(Case.title == "拖欠工资")).one()
    assert case.is_sensitive is True


@pytest.mark.parametrize(
    "role, code", [("clerk", None), ("supervisor", None), ("leader", None), ("handler", "SA")]
)
def test_only_admins_manage_bans_and_words(client, login_as, role, code):
    login_as(role, code)
    for endpoint, data in (
        ("ban_entry", {"kind": "phone", "value": "13800138000", "active": "y"}),
        ("sensitive_word", {"word": "上访", "active": "y"}),
    ):
        assert client.get(f"/admin/{endpoint}/").status_code == 403
        assert client.get(f"/admin/{endpoint}/new/").status_code == 403
        assert client.post(f"/admin/{endpoint}/new/", data=data).status_code == 403
    assert db.session.scalars(select(BanEntry)).all() == []
    assert db.session.scalars(select(SensitiveWord)).all() == []


def test_anonymous_is_sent_to_login_from_settings(client):
    for endpoint in ("ban_entry", "sensitive_word"):
        response = client.get(f"/admin/{endpoint}/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_file_upload_to_admin_is_not_a_route(client, login_as, case_with_files):
    """Attachments come only from citizens: there is no staff upload or delete route for them."""
    login_as("admin")
    photo = attachment(case_with_files, PHOTO_NAME)
    response = client.post(url(photo.id), data={"file": (io.BytesIO(b"x"), "x.png")})
    assert response.status_code == 405
    assert client.get(url(photo.id)).data == png_bytes()
