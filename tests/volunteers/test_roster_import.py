"""平安员 roster: import preview, all-or-nothing confirm, csv encodings, xlsx round trip, masking, scoping."""

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.validators import ID_CHECK_CHARS
from app.validators import ID_WEIGHTS
from app.volunteers.roster import files
from app.volunteers.roster.rules import parse_date
from models.audit import ConfigChange
from models.org import Department
from models.volunteer import Volunteer
from tests.support.factories import dept

HEADER_ZH = ["姓名", "手机号", "身份证号", "群体", "社区", "加入日期", "状态", "巡查区域", "备注"]
HEADER_EN = [
    "Name",
    "Phone",
    "ID number",
    "Group",
    "Community",
    "Joined on",
    "Status",
    "Patrol area",
    "Notes",
]
ROW_RE = re.compile(r'<tr class="import-row" data-row="(\d+)" data-kind="(\w+)">(.*?)</tr>', re.S)


@pytest.fixture
def app_config(tmp_path):
    return {"ROSTER_IMPORT_FOLDER": str(tmp_path / "roster_imports")}


def pid(serial: int, birth: str = "19900101") -> str:
    """A valid 18-character resident ID number (GB 11643 check character)."""
    body = f"440306{birth}{serial:03d}"
    return body + ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def add_volunteer(db, name, phone, community="CA", id_number=None, **fields) -> Volunteer:
    volunteer = Volunteer(
        name=name,
        phone=phone,
        group=fields.pop("group", "grid_worker"),
        community=dept(community) if isinstance(community, str) else community,
        joined_on=fields.pop("joined_on", date(2025, 1, 1)),
        id_number=id_number,
        **fields,
    )
    db.session.add(volunteer)
    db.session.commit()
    return volunteer


def csv_file(rows, header=HEADER_ZH, encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(rows, header=HEADER_ZH, title=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name="roster.csv"):
    return client.post(
        "/admin/volunteer/import/",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def preview(client, data: bytes, name="roster.csv"):
    """Upload and open the preview; returns (preview url, html, {row number: (kind, row html)})."""
    response = upload(client, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = client.get(response.location).get_data(as_text=True)
    rows = {int(number): (kind, body) for number, kind, body in ROW_RE.findall(html)}
    return response.location, html, rows


def fingerprint(html: str) -> str:
    match = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', html) or re.search(
        r'value="([0-9a-f]{64})"[^>]*name="fingerprint"', html
    )
    assert match, "the preview has no confirm form"
    return match.group(1)


def confirm(client, url: str, html: str | None = None, value: str | None = None):
    return client.post(url + "confirm/", data={"fingerprint": value or fingerprint(html)})


def count(html: str, kind: str) -> int:
    return int(re.search(rf'id="count-{kind}">(\d+)<', html).group(1))


def counts(html: str) -> tuple[int, int, int, int]:
    """Added, updated, unchanged and rejected, as the preview says."""
    return tuple(count(html, kind) for kind in ("added", "updated", "unchanged", "rejected"))


def names(db) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(Volunteer.name)))


def import_audits(db) -> list[ConfigChange]:
    return db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "volunteer_import")).all()


@pytest.fixture
def clerk(client, login_as):
    user = login_as("clerk")
    client.get("/lang/en")
    return user


# --- preview and confirm -----------------------------------------------------------------------------


def test_preview_classifies_rows_with_row_numbers_and_writes_nothing(client, db, clerk):
    add_volunteer(db, "老王", "13700000001", id_number=pid(1))
    add_volunteer(db, "老李", "13700000002", id_number=pid(2), patrol_area="1栋")
    data = csv_file(
        [
            ["新人甲", "13800000001", pid(10), "网格员", "甲一社区", "2025-03-01", "", "", ""],
            ["老王", "13811112222", pid(1), "grid_worker", "甲一社区", "", "", "", ""],  # new phone
            ["坏电话", "12345", pid(11), "网格员", "甲一社区", "", "", "", ""],
            ["无社区", "13800000003", pid(12), "网格员", "不存在社区", "", "", "", ""],
            ["重复一", "13800000004", pid(13), "网格员", "甲一社区", "", "", "", ""],
            ["重复二", "13800000005", pid(13), "网格员", "甲一社区", "", "", "", ""],
            ["老李", "13700000002", pid(2), "Grid worker", "甲街道/甲一社区", "2025-01-01", "在岗", "", ""],
            ["", "13800000006", pid(14).lower(), "不知道", "甲一社区", "2025-02-30", "休假", "", ""],
        ]
    )
    before = names(db)
    url, html, rows = preview(client, data)
    assert {number: kind for number, (kind, _body) in rows.items()} == {
        2: "added",
        3: "updated",
        4: "rejected",
        5: "rejected",
        6: "rejected",
        7: "rejected",
        9: "rejected",
    }  # row 8 is unchanged: counted, not listed
    assert counts(html) == (1, 1, 1, 5)
    assert "Phone 12345 is not a mobile number" in rows[4][1]
    assert "Community 不存在社区 was not found." in rows[5][1]
    assert "The same ID number is on row(s) 7." in rows[6][1]
    assert "The same ID number is on row(s) 6." in rows[7][1]
    for reason in (
        "Name is missing.",
        "Group 不知道 is unknown.",
        "Status 休假 is unknown.",
        "Joined date 2025-02-30",
    ):
        assert reason in rows[9][1]
    assert 'data-field="phone"' in rows[3][1] and "13811112222" in rows[3][1]
    assert 'id="confirm-form"' not in html and 'id="import-blocked"' in html
    assert names(db) == before and not import_audits(db)


