"""Category dropdowns grouped by level-1 category in every form that picks one: Flask-Admin's model forms
(case intake and edit, deadline policies, 即接即办 scopes, reply templates) and the clue conversion form."""

import re

import pytest
from sqlalchemy import select

from admin_views.category_choices import category_groups
from admin_views.category_choices import category_select_choices
from models.org import Category
from models.wording import DirectAnswerScope
from tests.support.factories import make_clue
from tests.support.factories import make_volunteer


@pytest.fixture
def categories(app, db):
    """Two level-1 categories in the order 城乡建设, 城市管理 (by sort order, not by id), sub-categories out of
    id order, and a sub-category whose level-1 category is inactive."""
    by_code = {c.code: c for c in db.session.scalars(select(Category))}
    city, build = by_code["CSGL"], by_code["CXJS"]
    city.sort_order, build.sort_order = 2, 1
    by_code["CSGL-ZDJY"].sort_order = 2
    closed = Category(code="OLD", name="旧分类", active=False, sort_order=3)
    db.session.add_all(
        [
            Category(code="CSGL-LJ", name="垃圾清运", parent=city, sort_order=1),
            Category(code="CXJS-WJ", name="违法建设", parent=build, sort_order=1),
            Category(code="OLD-X", name="仍在用的子类", parent=closed),
            closed,
        ]
    )
    db.session.commit()
    return by_code


def groups(html: str, select_id: str) -> list[tuple[str, list[str]]]:
    """The optgroups of a select: (label, [option texts])."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", body))
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(1), re.S)
    ]


EXPECTED = [
    ("城乡建设", ["城乡建设（一级分类）", "违法建设"]),
    ("城市管理", ["城市管理（一级分类）", "垃圾清运", "占道经营"]),
    ("旧分类", ["仍在用的子类"]),
]


def test_groups_follow_the_sort_order_and_keep_orphans_under_their_parent(categories, db):
    active = db.session.scalars(select(Category).where(Category.active.is_(True))).all()
    assert [(top.name, [c.name for c in members]) for top, members in category_groups(active)] == [
        ("城乡建设", ["城乡建设", "违法建设"]),
        ("城市管理", ["城市管理", "垃圾清运", "占道经营"]),
        ("旧分类", ["仍在用的子类"]),
    ]
    choices = category_select_choices(blank="（交受理员）")
    assert (choices[0].value, choices[0].optgroup) == ("", None)
    assert [(c.optgroup, c.label) for c in choices[1:3]] == [
        ("城乡建设", "城乡建设（一级分类）"),
        ("城乡建设", "违法建设"),
    ]


def test_the_case_intake_form_groups_categories(categories, client, login_as):
    login_as("clerk")
    html = client.get("/admin/case/new/").get_data(as_text=True)
    assert groups(html, "category") == EXPECTED
    # The empty choice stays outside any group, first.
    select = re.search(r'<select[^>]*id="category"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.match(r'\s*<option[^>]*value="__None"[^>]*>[^<]+</option>\s*<optgroup', select)


def test_a_grouped_choice_saves_the_category(categories, client, db, login_as):
    login_as("admin")
    html = client.get("/admin/direct_answer_scope/new/").get_data(as_text=True)
    assert groups(html, "category")[1][0] == "城市管理"
    rubbish = db.session.scalar(select(Category).where(Category.code == "CSGL-LJ"))
    response = client.post(
        "/admin/direct_answer_scope/new/",
        data={"request_type": "", "category": str(rubbish.id), "active": "y"},
    )
    assert response.status_code == 302
    assert db.session.scalars(select(DirectAnswerScope)).all()[-1].category_id == rubbish.id


@pytest.mark.parametrize("url", ["/admin/deadline_policy/new/", "/admin/reply_template/new/"])
def test_other_category_pickers_are_grouped(categories, client, login_as, url):
    login_as("admin")
    assert groups(client.get(url).get_data(as_text=True), "category")[:2] == EXPECTED[:2]


def test_the_clue_conversion_form_groups_categories(categories, client, login_as):
    clue = make_clue(make_volunteer())
    login_as("clerk")
    html = client.get(f"/admin/clue/details/?id={clue.id}").get_data(as_text=True)
    assert groups(html, "convert-category") == EXPECTED
    select = re.search(r'<select[^>]*id="convert-category"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.match(r'\s*<option[^>]*value=""[^>]*>[^<]+</option>\s*<optgroup', select)  # "leave it", first


def test_the_parent_picker_of_a_category_stays_flat(categories, client, login_as):
    login_as("admin")
    html = client.get("/admin/category/new/").get_data(as_text=True)
    assert "<optgroup" not in re.search(r'<select[^>]*id="parent"[^>]*>(.*?)</select>', html, re.S).group(1)
