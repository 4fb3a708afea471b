"""Flask-Admin's script widgets speak Chinese in Chromium (the date-range picker, the dropdown search), and
the pages built for issue 16 work under the CSP: the ladder rows add and explain themselves, a click on a
day of the calendar grid changes it (with the page's real CSRF token)."""

import pytest

from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def watch(page) -> list[str]:
    """Script errors, CSP refusals and failed requests of our own (the browser's favicon.ico guess aside)."""
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon.ico" not in r.url else None
        ),
    )
    return problems


def test_the_date_range_picker_is_in_chinese(live_server, page):
    problems = watch(page)
    log_in(page, live_server, "admin")
    page.goto(live_server("/admin/calendar/?flt0_day_between=2026-10-01+to+2026-10-31"))
    page.locator("input.filter-val[name=flt0_day_between]").click()
    picker = page.locator(".daterangepicker").first
    picker.wait_for()
    text = picker.inner_text()
    assert "确定" in text and "取消" in text and "Apply" not in text and "Cancel" not in text
    headers = picker.locator(".calendar.left th").all_inner_texts()
    assert "一" in headers and "日" in headers and "Mo" not in headers
    assert headers.index("一") < headers.index("日")  # weeks start on Monday
    assert "10月" in picker.locator(".calendar.left select.monthselect").inner_text()
    assert problems == [], problems


def test_the_dropdown_search_is_in_chinese_and_grouped(live_server, page):
    problems = watch(page)
    log_in(page, live_server, "clerk")
    page.goto(live_server("/admin/case/new/"))
    page.locator("#s2id_category a").click()
    page.keyboard.type("不存在的分类")
    assert page.locator(".select2-drop-active .select2-no-results").inner_text() == "没有找到匹配项"
    page.keyboard.press("Escape")
    page.locator("#s2id_category a").click()
    page.keyboard.type("占道")
    drop = page.locator(".select2-drop-active")
    assert drop.locator(".select2-result-label").first.inner_text() == "城市管理"  # the group
    assert "占道经营" in drop.inner_text()
    assert problems == [], problems


def test_the_ladder_rows_add_and_explain_themselves(live_server, page):
    problems = watch(page)
    log_in(page, live_server, "admin")
    page.goto(live_server("/admin/deadline_policy/new/"))
    rows = page.locator("[data-ladder-row]")
    assert rows.count() == 3  # the standard ladder and a spare row
    add = page.locator("[data-ladder-add]")
    add.click()
    assert rows.count() == 4 and add.is_disabled()  # a level appears once: four rows at most
    page.select_option("select[name='ladder-3-step']", "escalate_leader")
    assert "包案领导" in rows.nth(3).locator("[data-ladder-audience]").inner_text()
    page.select_option("select[name='ladder-3-when']", "at")
    assert page.locator("input[name='ladder-3-amount']").is_disabled()
    assert problems == [], problems


def test_a_click_on_a_day_changes_it(live_server, page):
    problems = watch(page)
    log_in(page, live_server, "admin")
    page.goto(live_server("/admin/calendar/year/?year=2031"))
    day = page.locator("button[data-day='2031-03-10']")
    assert "cal-work" in day.get_attribute("class")
    page.locator("#calendar-click-settings input[value=rest]").check()
    page.fill("#name", "区里放假")
    day.click()
    page.wait_for_load_state()
    assert "已设为休息日" in page.inner_text("body")
    day = page.locator("button[data-day='2031-03-10']")
    assert "cal-holiday" in day.get_attribute("class") and "区里放假" in day.get_attribute("title")
    assert problems == [], problems


def test_the_calendar_grid_fits_a_phone(live_server, page):
    log_in(page, live_server, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server("/admin/calendar/year/?year=2031"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"the grid scrolls sideways on a phone ({width} px wide)"