def test_confirm_is_refused_while_any_row_is_rejected(client, db, clerk):
    url, html, _rows = preview(
        client,
        csv_file(
            [
                ["好人", "13800000001", pid(10), "网格员", "甲一社区", "", "", "", ""],
                ["坏电话", "138", "", "网格员", "甲一社区", "", "", "", ""],
            ]
        ),
    )
    response = confirm(client, url, value="0" * 64)
    assert response.status_code == 302 and response.location.endswith(url)
    page = client.get(response.location).get_data(as_text=True)
    assert "fix the rejected rows" in page
    assert "好人" not in names(db) and not import_audits(db)


def test_clean_file_is_written_in_one_go_with_an_audit_record(client, db, clerk):
    old = add_volunteer(db, "老王", "13700000001", id_number=pid(1), notes="原备注")
    url, html, _rows = preview(
        client,
        csv_file(
            [
                ["新人甲", "13800000001", pid(10), "网格员", "甲一社区", "2025-03-01", "", "3栋", ""],
                ["新人乙", "13800000002", "", "楼栋长", "甲一社区", "", "暂停", "", "夜班"],
                ["老王", "13700000009", pid(1), "网格员", "甲一社区", "", "left", "", ""],
            ]
        ),
    )
    assert counts(html) == (2, 1, 0, 0)
    response = confirm(client, url, html)
    assert response.status_code == 302 and response.location.endswith("/admin/volunteer/")
    db.session.expire_all()
    new_a = db.session.scalar(select(Volunteer).where(Volunteer.id_number == pid(10)))
    assert (new_a.name, new_a.phone, new_a.group, new_a.community.code) == (
        "新人甲",
        "13800000001",
        "grid_worker",
        "CA",
    )
    assert (new_a.joined_on, new_a.status, new_a.patrol_area) == (date(2025, 3, 1), "active", "3栋")
    new_b = db.session.scalar(select(Volunteer).where(Volunteer.name == "新人乙"))
    assert new_b.id_number is None and new_b.status == "suspended" and new_b.group == "building_head"
    assert len(new_a.link_token) == 43 and new_b.link_token is None  # active newcomers can report at once
    old = db.session.get(Volunteer, old.id)
    assert (old.phone, old.status, old.notes) == (
        "13700000009",
        "left",
        "原备注",
    )  # empty cell kept the notes
    (audit,) = import_audits(db)
    assert audit.after["added"] == 2 and audit.after["updated"] == 1 and audit.actor_id == clerk.id
    # the kept rows are gone: the same confirm cannot run twice
    again = confirm(client, url, html)
    assert again.location.endswith("/admin/volunteer/import/")
    assert len(db.session.scalars(select(Volunteer).where(Volunteer.name == "新人甲")).all()) == 1


def test_a_roster_change_between_preview_and_confirm_writes_nothing(client, db, clerk):
    url, html, _rows = preview(
        client,
        csv_file(
            [
                ["新人甲", "13800000001", pid(10), "网格员", "甲一社区", "", "", "", ""],
                ["新人乙", "13800000002", pid(11), "网格员", "甲一社区", "", "", "", ""],
            ]
        ),
    )
    add_volunteer(db, "别人先登记了", "13900000000", id_number=pid(11))  # the same ID number, meanwhile
    response = confirm(client, url, html)
    assert response.status_code == 302 and response.location.endswith(url)
    assert "新人甲" not in names(db) and not import_audits(db)
    page = client.get(url).get_data(as_text=True)
    assert "The roster changed since the preview" in page
    assert count(page, "updated") == 1 and count(page, "added") == 1


