"""The xlsx writer: several sheets, bold frozen headers, every string a text cell (never a formula), numbers
and Beijing times typed, columns sized from their content."""

import io
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import openpyxl

from app.xlsx import sheet_title
from app.xlsx import write_sheet
from app.xlsx import write_sheets


def test_several_sheets_with_text_that_looks_like_formulas():
    data = write_sheets(
        [
            ("排名表", ["单位", "得分"], [["=1+1", 60], ["+86 138", 62.5], ["@x", None]], [20, 8]),
            ("Red/black [list]?", ["单位"], [["-A1"]], [20]),
            ("排名表", ["x"], [], [5]),  # a second sheet of the same name
        ]
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["排名表", "Red black  list", "排名表 (2)"]
    first = book["排名表"]
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        ["单位", "得分"],
        ["=1+1", 60],
        ["+86 138", 62.5],
        ["@x", None],
    ]
    assert first["A2"].data_type == "s" and first["B2"].data_type == "n"
    assert first["A1"].font.bold and first.freeze_panes == "A2"
    assert book["Red black  list"]["A2"].data_type == "s"


def test_characters_an_xlsx_cannot_hold_are_dropped():
    book = openpyxl.load_workbook(io.BytesIO(write_sheet("t", ["a"], [["甲\x0b街道\x00"]], [10])))
    assert book["t"]["A2"].value == "甲街道"


def test_numbers_times_and_dates_keep_their_type_in_beijing_time():
    received = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 the next day in Beijing
    naive = datetime(2026, 12, 1, 1, 0)  # stored times without a zone are UTC
    data = write_sheet(
        "诉求", ["编号", "人数", "金额", "收件时间", "存储时间", "日期"],
        [["=1+1", 3, Decimal("1200.50"), received, naive, date(2026, 12, 2)]],
    )  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(data))["诉求"]
    number, people, money, when, stored, day = sheet[2]
    assert number.data_type == "s" and number.value == "=1+1"
    assert people.data_type == "n" and people.value == 3
    assert money.data_type == "n" and money.value == 1200.5
    assert when.is_date and when.value == datetime(2026, 12, 2, 0, 30) and "hh:mm" in when.number_format
    assert stored.value == datetime(2026, 12, 1, 9, 0)
    assert day.is_date and day.number_format == "yyyy-mm-dd" and day.value.date() == date(2026, 12, 2)
    assert sheet.freeze_panes == "A2"


def test_columns_are_sized_from_their_content_with_chinese_counted_double():
    rows = [["甲街道城管执法中队", "abc", "x" * 200, datetime(2026, 1, 1, tzinfo=UTC)]]
    sheet = openpyxl.load_workbook(io.BytesIO(write_sheet("t", ["单位", "code", "note", "时间"], rows)))["t"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["A"] == 2 * 9 + 2  # nine Chinese characters
    assert widths["B"] == 6  # the minimum
    assert widths["C"] == 60  # the maximum
    assert widths["D"] >= len("2026-01-01 00:00")


def test_sheet_names_keep_chinese_and_drop_what_excel_forbids():
    taken: set = set()
    assert sheet_title("督办台账:全部/未办结*", taken) == "督办台账 全部 未办结"
    assert len(sheet_title("很长的名字" * 10, taken)) == 31
