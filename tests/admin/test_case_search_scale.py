"""The case list's text search through the bigram index: the content too, words of two characters and of
one, the order of the characters kept, the scope around it (list, count and export), masked roles."""

import io
import re

import openpyxl
import pytest

from models.enums import Status
from tests.support.factories import make_case

NUMBER = re.compile(r"SQ\d{8}-\d{6,}")
COUNT = re.compile(r"列表 \((\d+)\)")


@pytest.fixture
def cases(db):
    """Two cases about a leak, one in each of SA and SB, and one about noise in SA."""
    return {
        "sa": make_case(
            Status.DISPATCHED,
            lead="SA",
            title="楼上漏水",
            content="卫生间天花板渗水，联系电话13912345678。",
            citizen_name="王芳",
            address="幸福路8号",
        ),
        "sb": make_case(
            Status.DISPATCHED,
            lead="SB",
            title="漏水",
            content="厨房天花板渗水已经三天。",
            citizen_name="李四",
            address="和平街12号",
        ),
        "noise": make_case(
            Status.DISPATCHED, lead="SA", title="噪音扰民", content="工地夜间施工", citizen_name="王五"
        ),
    }


def page(client, search: str) -> str:
    response = client.get("/admin/case/", query_string={"search": search})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(client, search: str) -> set[str]:
    return set(NUMBER.findall(page(client, search)))


def test_words_in_title_content_name_and_address(client, login_as, cases):
    login_as("clerk")
    both = {cases["sa"].number, cases["sb"].number}
    assert listed(client, "漏水") == both
    assert listed(client, "天花板") == both  # the content is searched now
    assert listed(client, "卫生间") == {cases["sa"].number}
    assert listed(client, "王芳") == {cases["sa"].number}
    assert listed(client, "王") == {cases["sa"].number, cases["noise"].number}  # one character: a prefix
    assert listed(client, "8号") == {cases["sa"].number}
    assert listed(client, "水漏") == set() and listed(client, "燃气") == set()
    assert listed(client, "漏水 卫生间") == {cases["sa"].number}  # every term must match


def test_the_scope_holds_for_the_list_its_count_and_the_export(client, login_as, cases):
    login_as("handler", "SA")
    html = page(client, "天花板")
    assert set(NUMBER.findall(html)) == {cases["sa"].number}  # SB's case matches but is not SA's
    assert COUNT.search(html).group(1) == "1"
    response = client.get("/admin/case/export/xlsx/", query_string={"search": "天花板"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert cases["sa"].number in cells and cases["sb"].number not in cells
    assert listed(client, "李四") == set() and listed(client, "和平街") == set()


def test_masked_roles_search_no_digits_in_free_text(client, login_as, cases):
    login_as("leader")
    assert listed(client, "13912345678") == set() and listed(client, "电话139") == set()
    assert listed(client, "卫生间") == {cases["sa"].number}
    login_as("clerk")
    assert listed(client, "电话139") == {cases["sa"].number}