def test_a_failure_while_saving_rolls_back_every_row(client, db, clerk, app):
    url, html, _rows = preview(
        client,
        csv_file(
            [
                [f"新人{i}", f"1380000000{i}", pid(10 + i), "网格员", "甲一社区", "", "", "", ""]
                for i in range(3)
            ]
        ),
    )
    community_id, fired = dept("CA").id, []

    def race(session, flush_context, instances):
        """Another worker commits the third ID number just before the import's INSERTs reach the database."""
        if fired or not any(isinstance(obj, Volunteer) for obj in session.new):
            return
        fired.append(True)
        with db.engine.begin() as other:
            other.execute(
                text(
                    'INSERT INTO volunteer (name, phone, "group", community_id, joined_on, status, id_number) '
                    "VALUES ('抢先', '13900000000', 'resident', :c, '2025-01-01', 'active', :i)"
                ),
                {"c": community_id, "i": pid(12)},
            )

    event.listen(Session, "before_flush", race)
    try:
        response = confirm(client, url, html)
    finally:
        event.remove(Session, "before_flush", race)
    assert fired and response.status_code == 302 and response.location.endswith(url)
    assert names(db) & {"新人0", "新人1", "新人2"} == set()
    assert "抢先" in names(db) and not import_audits(db)
    assert "changed by someone else while saving" in client.get(url).get_data(as_text=True)


# --- file formats --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8_with_or_without_bom(client, db, clerk, encoding):
    data = csv_file(
        [["张三丰", "138 0013 8000", pid(10), "社区五老", "甲一社区", "2025年3月1日", "正常", "", "东门"]],
        encoding=encoding,
    )
    url, html, rows = preview(client, data)
    assert rows[2][0] == "added" and "张三丰" in rows[2][1] and "东门" in rows[2][1]
    assert "2025-03-01" in rows[2][1] and "13800138000" in rows[2][1]
    confirm(client, url, html)
    assert db.session.scalar(select(Volunteer.group).where(Volunteer.name == "张三丰")) == "five_elders"


def test_xlsx_with_english_headers_a_title_row_and_blank_rows_keeps_spreadsheet_row_numbers(client, clerk):
    data = xlsx_file(
        [
            ["Amy", 13800000001, pid(10), "grid_worker", "甲一社区", date(2025, 3, 1), "active", None, None],
            [None] * 9,
            ["Bob", "13800000002", pid(11), "grid_worker", "无此社区", None, None, None, None],
        ],
        header=HEADER_EN,
        title="甲街道平安员名册",
    )
    _url, html, rows = preview(client, data, "roster.xlsx")
    assert rows[3][0] == "added" and "13800000001" in rows[3][1] and "2025-03-01" in rows[3][1]
    assert rows[5][0] == "rejected" and "无此社区" in rows[5][1]


