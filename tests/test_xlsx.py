"""The xlsx writer: several sheets, bold headers, every string a text cell (never a formula)."""

import io

import openpyxl

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
