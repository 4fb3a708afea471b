"""``app/uploads.py``: the type comes from the bytes, limits per file and per case, atomic random-name storage."""

import hashlib
import os
import uuid
from pathlib import Path

import pytest
from flask_babel import gettext

from app.intake import uploads
from app.intake.uploads import UploadError
from tests.support.factories import amr_bytes
from tests.support.factories import heic_bytes
from tests.support.factories import jpeg_bytes
from tests.support.factories import m4a_bytes
from tests.support.factories import mp3_bytes
from tests.support.factories import png_bytes
from tests.support.factories import wav_bytes
from tests.support.factories import webp_bytes

NOT_MEDIA = "%(name)s is not a photo (JPEG, PNG, WebP, HEIC) or voice note (M4A, MP3, AMR, WAV)."


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "make, name, extension, kind, content_type, kept",
    [
        (jpeg_bytes, "document.pdf", "jpg", "image", "image/jpeg", "document.jpg"),
        (png_bytes, "photo.jpg", "png", "image", "image/png", "photo.png"),
        (webp_bytes, "IMG_2001.PNG", "webp", "image", "image/webp", "IMG_2001.webp"),
        (heic_bytes, "IMG_2002.JPG", "heic", "image", "image/heic", "IMG_2002.heic"),
        (m4a_bytes, "voice.mp3", "m4a", "audio", "audio/mp4", "voice.m4a"),
        # Android recorders write voice notes in a plain MP4 container ('isom' / 'mp42' brand)
        (
            lambda: b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
            "录音.m4a",
            "mp4",
            "audio",
            "audio/mp4",
            "录音.m4a",
        ),
        (mp3_bytes, "song.wav", "mp3", "audio", "audio/mpeg", "song.mp3"),
        (amr_bytes, "语音消息.m4a", "amr", "audio", "audio/amr", "语音消息.amr"),
        (wav_bytes, "recording", "wav", "audio", "audio/wav", "recording.wav"),
    ],
)
def test_type_is_read_from_the_bytes_not_the_name(app, make, name, extension, kind, content_type, kept):
    data = make()
    checked = uploads.inspect(name, data)
    assert (checked.extension, checked.kind, checked.content_type) == (extension, kind, content_type)
    assert checked.original_name == kept and checked.data == data and checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<!DOCTYPE html><html><script>fetch('/admin')</script></html>", "photo.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56, "voice.amr"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, "voice.wav"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "scan.jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 20, "anim.png"),  # an image, but not one we take
        (b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 40, "photos.heic"),
        ("只是一段文字".encode(), "note.mp3"),
        (b"#!AM", "short.amr"),  # a truncated magic number
    ],
)
def test_disguised_files_are_refused(app, data, name):
    with pytest.raises(UploadError) as refused:
        uploads.inspect(name, data)
    assert str(refused.value) == gettext(NOT_MEDIA, name=name)


def test_empty_file_is_refused(app):
    with pytest.raises(UploadError) as refused:
        uploads.inspect("empty.png", b"")
    assert str(refused.value) == gettext("%(name)s is empty.", name="empty.png")
    with pytest.raises(UploadError):  # a chosen file with no bytes is not silently dropped
        uploads.check_all([("empty.png", b"")])


def test_per_file_limit(app):
    data = wav_bytes()
    app.config["UPLOAD_MAX_FILE_BYTES"] = len(data)
    assert uploads.inspect("a.wav", data).size == len(data)  # exactly at the limit
    app.config["UPLOAD_MAX_FILE_BYTES"] = len(data) - 1
    with pytest.raises(UploadError) as refused:
        uploads.inspect("a.wav", data)
    assert str(refused.value) == gettext("%(name)s is larger than %(mb)s MB.", name="a.wav", mb=0.0)
    app.config["UPLOAD_MAX_FILE_BYTES"] = 3 * 1024 * 1024
    with pytest.raises(UploadError) as refused:
        uploads.inspect("big.png", png_bytes() + b"\x00" * (3 * 1024 * 1024))
    assert "3.0 MB" in str(refused.value)


def test_count_and_total_limits(app):
    photo, voice = png_bytes(), amr_bytes()
    app.config["UPLOAD_MAX_FILES"] = 2
    assert len(uploads.check_all([("a.png", photo), ("b.amr", voice)])) == 2
    with pytest.raises(UploadError) as refused:
        uploads.check_all([("a.png", photo), ("b.amr", voice), ("c.png", photo)])
    assert str(refused.value) == gettext("Attach at most %(count)s files.", count=2)
    # An empty file input (no name, no bytes) is no file at all.
    assert len(uploads.check_all([("a.png", photo), (None, b""), ("", b""), ("b.amr", voice)])) == 2

    app.config["UPLOAD_MAX_CASE_BYTES"] = len(photo) + len(voice)
    assert len(uploads.check_all([("a.png", photo), ("b.amr", voice)])) == 2
    app.config["UPLOAD_MAX_CASE_BYTES"] = len(photo) + len(voice) - 1
    with pytest.raises(UploadError) as refused:
        uploads.check_all([("a.png", photo), ("b.amr", voice)])
    assert str(refused.value) == gettext("The attachments together are larger than %(mb)s MB.", mb=0.0)


def test_one_bad_file_refuses_the_whole_set(app):
    with pytest.raises(UploadError) as refused:
        uploads.check_all([("a.png", png_bytes()), ("evil.jpg", b"<html></html>"), ("b.amr", amr_bytes())])
    assert "evil.jpg" in str(refused.value)


