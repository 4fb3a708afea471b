"""Staff running the volunteer programme in a real browser (CSRF on): a roster import refused for a bad row
and then confirmed, and a clue converted into a case."""

import pytest

from app.extensions import db
from models.case import Case
from models.enums import ClueStatus
from models.volunteer import Clue
from models.volunteer import Volunteer
from tests.support.browser import log_in
from tests.support.factories import make_clue
from tests.support.factories import make_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HEADER = "姓名,手机号,身份证号,群体,社区,加入日期,状态,巡查区域,备注"
GOOD = "林木森,13911112222,440311198506121234,网格员,甲一社区,2025-03-01,在册,幸福小区1-3栋,"
BAD_PHONE = "林水清,1391111,,楼栋长,甲一社区,2025-03-01,在册,,"


def _upload(tab, server, path) -> None:
    tab.goto(server("/admin/volunteer/import/"))
    tab.set_input_files("#file", str(path))
    with tab.expect_navigation():
        tab.locator("#import-form button[type=submit]").click()


def test_clerk_imports_the_roster_after_fixing_a_bad_row(live_server, page, tmp_path):  # noqa: F811
    server = live_server
    log_in(page, server, "clerk")
    bad = tmp_path / "名册.csv"
    bad.write_text("\n".join([HEADER, GOOD, BAD_PHONE]) + "\n", encoding="utf-8-sig")
    _upload(page, server, bad)
    assert page.locator("#count-added").inner_text() == "1"
    assert page.locator("#count-rejected").inner_text() == "1"
    rejected = page.locator("#rows-rejected").inner_text()
    assert "3" in rejected and "手机" in rejected  # spreadsheet row 3, and why
    assert page.locator("#import-blocked").is_visible() and page.locator("#confirm-form").count() == 0
    with server.app.app_context():
        assert db.session.query(Volunteer).filter(Volunteer.name == "林木森").count() == 0
        db.session.remove()

    good = tmp_path / "名册-改.csv"
    good.write_text("\n".join([HEADER, GOOD, BAD_PHONE.replace("1391111", "13911113333")]) + "\n", "utf-8")
    _upload(page, server, good)
    assert page.locator("#count-added").inner_text() == "2"
    with page.expect_navigation():
        page.locator("#confirm-form button[type=submit]").click()
    assert page.url.startswith(server("/admin/volunteer/")), page.url
    listed = page.inner_text("body")
    assert "林木森" in listed and "林水清" in listed
    assert "440311198506121234" not in listed and "440" in listed  # a clerk sees ID numbers masked


def test_clerk_converts_a_clue_into_a_case(live_server, page):  # noqa: F811
    server = live_server
    with server.app.app_context():
        volunteer = make_volunteer("周平安", "CA", phone="13700007777")
        clue_id = make_clue(
            volunteer, place="甲一社区菜市场", description="两家摊主因摊位界线争吵，已推搡。"
        ).id
        db.session.remove()

    log_in(page, server, "clerk")
    page.goto(server(f"/admin/clue/details/?id={clue_id}"))
    page.locator("#open-convert").click()
    page.locator("#step-convert.collapse.show").wait_for()
    page.fill("#form-convert input[name$=title]", "菜市场摊主纠纷")
    with page.expect_navigation():
        page.locator("#form-convert button[type=submit]").click()
    with server.app.app_context():
        clue = db.session.get(Clue, clue_id)
        case = db.session.get(Case, clue.case_id)
        assert clue.status == ClueStatus.CONVERTED and case.channel == "volunteer"
        assert case.title == "菜市场摊主纠纷" and case.community.code == "CA"
        number = case.number
        db.session.remove()
    page.goto(server(f"/admin/clue/details/?id={clue_id}"))
    assert number in page.inner_text("body")
