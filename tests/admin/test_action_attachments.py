"""The handler's contact record and reply carry photos and voice notes: stored with the step, filed under its
timeline entry, served only to those who may see the case; a refused file or a refused step writes nothing."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import gettext as _

from app.timeutil import format_local
from app.timeutil import utcnow
from models.case import Attachment
from models.case import CaseAction
from models.enums import Status
from tests.support.factories import amr_bytes
from tests.support.factories import make_case
from tests.support.factories import png_bytes


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


def stored_files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def contact_post(case, files=(), **fields):
    data = {
        "contact-id": case.id,
        "contact-version": case.version,
        "contact-method": "visit",
        "contact-contact_time": "",
        "contact-person": "张三本人",
        "contact-note": "上门查看，摊点已清理",
        **{f"contact-{k}": v for k, v in fields.items()},
    }
    data["contact-files"] = [(io.BytesIO(content), name) for name, content in files]
    return data


def test_a_contact_record_with_a_photo_and_a_voice_note(app, client, login_as, db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, files=[("现场.png", png_bytes()), ("通话.amr", amr_bytes())]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    event = case.events[-1]
    assert event.action == CaseAction.CONTACT and event.note == "上门查看，摊点已清理"
    assert event.data["contact"]["method"] == "visit" and event.data["contact"]["person"] == "张三本人"
    rows = db.session.query(Attachment).filter_by(case_id=case.id).order_by(Attachment.id).all()
    assert [(a.original_name, a.kind, a.event_id) for a in rows] == [
        ("现场.png", "image", event.id),
        ("通话.amr", "audio", event.id),
    ]
    assert len(stored_files(app)) == 2

    entry = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert f'data-event-files="{event.id}"' in entry
    [record] = re.findall(r'<dl class="contact-record[^>]*>(.*?)</dl>', entry, re.S)
    assert _("Home visit") in record and "张三本人" in record and _("Person spoken to") in record
    assert "data-not-reached" not in record
    files = re.search(rf'data-event-files="{event.id}">(.*?)</div>', entry, re.S).group(1)
    assert f"/admin/case/attachment/{rows[0].id}" in files and "<audio" in files
    assert client.get(f"/admin/case/attachment/{rows[0].id}").data == png_bytes()

    # another department's handler may not fetch them
    login_as("handler", "SB")
    assert client.get(f"/admin/case/attachment/{rows[0].id}").status_code == 404


def test_a_reply_carries_its_photos(app, client, login_as, db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/reply/",
        data={
            "reply-id": case.id,
            "reply-version": case.version,
            "reply-outcome": "supported",
            "reply-text": "已依法清理占道摊点",
            "reply-files": [(io.BytesIO(png_bytes()), "整改后.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == Status.REPLIED
    [photo] = case.attachments
    assert photo.event_id == case.events[-1].id and case.events[-1].action == CaseAction.REPLY


def test_a_refused_file_takes_no_step_and_stores_nothing(app, client, login_as, db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    events = len(case.events)
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, files=[("现场.png", png_bytes()), ("说明.jpg", b"<html>not a photo</html>")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "说明.jpg" in body and "不是" in body  # the Chinese refusal names the file
    assert "上门查看，摊点已清理" in body  # the form is shown again with its text
    db.session.expire_all()
    assert len(case.events) == events and case.contacted_at is None
    assert db.session.query(Attachment).filter_by(case_id=case.id).count() == 0
    assert stored_files(app) == []


def test_a_file_over_the_limit_is_refused(app, client, login_as, db):
    app.config["UPLOAD_MAX_FILE_BYTES"] = 50
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, files=[("大图.png", png_bytes(64, 64))]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "MB" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.contacted_at is None and stored_files(app) == []


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"note": ""}, "Record what was said to the citizen."),
        (
            {"contact_time": format_local(utcnow() + timedelta(hours=2), "%Y-%m-%dT%H:%M")},
            "The time of contact cannot be in the future.",
        ),
    ],
)
def test_a_refused_step_leaves_no_file_behind(app, client, login_as, db, fields, message):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, files=[("现场.png", png_bytes())], **fields),
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert _(message) in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.contacted_at is None
    assert db.session.query(Attachment).filter_by(case_id=case.id).count() == 0
    assert stored_files(app) == []


def test_a_contact_time_in_beijing_time_is_kept_as_given(app, client, login_as, db):
    case = make_case(Status.IN_PROGRESS, lead="SA", received_at=utcnow() - timedelta(hours=2))
    login_as("handler", "SA")
    earlier = utcnow() - timedelta(minutes=30)
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, method="not_reached", contact_time=format_local(earlier, "%Y-%m-%dT%H:%M")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    record = case.events[-1].data["contact"]
    assert record["at"].startswith(earlier.replace(second=0, microsecond=0).isoformat()[:16])
    assert case.contacted_at is None  # 未接通
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert "data-not-reached" in page and format_local(earlier) in page


def test_a_contact_record_carries_a_pdf_and_a_word_file_served_as_downloads(app, client, login_as, db):
    import docx

    word = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("现场核查记录")
    document.save(word)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, files=[("核查.pdf", pdf), ("记录", word.getvalue())]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    rows = db.session.query(Attachment).filter_by(case_id=case.id).order_by(Attachment.id).all()
    assert [(a.original_name, a.kind) for a in rows] == [("核查.pdf", "document"), ("记录.docx", "document")]
    served = client.get(f"/admin/case/attachment/{rows[0].id}")
    assert served.data == pdf and served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_document_is_refused_on_the_public_form_and_html_is_refused_everywhere(app, client, login_as, db):
    from app.intake import uploads

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with pytest.raises(uploads.UploadError):
        uploads.check_all([("核查.pdf", pdf)])  # citizens send photos and voice notes only
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/contact/",
        data=contact_post(case, files=[("page.pdf", b"<html><script>alert(1)</script></html>")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "不是照片" in response.get_data(as_text=True)
    assert db.session.query(Attachment).filter_by(case_id=case.id).count() == 0
    assert stored_files(app) == []