@pytest.mark.parametrize(
    "given, kept",
    [
        ("C:\\Users\\张三\\Pictures\\现场.png", "现场.png"),
        ("../../etc/passwd.png", "passwd.png"),
        ("/var/www/app/static/x.png", "x.png"),
        ("bad\x00name\r\n.png", "badname.png"),
        ("   ", "file.png"),
        (None, "file.png"),
        ("a" * 300 + ".png", ("a" * 300 + ".png")[-255:]),
    ],
)
def test_original_names_are_cleaned_for_display(app, given, kept):
    assert uploads.inspect(given, png_bytes()).original_name == kept


def polyglot() -> bytes:
    """A JPEG that is also an HTML page: the markup sits in a JPEG comment (COM) segment."""
    page = b"<html><body><script>fetch('/admin/user/')</script></body></html>"
    jpeg = jpeg_bytes()
    return jpeg[:20] + b"\xff\xfe" + (len(page) + 2).to_bytes(2, "big") + page + jpeg[20:]


def test_a_jpeg_named_html_is_kept_under_the_extension_of_its_type(app):
    """Regression: a JPEG/HTML polyglot sent as poly.html was kept, and downloaded, as poly.html."""
    checked = uploads.inspect("poly.html", polyglot())
    assert (checked.content_type, checked.original_name) == ("image/jpeg", "poly.jpg")


@pytest.mark.parametrize(
    "name, content_type, expected",
    [
        ("poly.html", "image/jpeg", "poly.jpg"),  # a wrong extension is replaced
        ("poly.jpg.html", "image/jpeg", "poly.jpg.jpg"),
        ("scan.svg", "image/png", "scan.png"),
        ("照片", "image/jpeg", "照片.jpg"),  # a missing one is added
        ("录音 1", "audio/mp4", "录音 1.m4a"),
        ("巡查 2024.05.01", "image/png", "巡查 2024.05.01.png"),  # digits after a dot are part of the name
        ("报告.文档", "image/png", "报告.文档.png"),
        ("poly.html.", "image/jpeg", "poly.html..jpg"),
        ("a.JPEG", "image/jpeg", "a.JPEG"),  # a matching one stays, in any case
        ("IMG_0420.HEIC", "image/heic", "IMG_0420.HEIC"),
        ("语音.mp4", "audio/mp4", "语音.mp4"),
        ("voice.m4a", "audio/wav", "voice.wav"),
        ("x.html", "text/html", "x.bin"),  # a type we never serve gets no extension that a browser runs
        ("a" * 255, "image/jpeg", "a" * 251 + ".jpg"),  # still fits the column
    ],
)
def test_download_name_ends_in_an_extension_of_the_type(app, name, content_type, expected):
    assert uploads.download_name(name, content_type) == expected


def test_store_writes_whole_file_under_a_random_name(app, folder, monkeypatch):
    checked = uploads.inspect("现场照片.jpg", png_bytes())  # a PNG named .jpg
    seen_before_rename = []
    real_replace = os.replace

    def observe_replace(src, dst):
        # At the moment of the rename the whole file is in the hidden partial file, and the final
        # name does not exist yet: nobody can read a half-written attachment.
        seen_before_rename.append((Path(src).name, Path(src).read_bytes(), Path(dst).exists()))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", observe_replace)
    first = uploads.store(checked)
    second = uploads.store(checked)
    monkeypatch.undo()

    assert first != second
    for name in (first, second):
        stem, extension = name.rsplit(".", 1)
        assert extension == "png"  # from the bytes, not from the citizen's name
        assert uuid.UUID(hex=stem).hex == stem
        assert (folder / name).read_bytes() == checked.data
    assert listing(folder) == sorted([first, second])  # no partial files left
    assert [(src, data, exists) for src, data, exists in seen_before_rename] == [
        (f".{first}.part", checked.data, False),
        (f".{second}.part", checked.data, False),
    ]
    assert uploads.path_of(first) == folder / first


def test_upload_folder_is_created_on_demand(app, tmp_path):
    target = tmp_path / "deep" / "er" / "uploads"
    app.config["UPLOAD_FOLDER"] = str(target)
    name = uploads.store(uploads.inspect("a.amr", amr_bytes()))
    assert (target / name).is_file()
    assert app.static_folder not in str(target / name)


def test_store_that_fails_midway_leaves_nothing(app, folder, monkeypatch):
    """Regression: a failed write (disk full) used to leave its hidden partial file behind."""
    checked = uploads.inspect("a.png", png_bytes())

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        uploads.store(checked)
    monkeypatch.undo()
    assert listing(folder) == []


def test_discard_removes_and_tolerates_missing_files(app, folder):
    kept = uploads.store(uploads.inspect("keep.png", png_bytes()))
    gone = [
        uploads.store(uploads.inspect("x.wav", wav_bytes())),
        uploads.store(uploads.inspect("y.amr", amr_bytes())),
    ]
    uploads.discard(gone + ["0" * 32 + ".png"])  # one of them never existed
    assert listing(folder) == [kept]
    uploads.discard(gone)  # again: no error
    assert listing(folder) == [kept]


@pytest.mark.parametrize("name", ["../x", "../../etc/passwd", "a/b", "a\\b", "..\\x", ".hidden", ".", ".."])
def test_path_of_refuses_names_that_are_not_ours(app, name):
    with pytest.raises(FileNotFoundError):
        uploads.path_of(name)


def test_discard_never_touches_files_outside_the_folder(app, folder, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not an upload")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".hidden").write_text("x")
    uploads.discard(["../secret.txt", str(outside), ".hidden"])
    assert outside.read_text() == "not an upload"
    assert (folder / ".hidden").exists()
