"""The citizen's letter form at ``/m/<slug>``: a letter with photos and voice notes becomes one case.

Every refusal (bad field, bad file, honeypot, ban, rate limit, stale CSRF token) re-renders the form with
the citizen's text and writes nothing: no case, no event, no deadline, no attachment row, no file.
"""

import hashlib
import io
import threading
import time
import uuid
from pathlib import Path

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.intake import uploads
from app.intake.submission import existing_case as real_existing_case
from app.intake.submission import sensitive_words as real_sensitive_words
from models.case import Attachment
from models.case import Case
from models.case import CaseEvent
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Channel
from models.enums import Status
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from models.org import Category
from models.org import Mailbox
from tests.support.factories import amr_bytes
from tests.support.factories import dept
from tests.support.factories import jpeg_bytes
from tests.support.factories import make_mailbox
from tests.support.factories import parse_page
from tests.support.factories import png_bytes
from tests.support.factories import wav_bytes
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (pg_app: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SLUG = "qzxx"  # real-name mailbox made per test
ANON_SLUG = "niming"  # anonymous letters allowed

LETTER = {
    "request_type": "complaint",
    "title": "幸福路夜市摊贩占道经营",
    "content": "每天晚上七点以后，幸福路口有十多个摊贩占用人行道经营，行人只能走机动车道，很危险。",
    "address": "幸福路 12 号对面",
    "people_involved": "30",
    "money_involved": "1200.50",
    "citizen_name": "李四",
    "citizen_phone": "139 0013 9000",
}
NOT_A_MEDIA_FILE = "%(name)s is not a photo (JPEG, PNG, WebP, HEIC) or voice note (M4A, MP3, AMR, WAV)."


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


@pytest.fixture
def mailbox(db):
    """A real-name mailbox, with the default deadline policies in force."""
    seed_default_policies()
    db.session.commit()
    return make_mailbox(SLUG, real_name_required=True)


@pytest.fixture
def anon_mailbox(db):
    return make_mailbox(ANON_SLUG, real_name_required=False, name="书记在线", kind="party_secretary")


def category_id(code: str) -> int:
    return db.session.scalar(select(Category.id).where(Category.code == code))


def letter(**changes) -> dict:
    """A valid letter (form data); ``None`` values drop the field."""
    data = {
        **LETTER,
        "category": category_id("CSGL-ZDJY"),
        "street": dept("SA").id,
        "community": dept("CA").id,
        "submission_key": uuid.uuid4().hex,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def files(*items: tuple[bytes, str]) -> list:
    """Multipart file parts for ``attachments`` (fresh streams each call)."""
    return [(io.BytesIO(data), name) for data, name in items]


def post(client, data: dict, attachments=(), slug=SLUG, **kwargs):
    body = dict(data)
    if attachments:
        body["attachments"] = files(*attachments)
    return client.post(f"/m/{slug}", data=body, content_type="multipart/form-data", **kwargs)


def snapshot(db, folder: Path) -> dict:
    """Everything a submission could write."""
    db.session.expire_all()
    count = db.session.scalar
    return {
        "cases": count(select(func.count(Case.id))),
        "events": count(select(func.count(CaseEvent.id))),
        "deadlines": count(select(func.count(CaseDeadline.id))),
        "attachments": count(select(func.count(Attachment.id))),
        "files": sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else [],
    }


def assert_kept(page, data: dict, *fields) -> None:
    """The re-rendered form still carries what the citizen typed."""
    for name in fields or ("title", "content", "address", "citizen_name"):
        if name in data:
            # kept as typed, apart from the surrounding blanks and control characters the form drops
            assert (page.values.get(name) or "") == data[name].strip(), (name, page.values.get(name))


def only_case(db) -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


# --- the happy path ---------------------------------------------------------------------------------


def test_letter_with_photo_and_voice_note_becomes_one_case(app, client, db, mailbox, upload_dir):
    before = snapshot(db, upload_dir)
    photo, voice = png_bytes(4, 3), wav_bytes()
    data = letter()
    # The type comes from the bytes: the voice note is a WAV file named .m4a.
    response = post(client, data, [(photo, "现场照片.png"), (voice, "录音 1.m4a")])
    assert response.status_code == 302, parse_page(response.get_data(as_text=True)).errors
    assert response.headers["Location"].endswith(f"/m/{SLUG}/done")

    case = only_case(db)
    assert before["cases"] == 0
    assert case.channel == Channel.MAILBOX and case.mailbox_id == mailbox.id
    assert case.status == Status.NEW and case.created_by is None
    assert case.title == LETTER["title"] and case.content == LETTER["content"]
    assert case.request_type == "complaint" and case.category_id == category_id("CSGL-ZDJY")
    assert case.street_id == dept("SA").id and case.community_id == dept("CA").id
    assert case.address == LETTER["address"] and case.people_involved == 30
    assert str(case.money_involved) == "1200.50"
    assert case.citizen_name == "李四" and case.citizen_phone == "13900139000"  # normalised
    assert case.submission_key == data["submission_key"] and case.submitted_ip == "127.0.0.1"
    assert case.is_sensitive is False
    assert case.number.startswith("SQ") and len(case.tracking_code) == 12

    [event] = case.events
    assert event.action == "receive" and event.to_status == Status.NEW and event.actor is None
    assert event.data["channel"] == "mailbox"
    register = [d for d in case.deadlines if d.stage == Stage.REGISTER]
    assert len(register) == 1 and register[0].status == DeadlineStatus.RUNNING
    assert case.next_due_at is not None

    image, audio = case.attachments
    assert (image.original_name, image.kind, image.content_type) == ("现场照片.png", "image", "image/png")
    # the name takes the extension of the type read from the bytes (a wav sent as .m4a)
    assert (audio.original_name, audio.kind, audio.content_type) == ("录音 1.wav", "audio", "audio/wav")
    assert (image.size, audio.size) == (len(photo), len(voice))
    assert image.sha256 == hashlib.sha256(photo).hexdigest()
    assert audio.sha256 == hashlib.sha256(voice).hexdigest()
    # Stored under random names with the detected extension, in UPLOAD_FOLDER only.
    assert image.stored_name.endswith(".png") and audio.stored_name.endswith(".wav")
    for attachment, data_bytes in ((image, photo), (audio, voice)):
        stem = attachment.stored_name.rsplit(".", 1)[0]
        assert uuid.UUID(hex=stem).hex == stem
        assert (upload_dir / attachment.stored_name).read_bytes() == data_bytes
        assert not list((ROOT / "app" / "static").rglob(attachment.stored_name))
    assert snapshot(db, upload_dir)["files"] == sorted([image.stored_name, audio.stored_name])

    # The confirmation shows the number and tracking code to this browser ...
    done = client.get(f"/m/{SLUG}/done")
    page = parse_page(done.get_data(as_text=True))
    assert done.status_code == 200
    assert page.by_id["case-number"] == case.number
    assert page.by_id["tracking-code"] == case.tracking_code
    # ... and to nobody else.
    stranger = app.test_client().get(f"/m/{SLUG}/done")
    assert stranger.status_code == 302 and stranger.headers["Location"].endswith(f"/m/{SLUG}")
    assert case.tracking_code not in stranger.get_data(as_text=True)


def test_mailbox_page_shows_name_leader_intro_and_promises(client, db):
    seed_default_policies()
    box = db.session.scalars(select(Mailbox).where(Mailbox.slug == "jzxx")).one()  # 局长信箱, 10-30-4
    box.intro = "局长每周一集中阅办来信。"
    db.session.commit()
    response = client.get("/m/jzxx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    page = parse_page(html)
    assert page.values.get("submission_key") and len(page.values["submission_key"]) == 32
    assert "局长信箱" in html and "区城管局" in html
    assert "王局长 亲自阅办" in html and "局长每周一集中阅办来信。" in html
    assert "服务承诺" in html
    for promise in ("10 分钟", "30 分钟", "4 个工作日"):
        assert promise in html, promise
    # the form has every field, the honeypot is hidden from people
    names = {attrs.get("name") for _tag, attrs in page.tags}
    for field in ("request_type", "category", "title", "content", "street", "community", "address"):
        assert field in names
    for field in ("people_involved", "money_involved", "citizen_name", "citizen_phone", "attachments"):
        assert field in names
    assert 'class="hp-field" aria-hidden="true"' in html


def test_anonymous_letter_on_a_mailbox_that_allows_it(client, db, anon_mailbox, upload_dir):
    data = letter(citizen_name=None, citizen_phone=None, street=None, community=None, category=None)
    response = post(client, data, slug=ANON_SLUG)
    assert response.status_code == 302, parse_page(response.get_data(as_text=True)).errors
    case = only_case(db)
    assert case.mailbox_id == anon_mailbox.id and case.citizen_phone is None and case.citizen_name is None
    assert case.street_id is None and case.category_id is None
    done = client.get(f"/m/{ANON_SLUG}/done").get_data(as_text=True)
    assert parse_page(done).by_id["tracking-code"] == case.tracking_code
    # no phone: the code alone finds the case, and the citizen is told so
    assert (
        gettext(
            "Write down or screenshot the tracking code: with it you can follow your case on the tracking page."
        )
        in done
    )
    assert (
        gettext(
            "Write down or screenshot the tracking code: with it and the last 4 digits of your phone you can "
            "follow your case on the tracking page."
        )
        not in done
    )


def test_sensitive_word_flags_the_case_and_accepts_it(client, db, mailbox):
    db.session.add_all([SensitiveWord(word="上访"), SensitiveWord(word="停用词", active=False)])
    db.session.commit()
    response = post(client, letter(content="如果还不解决，我们就集体上访，停用词不算。"))
    assert response.status_code == 302
    case = only_case(db)
    assert case.is_sensitive is True
    assert case.events[0].data["sensitive_words"] == ["上访"]


def test_unknown_or_inactive_mailbox_is_404(client, db, upload_dir):
    make_mailbox("closed", active=False)
    before = snapshot(db, upload_dir)
    for slug in ("closed", "no-such-box"):
        assert client.get(f"/m/{slug}").status_code == 404
        assert post(client, letter(), [(png_bytes(), "a.png")], slug=slug).status_code == 404
        assert client.get(f"/m/{slug}/done").status_code == 404
    assert snapshot(db, upload_dir) == before


def test_each_allowed_type_is_accepted_whatever_its_name(client, db, mailbox, upload_dir):
    parts = [(jpeg_bytes(), "IMG_0001"), (png_bytes(), "scan.jpg"), (amr_bytes(), "voice.mp3")]
    assert post(client, letter(), parts).status_code == 302
    case = only_case(db)
    assert [(a.original_name, a.content_type) for a in case.attachments] == [  # names follow the bytes
        ("IMG_0001.jpg", "image/jpeg"),
        ("scan.png", "image/png"),
        ("voice.amr", "audio/amr"),
    ]
    assert sorted(n.rsplit(".", 1)[1] for n in snapshot(db, upload_dir)["files"]) == ["amr", "jpg", "png"]


# --- refusals write nothing -------------------------------------------------------------------------

HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"
EXE_PAYLOAD = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
PDF_PAYLOAD = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _ban_phone(db):
    db.session.add(BanEntry(kind="phone", value="13900139000", reason="骚扰"))


def _ban_ip(db):
    db.session.add(BanEntry(kind="ip", value="127.0.0.1", reason="刷单"))


def _retire_category(db):
    db.session.scalars(select(Category).where(Category.code == "CSGL-ZDJY")).one().active = False


REFUSALS = [
    # (changes to the letter, files, config, db setup, where the message is, the message)
    pytest.param(
        {},
        [(HTML_PAYLOAD, "photo.jpg")],
        {},
        None,
        "attachments",
        lambda: gettext(NOT_A_MEDIA_FILE, name="photo.jpg"),
        id="html-named-jpg",
    ),
    pytest.param(
        {},
        [(png_bytes(), "ok.png"), (EXE_PAYLOAD, "语音.amr")],
        {},
        None,
        "attachments",
        lambda: gettext(NOT_A_MEDIA_FILE, name="语音.amr"),
        id="exe-named-amr-after-a-good-photo",
    ),
    pytest.param(
        {},
        [(PDF_PAYLOAD, "照片.png")],
        {},
        None,
        "attachments",
        lambda: gettext(NOT_A_MEDIA_FILE, name="照片.png"),
        id="pdf-named-png",
    ),
    pytest.param(
        {},
        [("这是一段文字，不是照片".encode(), "photo.heic")],
        {},
        None,
        "attachments",
        lambda: gettext(NOT_A_MEDIA_FILE, name="photo.heic"),
        id="text-named-heic",
    ),
    pytest.param(
        {},
        [(b"", "empty.png")],
        {},
        None,
        "attachments",
        lambda: gettext("%(name)s is empty.", name="empty.png"),
        id="empty-file",
    ),
    pytest.param(
        {},
        [(png_bytes(), "small.png"), (wav_bytes(), "big.wav")],
        {"UPLOAD_MAX_FILE_BYTES": 1000},
        None,
        "attachments",
        lambda: gettext("%(name)s is larger than %(mb)s MB.", name="big.wav", mb=0.0),
        id="file-too-large",
    ),
    pytest.param(
        {},
        [(png_bytes(), "a.png"), (amr_bytes(), "b.amr")],
        {"UPLOAD_MAX_CASE_BYTES": len(png_bytes()) + len(amr_bytes()) - 1},
        None,
        "attachments",
        lambda: gettext("The attachments together are larger than %(mb)s MB.", mb=0.0),
        id="case-too-large",
    ),
    pytest.param(
        {},
        [(png_bytes(), "1.png"), (png_bytes(), "2.png"), (png_bytes(), "3.png")],
        {"UPLOAD_MAX_FILES": 2},
        None,
        "attachments",
        lambda: gettext("Attach at most %(count)s files.", count=2),
        id="too-many-files",
    ),
    pytest.param(
        {"title": ""},
        [(png_bytes(), "a.png")],
        {},
        None,
        "title",
        lambda: gettext("This field is required."),
        id="title-missing",
    ),
    pytest.param(
        {"content": "   "},
        [],
        {},
        None,
        "content",
        lambda: gettext("This field is required."),
        id="content-blank",
    ),
    pytest.param({"content": "太短了"}, [], {}, None, "content", None, id="content-too-short"),
    pytest.param(
        {"citizen_name": ""},
        [],
        {},
        None,
        "citizen_name",
        lambda: gettext("This mailbox takes real-name letters: enter your name."),
        id="real-name-without-name",
    ),
    pytest.param(
        {"citizen_phone": None},
        [],
        {},
        None,
        "citizen_phone",
        lambda: gettext("This mailbox takes real-name letters: enter your phone number."),
        id="real-name-without-phone",
    ),
    pytest.param(
        {"citizen_phone": "12345"},
        [],
        {},
        None,
        "citizen_phone",
        lambda: gettext("Enter an 11-digit mobile number or a landline with its area code."),
        id="bad-phone",
    ),
    pytest.param(
        {"people_involved": "0"},
        [],
        {},
        None,
        "people_involved",
        lambda: gettext("Enter a number from 1 to 100000."),
        id="people-zero",
    ),
    pytest.param({"request_type": "lawsuit"}, [], {}, None, "request_type", None, id="unknown-request-type"),
    pytest.param({}, [], {}, _retire_category, "category", None, id="category-not-active"),
    pytest.param(
        {"category": "__parent__"}, [], {}, None, "category", None, id="level-1-category-with-children"
    ),
    pytest.param(
        {"street": "SB"},
        [],
        {},
        None,
        "community",
        lambda: gettext("This community is not in the chosen street."),
        id="community-not-in-street",
    ),
    pytest.param(
        {"website": "http://cheap-pills.example"},
        [(png_bytes(), "a.png")],
        {},
        None,
        "refusal",
        lambda: gettext("The letter could not be accepted. Please try again, or call the hotline."),
        id="honeypot",
    ),
    pytest.param(
        {},
        [(png_bytes(), "a.png")],
        {},
        _ban_phone,
        "refusal",
        lambda: gettext(
            "Submissions from this phone number or network are not accepted. Please call the hotline."
        ),
        id="banned-phone",
    ),
    pytest.param(
        {"citizen_phone": "+86 139 0013 9000"},
        [],
        {},
        _ban_phone,
        "refusal",
        lambda: gettext(
            "Submissions from this phone number or network are not accepted. Please call the hotline."
        ),
        id="banned-phone-written-differently",
    ),
    pytest.param(
        {"citizen_phone": "１３９００１３９０００"},
        [],
        {},
        _ban_phone,
        "refusal",
        lambda: gettext(
            "Submissions from this phone number or network are not accepted. Please call the hotline."
        ),
        id="banned-phone-in-full-width-digits",
    ),
    pytest.param(
        {},
        [(png_bytes(), "a.png")],
        {},
        _ban_ip,
        "refusal",
        lambda: gettext(
            "Submissions from this phone number or network are not accepted. Please call the hotline."
        ),
        id="banned-ip",
    ),
]


@pytest.mark.parametrize("changes, parts, config, setup, where, message", REFUSALS)
def test_refused_letter_keeps_text_and_writes_nothing(
    app, client, db, mailbox, upload_dir, changes, parts, config, setup, where, message
):
    app.config.update(config)
    if setup is not None:
        setup(db)
        db.session.commit()
    changes = dict(changes)
    if changes.get("street"):
        changes["street"] = dept(changes["street"]).id
    if changes.get("category") == "__parent__":
        changes["category"] = category_id("CSGL")
    before = snapshot(db, upload_dir)
    data = letter(**changes)

    response = post(client, data, parts)

    html = response.get_data(as_text=True)
    page = parse_page(html)
    assert response.status_code == 400, response.headers.get("Location")
    if where == "refusal":
        assert page.by_id.get("form-refusal") == message()
        assert not page.errors
    else:
        assert "form-refusal" not in page.by_id
        assert page.errors.get(where), page.errors
        assert list(page.errors) == [where], page.errors
        if message is not None:
            assert page.errors[where] == [message()]
    assert_kept(page, data)
    assert snapshot(db, upload_dir) == before
    if parts and where != "attachments":
        # the browser drops chosen files on a re-rendered page: the citizen is told to choose them again
        assert (
            gettext("For your safety the browser does not keep chosen files: please choose them again.")
            in html
        )


# --- rate limits ------------------------------------------------------------------------------------


def test_rate_limit_per_ip(app, client, db, mailbox, upload_dir):
    app.config["SUBMIT_LIMIT_PER_IP"] = "2/hour"
    for phone in ("13900000001", "13900000002"):
        assert post(client, letter(citizen_phone=phone)).status_code == 302
    before = snapshot(db, upload_dir)
    data = letter(citizen_phone="13900000003")
    response = post(client, data, [(png_bytes(), "a.png")])
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400
    assert page.by_id["form-refusal"] == gettext(
        "Too many letters have been sent from here in a short time. Please try again later."
    )
    assert_kept(page, data)
    assert snapshot(db, upload_dir) == before
    # Another network is not affected.
    other = app.test_client()
    response = post(other, letter(citizen_phone="13900000003"), environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302
    assert snapshot(db, upload_dir)["cases"] == 3


def test_rate_limit_per_phone(app, client, db, mailbox, upload_dir):
    app.config["SUBMIT_LIMIT_PER_PHONE"] = "1/hour"
    assert post(client, letter(citizen_phone="139 0013 9000")).status_code == 302
    before = snapshot(db, upload_dir)
    other = app.test_client()
    elsewhere = {"REMOTE_ADDR": "198.51.100.8"}
    data = letter(citizen_phone="13900139000")  # the same number, typed differently, from another network
    response = post(other, data, [(png_bytes(), "a.png")], environ_base=elsewhere)
    page = parse_page(response.get_data(as_text=True))
    assert response.status_code == 400
    assert page.by_id["form-refusal"] == gettext(
        "Too many letters have been sent from here in a short time. Please try again later."
    )
    assert_kept(page, data)
    assert snapshot(db, upload_dir) == before
    # Another phone from there is fine.
    assert post(other, letter(citizen_phone="13700137000"), environ_base=elsewhere).status_code == 302


def test_full_width_digits_are_the_same_phone_for_the_limit_and_are_stored_in_ascii(app, client, db, mailbox):
    """Regression: ``\\d`` matched full-width digits, so １３９… passed validation as a different phone."""
    app.config["SUBMIT_LIMIT_PER_PHONE"] = "1/hour"
    assert post(client, letter(citizen_phone="１３９００１３９０００")).status_code == 302
    assert only_case(db).citizen_phone == "13900139000"
    other, elsewhere = app.test_client(), {"REMOTE_ADDR": "198.51.100.8"}
    response = post(other, letter(citizen_phone="13900139000"), environ_base=elsewhere)
    assert response.status_code == 400
    assert parse_page(response.get_data(as_text=True)).by_id["form-refusal"] == gettext(
        "Too many letters have been sent from here in a short time. Please try again later."
    )


def test_refused_letters_do_not_count_against_the_limit(app, client, db, mailbox):
    app.config["SUBMIT_LIMIT_PER_IP"] = "1/hour"
    for _ in range(3):
        assert post(client, letter(title="")).status_code == 400
    assert post(client, letter()).status_code == 302


# --- double submits ---------------------------------------------------------------------------------


def test_same_submission_posted_twice_makes_one_case(app, client, db, mailbox, upload_dir):
    data = letter()
    first = post(client, data, [(png_bytes(), "a.png")])
    second = post(client, data, [(png_bytes(), "a.png"), (amr_bytes(), "b.amr")])
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    case = only_case(db)
    assert len(case.attachments) == 1
    assert snapshot(db, upload_dir)["files"] == [case.attachments[0].stored_name]
    assert (
        parse_page(client.get(f"/m/{SLUG}/done").get_data(as_text=True)).by_id["case-number"] == case.number
    )
    # A retry that arrives through another connection (a proxy, a reloaded page) ends the same way.
    other = app.test_client()
    assert post(other, data).status_code == 302
    assert parse_page(other.get(f"/m/{SLUG}/done").get_data(as_text=True)).by_id["case-number"] == case.number
    assert snapshot(db, upload_dir)["cases"] == 1


def test_repeat_of_the_letter_that_reached_the_limit_still_ends_at_the_confirmation(app, client, db, mailbox):
    """Regression: the rate limits used to be checked before the submission key, refusing the repeat."""
    app.config["SUBMIT_LIMIT_PER_PHONE"] = "1/hour"
    data = letter()
    assert post(client, data).status_code == 302
    again = post(client, data)  # e.g. the browser re-sends after a time-out
    assert again.status_code == 302, parse_page(again.get_data(as_text=True)).by_id.get("form-refusal")
    case = only_case(db)
    assert (
        parse_page(client.get(f"/m/{SLUG}/done").get_data(as_text=True)).by_id["case-number"] == case.number
    )
    # while a new letter from that phone is still refused
    assert post(client, letter()).status_code == 400


def test_two_simultaneous_posts_of_one_submission_make_one_case(app, db, mailbox, upload_dir, monkeypatch):
    """Both requests pass the "already submitted?" check before either writes: the unique key decides."""
    barrier = threading.Barrier(2, timeout=15)

    def both_past_the_check(*texts):
        barrier.wait()
        return real_sensitive_words(*texts)

    lookups = []

    def existing_case(key):
        found = real_existing_case(key)
        lookups.append(found)
        return found

    monkeypatch.setattr("app.intake.submission.sensitive_words", both_past_the_check)
    monkeypatch.setattr("app.intake.submission.existing_case", existing_case)
    data = letter()
    clients = [app.test_client(), app.test_client()]
    responses: list = [None, None]
    errors: list = []

    def send(i):
        try:
            responses[i] = post(clients[i], data, [(png_bytes(), f"{i}.png"), (wav_bytes(), f"{i}.wav")])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert [r.status_code for r in responses] == [302, 302]
    case = only_case(db)
    assert len(case.attachments) == 2
    assert snapshot(db, upload_dir)["files"] == sorted(a.stored_name for a in case.attachments)
    assert snapshot(db, upload_dir)["events"] == 1
    # Both missed the first look-up; the loser's insert hit the unique key and found the winner's case.
    assert len(lookups) == 3 and lookups[:2] == [None, None] and lookups[2].id == case.id
    for c in clients:
        done = parse_page(c.get(f"/m/{SLUG}/done").get_data(as_text=True))
        assert done.by_id["tracking-code"] == case.tracking_code


# --- failures after files were written --------------------------------------------------------------


def test_failed_commit_leaves_no_files(app, client, db, mailbox, upload_dir, monkeypatch):
    before = snapshot(db, upload_dir)
    stored = []
    real_store = uploads.store

    def store_and_note(checked):
        stored.append(real_store(checked))
        return stored[-1]

    on_disk_at_commit = []

    def crash():
        on_disk_at_commit.extend(n for n in stored if (upload_dir / n).is_file())
        raise RuntimeError("database went away during commit")

    monkeypatch.setattr(uploads, "store", store_and_note)
    monkeypatch.setattr(db.session, "commit", crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = post(client, letter(), [(png_bytes(), "a.png"), (amr_bytes(), "b.amr")])
    monkeypatch.undo()
    assert response.status_code == 500
    assert len(stored) == 2 and on_disk_at_commit == stored  # the files were written before the commit
    assert snapshot(db, upload_dir) == before


def test_disk_full_on_second_file_leaves_no_files(app, client, db, mailbox, upload_dir, monkeypatch):
    before = snapshot(db, upload_dir)
    real_store = uploads.store
    written = []

    def second_fails(checked):
        if written:
            raise OSError(28, "No space left on device")
        written.append(real_store(checked))
        return written[-1]

    monkeypatch.setattr(uploads, "store", second_fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = post(client, letter(), [(png_bytes(), "a.png"), (amr_bytes(), "b.amr")])
    assert response.status_code == 500
    assert len(written) == 1
    assert snapshot(db, upload_dir) == before


# --- CSRF -------------------------------------------------------------------------------------------


def test_csrf_stale_or_missing_token_keeps_the_letter(app, client, db, mailbox, upload_dir):
    app.config["WTF_CSRF_ENABLED"] = True
    expired = gettext("The page was open too long. Check your letter and send it again.")
    token = parse_page(client.get(f"/m/{SLUG}").get_data(as_text=True)).values["csrf_token"]
    assert token
    before = snapshot(db, upload_dir)

    for bad in (None, "not-a-token", token[:-4] + "AAAA"):
        data = letter(csrf_token=bad)
        response = post(client, data, [(png_bytes(), "a.png")])
        page = parse_page(response.get_data(as_text=True))
        assert response.status_code == 400
        assert page.by_id["form-refusal"] == expired
        assert_kept(page, data)
        assert page.values["submission_key"] == data["submission_key"]
    assert snapshot(db, upload_dir) == before

    # A token that has expired for real.
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    old = parse_page(client.get(f"/m/{SLUG}").get_data(as_text=True)).values["csrf_token"]
    time.sleep(2.2)
    data = letter(csrf_token=old)
    page = parse_page(post(client, data).get_data(as_text=True))
    assert page.by_id["form-refusal"] == expired
    assert_kept(page, data)
    assert snapshot(db, upload_dir) == before

    # The re-rendered page carries a fresh token: sending it again works.
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    fresh = page.values["csrf_token"]
    response = post(client, {**data, "csrf_token": fresh}, [(png_bytes(), "a.png")])
    assert response.status_code == 302
    assert snapshot(db, upload_dir)["cases"] == 1


# --- malformed requests -----------------------------------------------------------------------------


def test_signalling_nan_amount_is_a_field_error(app, client, db, mailbox, upload_dir):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = snapshot(db, upload_dir)
    data = letter(money_involved="sNaN")
    response = post(client, data)
    assert response.status_code == 400
    page = parse_page(response.get_data(as_text=True))
    assert page.errors.get("money_involved")
    assert_kept(page, data)
    assert snapshot(db, upload_dir) == before


def raw_multipart(fields: dict, file_name: str, file_data: bytes) -> tuple[bytes, str]:
    """A multipart body as Chromium writes it: in a file name only CR, LF and '"' are escaped."""
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    safe = file_name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{safe}"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + file_data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("how", ["text-value", "file-name-ending-in-backslash"])
def test_attachments_that_are_not_files_are_not_a_server_error(app, client, db, mailbox, upload_dir, how):
    """Regression: a value under ``attachments`` that is not a file part used to crash the view (500).

    Chromium leaves a backslash in a file name unescaped; a name ending in one makes the part unreadable
    as a file for Werkzeug, so it arrives as a text field.
    """
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = snapshot(db, upload_dir)
    data = letter()
    if how == "text-value":
        response = client.post(f"/m/{SLUG}", data={**data, "attachments": "photo.png"})
    else:
        body, content_type = raw_multipart(data, "现场\\", png_bytes())
        response = client.post(f"/m/{SLUG}", data=body, content_type=content_type)
    assert response.status_code in (302, 400)
    after = snapshot(db, upload_dir)
    if after != before:  # accepted: one case, whose rows and files agree
        case = only_case(db)
        assert after["cases"] == 1 and after["events"] == 1
        assert after["files"] == sorted(a.stored_name for a in case.attachments)


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
@pytest.mark.parametrize("field", ["title", "content"])
def test_nul_character_in_text_is_not_a_server_error_on_postgresql(pg_app, field):
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    make_mailbox("pg-box", real_name_required=False)
    data = {"request_type": "consult", "title": "社保卡补办", "content": "请问社保卡丢了在哪里补办？谢谢。"}
    data[field] = data[field][:2] + "\x00" + data[field][2:]
    response = pg_app.test_client().post("/m/pg-box", data=data)
    assert response.status_code in (302, 400)