def test_export_then_import_is_unchanged_for_admin(client, db, login_as):
    add_volunteer(db, "甲", "13700000001", id_number=pid(1), patrol_area="1-3栋", notes='=HYPERLINK("x")')
    add_volunteer(db, "乙", "13700000002", id_number=pid(9).lower())  # stored with a small x
    add_volunteer(db, "丙", "13700000003", group="five_elders", status="suspended")
    streets = [dept("SA"), dept("SB")]
    twins = [Department(code=f"XC{s.code}", name="新村社区", kind="community", parent=s) for s in streets]
    db.session.add_all(twins)
    db.session.commit()
    # the name alone is ambiguous, so it is exported as 乙街道/新村社区
    add_volunteer(db, "丁", "13700000004", twins[1])
    login_as("admin")
    response = client.get("/admin/volunteer/export/xlsx/")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER_ZH
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["甲"][2] == pid(1)  # admins see the whole ID number
    assert by_name["丁"][4] == "乙街道/新村社区" and by_name["甲"][4] == "甲一社区"
    notes_cell = next(c for c in sheet["I"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert notes_cell.data_type == "s"  # text, not a formula
    _url, html, _rows = preview(client, response.data, "export.xlsx")
    assert counts(html) == (0, 0, 4, 0)


def test_supervisor_export_masks_the_id_number_and_still_reimports_unchanged(client, db, login_as):
    add_volunteer(db, "甲", "13700000001", id_number=pid(1))
    login_as("supervisor")
    response = client.get("/admin/volunteer/export/xlsx/")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert pid(1) not in str(rows) and rows[1][2] == pid(1)[:3] + "*" * 11 + pid(1)[-4:]
    _url, html, _rows = preview(client, response.data, "export.xlsx")
    assert counts(html) == (0, 0, 1, 0)
    # a masked number that is not this volunteer's is refused, never written
    other = rows[1][:2] + ("440" + "*" * 11 + "0000",) + rows[1][3:]
    _url, html, found = preview(client, xlsx_file([list(other)]), "x.xlsx")
    assert found[2][0] == "rejected" and "不符" in found[2][1]


def test_export_follows_the_list_filters(client, db, login_as):
    add_volunteer(db, "网格甲", "13700000001", group="grid_worker")
    add_volunteer(db, "楼长乙", "13700000002", group="building_head")
    login_as("supervisor")
    response = client.get("/admin/volunteer/export/xlsx/?flt0_group_equals=building_head")
    values = str(
        list(openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    )
    assert "楼长乙" in values and "网格甲" not in values


def test_template_has_the_header_and_an_example_row_that_cannot_be_imported_as_is(client, clerk):
    response = client.get("/admin/volunteer/import/template/")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER_EN and len(rows) == 2 and rows[1][4] == "甲一社区"
    assert len(workbook.worksheets) == 2
    _url, _html, found = preview(client, response.data, "template.xlsx")
    assert found[2][0] == "rejected" and "example row" in found[2][1]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Old .xls files"),
        (b"PK\x03\x04garbage" * 10, "damaged"),
        (b"\x00\x01\x02\x03binary", "neither an Excel workbook"),
        ("名字,电话号码\n张三,1\n".encode(), "No header row found"),
        ("姓名,手机号\n张三,13800000000\n".encode(), "Required columns are missing"),
        ("姓名,手机号,群体,社区\n".encode(), "no volunteer rows"),
        ("姓名,姓名,手机号,群体,社区\n".encode(), "appears twice"),
    ],
)
def test_broken_files_are_refused_with_a_reason(client, clerk, app, data, message):
    response = upload(client, data)
    assert response.status_code == 200
    assert message in re.search(
        r'id="import-error"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S
    ).group(1)
    assert not list(Path(app.config["ROSTER_IMPORT_FOLDER"]).glob("*.json"))


def test_a_docx_is_not_an_excel_workbook(client, clerk):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not an Excel workbook" in upload(client, buffer.getvalue(), "a.xlsx").get_data(as_text=True)


def test_size_and_row_limits(client, clerk, app):
    app.config.update(ROSTER_IMPORT_MAX_ROWS=2)
    rows = [[f"人{i}", f"1380000000{i}", "", "网格员", "甲一社区", "", "", "", ""] for i in range(3)]
    assert "more than 2 rows" in upload(client, csv_file(rows)).get_data(as_text=True)
    assert upload(client, csv_file(rows[:2])).status_code == 302
    app.config.update(ROSTER_IMPORT_MAX_BYTES=1024 * 1024)
    big = csv_file(rows[:1]) + b"," * (1024 * 1024)
    assert "larger than 1 MB" in upload(client, big).get_data(as_text=True)


# --- limits on the work of reading a file ------------------------------------------------------------
# An xlsx is a zip: a file far below the upload limit can declare 200,000 rows, a row of 16,000 cells or
# a 100 MB text. These files are written part by part (openpyxl would not write them), in a moment.

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
ROSTER_HEADER = ("姓名", "手机号", "群体", "社区")
ROSTER_ROW = ("张三", "13800000001", "网格员", "甲一社区")


def inline_row(number: int, texts, first_column: str = "A") -> str:
    """A ``<row>`` of inline-text cells from ``first_column`` on (the cells after the first follow on)."""
    cells = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in texts)
    first = f'<c r="{first_column}{number}" '
    return f'<row r="{number}">{cells.replace("<c ", first, 1)}</row>'


def raw_xlsx(rows, shared_strings=(), parts=()) -> bytes:
    """A minimal workbook: one sheet of ``rows`` (``<row>`` strings), the sharedStrings part written from
    ``shared_strings`` (byte chunks) if any, and extra ``parts`` as (name, text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = [("xl/workbook.xml", "sheet.main+xml"), ("xl/worksheets/sheet1.xml", "worksheet+xml")]
        relationships = [("worksheet", "worksheets/sheet1.xml")]
        if shared_strings:
            overrides.append(("xl/sharedStrings.xml", "sharedStrings+xml"))
            relationships.append(("sharedStrings", "sharedStrings.xml"))
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="/{name}" ContentType="{SHEET_TYPE}.{kind}"/>'
                for name, kind in overrides
            )
            + "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE_NS}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIP_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{SPREADSHEET_NS}" xmlns:r="{RELATIONSHIP_NS}"><sheets>'
            '<sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE_NS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{RELATIONSHIP_NS}/{kind}" Target="{target}"/>'
                for i, (kind, target) in enumerate(relationships, start=1)
            )
            + "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData>'.encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings:
            with archive.open("xl/sharedStrings.xml", "w") as part:
                for chunk in shared_strings:
                    part.write(chunk)
        for name, content in parts:
            archive.writestr(name, content)
    return buffer.getvalue()


def roster_rows(*more):
    """The header and one volunteer, then ``more`` rows."""
    return [inline_row(1, ROSTER_HEADER), inline_row(2, ROSTER_ROW), *more]


def refused(client, db, app, data: bytes, name: str = "roster.xlsx") -> str:
    """Upload ``data``; it must be refused with nothing kept or written. Returns the refusal message."""
    response = upload(client, data, name)
    assert response.status_code == 200
    assert not list(Path(app.config["ROSTER_IMPORT_FOLDER"]).glob("*.json"))
    assert "张三" not in names(db)
    return re.search(r'id="import-error"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S).group(1)


def row_limit(app) -> int:
    return files.HEADER_SEARCH_ROWS + app.config["ROSTER_IMPORT_MAX_ROWS"] + files.SPARE_ROWS


def test_the_raw_workbook_helper_makes_a_file_that_imports(client, clerk):
    _url, _html, rows = preview(client, raw_xlsx(roster_rows()), "roster.xlsx")
    assert rows[2][0] == "added" and "张三" in rows[2][1]


@pytest.mark.parametrize(
    "rows",
    [
        # 200,000 rows of one cell outside the roster's columns: each reads as an empty row
        lambda: (
            inline_row(n, ["x"], "Z") if n > 1 else inline_row(1, ROSTER_HEADER) for n in range(1, 200_002)
        ),
        # one row at the sheet's last line: openpyxl yields every empty row before it
        lambda: [inline_row(1, ROSTER_HEADER), inline_row(1_048_576, ["x"], "Z")],
    ],
    ids=["200000-rows", "row-1048576"],
)
def test_a_sheet_declaring_many_rows_is_refused_at_the_row_limit(client, db, clerk, app, rows):
    """Regression: every declared row was read (seconds, and memory for each) before the file was refused."""
    message = refused(client, db, app, raw_xlsx(rows()))
    assert f"more than {row_limit(app)} rows, counting empty ones" in message


def test_a_row_of_16000_cells_is_refused(client, db, clerk, app):
    """Regression: openpyxl parses every cell of a row, however few of them the import reads."""
    data = raw_xlsx(roster_rows(inline_row(3, ROSTER_ROW + ("x",) * 16_000)))
    assert f"more than {files.MAX_ROW_CELLS} cells" in refused(client, db, app, data)


@pytest.mark.parametrize(
    "megabytes, message",
    [
        (100, f"unpacks to more than {files.MAX_PART_BYTES // files.MB} MB"),
        (30, f"compressed more than {files.MAX_COMPRESSION_RATIO}-fold"),
    ],
)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, db, clerk, app, megabytes, message):
    """Regression: a shared-strings part of one text of 30 or 100 MB, compressed to a few dozen KB, was
    unpacked and loaded whole (+200 MB)."""

    def bomb():
        yield f'<sst xmlns="{SPREADSHEET_NS}" count="1" uniqueCount="1"><si><t>'.encode()
        for _ in range(megabytes):
            yield b"a" * files.MB
        yield b"</t></si></sst>"

    data = raw_xlsx(roster_rows(), shared_strings=bomb())
    assert len(data) < 200 * 1024
    assert message in refused(client, db, app, data)


def test_the_header_is_looked_for_in_the_first_rows_only(client, db, clerk, app):
    rows = [inline_row(n, [f"第{n}行说明"]) for n in range(1, 12)]
    rows += [inline_row(12, ROSTER_HEADER), inline_row(13, ROSTER_ROW)]
    message = refused(client, db, app, raw_xlsx(rows))
    assert f"No header row found in the first {files.HEADER_SEARCH_ROWS} rows" in message


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_reading_stops_when_the_time_allowed_is_up(client, db, clerk, app, monkeypatch, kind):
    monkeypatch.setattr(files, "READ_SECONDS", -1)  # already over: the first check refuses
    data = raw_xlsx(roster_rows()) if kind == "xlsx" else csv_file([ROSTER_ROW], header=ROSTER_HEADER)
    assert "Reading the file took more than -1 seconds" in refused(client, db, app, data, f"roster.{kind}")


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            {"parts": [(f"customXml/item{i}.xml", "<item/>") for i in range(files.MAX_PARTS)]},
            f"more than {files.MAX_PARTS} parts",
        ),
        (
            {
                "shared_strings": [
                    f'<sst xmlns="{SPREADSHEET_NS}">'.encode(),
                    "".join(f"<si><t>{i}</t></si>" for i in range(files.MAX_SHARED_STRINGS + 1)).encode(),
                    b"</sst>",
                ]
            },
            f"more than {files.MAX_SHARED_STRINGS} different texts",
        ),
        (
            {
                "parts": [
                    (
                        "xl/styles.xml",
                        f'<styleSheet xmlns="{SPREADSHEET_NS}"><cellXfs>'
                        + "".join(f'<xf numFmtId="{i}"/>' for i in range(files.MAX_OTHER_ELEMENTS))
                        + "</cellXfs></styleSheet>",
                    )
                ]
            },
            f"too much formatting or too many drawings (more than {files.MAX_OTHER_ELEMENTS} items)",
        ),
        (  # a sheet-sized part where openpyxl reads the style sheet, whole, into memory
            {
                "parts": [
                    (
                        "xl/styles.xml",
                        f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData>'
                        + "".join(inline_row(n, ROSTER_ROW) for n in range(1, 1001))
                        + "</sheetData></worksheet>",
                    )
                ]
            },
            "damaged",
        ),
    ],
    ids=["parts", "texts", "styles", "sheet-as-styles"],
)
def test_parts_openpyxl_loads_whole_are_counted_first(client, db, clerk, app, extra, message):
    """Regression: openpyxl loads the parts list, the whole shared-strings table and the whole style sheet
    before a single row is read; these files were accepted after seconds and tens of MB."""
    assert message in refused(client, db, app, raw_xlsx(roster_rows(), **extra))


def test_csv_rows_and_cells_are_capped_too(client, db, clerk, app):
    wide = csv_file([ROSTER_ROW + ("",) * files.MAX_ROW_CELLS], header=ROSTER_HEADER)
    assert f"more than {files.MAX_ROW_CELLS} cells" in refused(client, db, app, wide, "roster.csv")
    blank_lines = ",".join(ROSTER_HEADER).encode() + b"\n" * row_limit(app) + ",".join(ROSTER_ROW).encode()
    message = refused(client, db, app, blank_lines, "roster.csv")
    assert f"more than {row_limit(app)} rows, counting empty ones" in message


def test_the_kept_upload_belongs_to_its_user(client, db, login_as):
    login_as("clerk")
    url, _html, _rows = preview(
        client, csv_file([["甲", "13800000001", "", "网格员", "甲一社区", "", "", "", ""]])
    )
    login_as("supervisor")
    response = client.get(url)
    assert response.status_code == 302 and response.location.endswith("/admin/volunteer/import/")
    assert client.post(url + "confirm/", data={"fingerprint": "x"}).location.endswith(
        "/admin/volunteer/import/"
    )
    assert "甲" not in names(db)


def test_the_kept_upload_expires(client, db, clerk, app):
    url, _html, _rows = preview(
        client, csv_file([["甲", "13800000001", "", "网格员", "甲一社区", "", "", "", ""]])
    )
    app.config.update(ROSTER_IMPORT_TTL_SECONDS=-1)
    response = client.get(url, follow_redirects=True)
    assert (
        "expired" in response.get_data(as_text=True) and response.request.path == "/admin/volunteer/import/"
    )


def test_excel_unicode_text_is_read(client, clerk):
    lines = [
        "\t".join(HEADER_ZH),
        "\t".join(["王五", "13800000001", pid(10), "网格员", "甲一社区", "", "", "", ""]),
    ]
    _url, _html, rows = preview(client, "\r\n".join(lines).encode("utf-16"), "roster.txt")
    assert rows[2][0] == "added" and "王五" in rows[2][1]


def test_parse_date_accepts_office_formats():
    assert parse_date("2025-03-01") == parse_date("2025/3/1") == parse_date("2025.3.1") == date(2025, 3, 1)
    assert (
        parse_date("2025年3月1日")
        == parse_date("20250301")
        == parse_date("2025-03-01 00:00:00")
        == date(2025, 3, 1)
    )
    assert parse_date("45717", numeric=True) == date(2025, 3, 1)
    assert parse_date("45717") is None and parse_date("2025-13-01") is None and parse_date("明天") is None


# --- masking -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, full", [("admin", True), ("supervisor", False), ("clerk", False)])
def test_id_number_is_masked_except_for_admins(client, db, login_as, role, full):
    volunteer = add_volunteer(db, "甲", "13700000001", id_number=pid(1))
    masked = pid(1)[:3] + "*" * 11 + pid(1)[-4:]
    login_as(role)
    for url in ("/admin/volunteer/", f"/admin/volunteer/details/?id={volunteer.id}"):
        html = client.get(url).get_data(as_text=True)
        assert (pid(1) in html) is full and (masked in html) is not full
    edit = client.get(f"/admin/volunteer/edit/?id={volunteer.id}").get_data(as_text=True)
    assert (pid(1) in edit) is full


def test_clerk_edit_keeps_the_hidden_id_number(client, db, login_as):
    volunteer = add_volunteer(db, "甲", "13700000001", id_number=pid(1))
    login_as("clerk")
    response = client.post(
        f"/admin/volunteer/edit/?id={volunteer.id}",
        data={
            "name": "甲改",
            "phone": "13700000009",
            "group": "grid_worker",
            "community": dept("CA").id,
            "joined_on": "2025-01-01",
            "status": "active",
            "id_number": pid(2),  # not in the clerk's form: ignored
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, volunteer.id)
    assert (volunteer.name, volunteer.phone, volunteer.id_number) == ("甲改", "13700000009", pid(1))


def test_create_form_checks_the_id_number(client, db, login_as):
    add_volunteer(db, "甲", "13700000001", id_number=pid(1))
    login_as("clerk")
    client.get("/lang/en")
    form = {"name": "乙", "phone": "13700000002", "group": "grid_worker", "community": dept("CA").id}
    form.update({"joined_on": "2025-01-01", "status": "active"})
    bad = client.post("/admin/volunteer/new/", data={**form, "id_number": pid(2)[:-1] + "0"})
    assert "valid 18-character" in bad.get_data(as_text=True)
    taken = client.post("/admin/volunteer/new/", data={**form, "id_number": pid(1)}, follow_redirects=True)
    assert "already on the roster" in taken.get_data(as_text=True)
    ok = client.post("/admin/volunteer/new/", data={**form, "id_number": pid(3)[:-1] + pid(3)[-1].lower()})
    assert ok.status_code == 302
    assert db.session.scalar(select(Volunteer.id_number).where(Volunteer.name == "乙")) == pid(3)


def test_form_changes_are_in_the_audit_trail_with_numbers_masked(client, db, login_as):
    login_as("clerk")
    form = {"name": "丙", "phone": "13700000003", "group": "grid_worker", "community": dept("CA").id}
    form.update({"joined_on": "2025-01-01", "status": "active", "id_number": pid(4)})
    assert client.post("/admin/volunteer/new/", data=form).status_code == 302
    volunteer_id = db.session.scalar(select(Volunteer.id).where(Volunteer.name == "丙"))
    changed = {**form, "status": "suspended", "notes": "外出务工半年"}
    del changed["id_number"]  # a clerk's edit form has no ID number (it is stored masked for them)
    assert client.post(f"/admin/volunteer/edit/?id={volunteer_id}", data=changed).status_code == 302
    login_as("admin")
    assert client.post("/admin/volunteer/delete/", data={"id": volunteer_id}).status_code == 302
    rows = db.session.scalars(
        select(ConfigChange).where(ConfigChange.entity == "volunteer").order_by(ConfigChange.id)
    ).all()
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[0].after["id_number"] == pid(4)[:3] + "*" * 11 + pid(4)[-4:]
    assert pid(4) not in str([(r.before, r.after) for r in rows])
    assert rows[0].after["phone"] == "137****0003"
    assert (rows[1].before["status"], rows[1].after["status"]) == ("active", "suspended")
    assert rows[1].after["notes"] == "外出务工半年" and rows[2].after is None
    assert db.session.get(Volunteer, volunteer_id) is None


# --- scoping -------------------------------------------------------------------------------------------


@pytest.fixture
def two_streets(db):
    """Volunteers in 甲一社区 and 甲二社区 (both under 甲街道) and in 乙一社区 (乙街道)."""
    second = Department(code="CA2", name="甲二社区", kind="community", parent=dept("SA"))
    db.session.add(second)
    db.session.commit()
    return {
        "ca": add_volunteer(db, "甲一平安员", "13700000001", "CA", id_number=pid(1)).id,
        "ca2": add_volunteer(db, "甲二平安员", "13700000002", second, id_number=pid(2)).id,
        "cb": add_volunteer(db, "乙一平安员", "13700000003", "CB", id_number=pid(3)).id,
    }


@pytest.mark.parametrize(
    "department, visible",
    [("SA", {"甲一平安员", "甲二平安员"}), ("CA", {"甲一平安员"}), ("SB", {"乙一平安员"})],
)
def test_street_and_community_handlers_see_their_own_volunteers(
    client, login_as, two_streets, department, visible
):
    login_as("handler", department)
    html = client.get("/admin/volunteer/").get_data(as_text=True)
    assert {name for name in ("甲一平安员", "甲二平安员", "乙一平安员") if name in html} == visible
    for key, volunteer_id in two_streets.items():
        response = client.get(f"/admin/volunteer/details/?id={volunteer_id}")
        assert response.status_code == (
            200 if {"ca": "甲一平安员", "ca2": "甲二平安员", "cb": "乙一平安员"}[key] in visible else 404
        )


def test_community_handler_cannot_open_or_change_a_sibling_community_volunteer(
    client, db, login_as, two_streets
):
    login_as("handler", "CA")
    assert client.get(f"/admin/volunteer/details/?id={two_streets['ca2']}").status_code == 404
    assert client.get(f"/admin/volunteer/edit/?id={two_streets['ca2']}").status_code in (403, 404)
    assert client.post("/admin/volunteer/delete/", data={"id": two_streets["ca2"]}).status_code in (403, 404)
    assert db.session.get(Volunteer, two_streets["ca2"]) is not None


def test_handler_imports_only_into_own_communities(client, db, login_as, two_streets):
    login_as("handler", "CA")
    client.get("/lang/en")
    url, html, rows = preview(
        client,
        csv_file(
            [
                ["新甲一", "13800000001", pid(10), "网格员", "甲一社区", "", "", "", ""],
                ["新乙一", "13800000002", pid(11), "网格员", "乙一社区", "", "", "", ""],
                ["新甲二", "13800000003", pid(12), "网格员", "甲二社区", "", "", "", ""],
                ["抢人", "13800000004", pid(3), "网格员", "甲一社区", "", "", "", ""],  # 乙一社区's volunteer
            ]
        ),
    )
    assert rows[2][0] == "added"
    assert rows[3][0] == "rejected" and "Community 乙一社区 is outside your area." in rows[3][1]
    assert rows[4][0] == "rejected" and "Community 甲二社区 is outside your area." in rows[4][1]
    assert rows[5][0] == "rejected" and "cannot be imported here; ask the district office" in rows[5][1]
    assert "outside your area" not in rows[5][1]  # nothing said of where the person is registered
    assert 'id="confirm-form"' not in html
    confirm(client, url, value="0" * 64)
    assert names(db) & {"新甲一", "新乙一", "新甲二", "抢人"} == set()
    assert db.session.get(Volunteer, two_streets["cb"]).community.code == "CB"
    url, html, _rows = preview(
        client, csv_file([["新甲一", "13800000001", pid(10), "网格员", "甲一社区", "", "", "", ""]])
    )
    assert confirm(client, url, html).status_code == 302
    assert db.session.scalar(select(Volunteer).where(Volunteer.name == "新甲一")).community.code == "CA"


def test_leaders_and_out_of_role_users_cannot_import(client, login_as):
    login_as("leader")
    assert client.get("/admin/volunteer/import/").status_code == 403
    assert client.get("/admin/volunteer/import/template/").status_code == 403
    assert 'id="roster-import"' not in client.get("/admin/volunteer/").get_data(as_text=True)
    login_as("clerk")
    assert 'id="roster-import"' in client.get("/admin/volunteer/").get_data(as_text=True)


def test_handler_cannot_export(client, login_as, two_streets):
    login_as("handler", "SA")
    assert client.get("/admin/volunteer/export/xlsx/").status_code == 403


def test_community_filter_works_and_offers_only_visible_communities(client, login_as, two_streets):
    login_as("admin")
    html = client.get(f"/admin/volunteer/?flt0_community_equals={dept('CB').id}").get_data(as_text=True)
    assert "乙一平安员" in html and "甲一平安员" not in html
    login_as("handler", "SA")
    html = client.get("/admin/volunteer/").get_data(as_text=True)
    offered = {
        name
        for name in ("甲一社区", "甲二社区", "乙一社区")
        if json.dumps(name)[1:-1] in html or f'"{name}"' in html
    }
    assert offered == {"甲一社区", "甲二社区"}
