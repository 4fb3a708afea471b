"""The dashboard charts (app/static/charts.js on the vendored ECharts) in Chromium, under a
Content-Security-Policy without inline script or eval, offline.

The page is served by Playwright itself (``page.route``): a fake origin http://charts.test/ answers with
a small dashboard carrying the CSP header and the two script files read from app/static/, and every other
request is refused and remembered, so a chart that wanted a CDN or a web font would fail here. No app
code is involved. Screenshots at desk and phone size land in /tmp/chart_shots/ (CHART_SHOTS overrides).

Counting the drawn marks reads the SVG that ECharts 5's renderer writes: bars and slices are paths in the
series colour with no transform, line symbols are paths placed by a ``matrix(…)`` transform, legend icons
are placed by ``translate(…)``, and each bar or slice has a decal overlay filled with a ``url(#…)`` pattern.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
SHOTS = Path(os.environ.get("CHART_SHOTS", "/tmp/chart_shots"))
ORIGIN = "http://charts.test"
CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:"
BLUE, ORANGE, GREEN = "#0072B2", "#E69F00", "#009E73"  # the first Okabe–Ito colours, in charts.js's order

MONTHS = [f"{m}月" for m in range(1, 13)]
LINE = {
    "type": "line",
    "title": "各月办结率",
    "categories": MONTHS,
    "series": [
        {"name": "办结率", "data": [91, 93.5, 88, 90, 95, 96, 92, 89, 94, 97, 95, 96], "target": 90},
        {"name": "按时办结率", "data": [85, 87, 80, None, 88, 90, 86, 84, 89, 92, 90, 91]},
    ],
    "unit": "%",
}
BAR = {
    "type": "bar",
    "title": "各月受理与办结",
    "categories": MONTHS[:6],
    "series": [
        {"name": "受理", "data": [120, 98, 143, 160, 151, 170]},
        {"name": "办结", "data": [110, 95, 130, 150, 149, 161]},
    ],
    "unit": "件",
    "links": [f"/cases?month={m}" for m in range(1, 7)],
}
DEPARTMENTS = [
    "区城市管理综合行政执法局",
    "区住房和城乡建设局",
    "区交通运输局",
    "区生态环境分局",
    "区市场监督管理局",
    "区人力资源和社会保障局",
    "街道办事处",
    "区卫生健康委员会",
]
HBAR = {
    "type": "hbar",
    "title": "各单位诉求量",
    "categories": DEPARTMENTS,
    "series": [{"name": "诉求量", "data": [86, 64, 51, 40, 33, 27, 21, 12], "target": 50}],
    "unit": "件",
}
PIE = {
    "type": "pie",
    "title": "诉求来源",
    "categories": ["12345热线", "网站留言", "微信公众号", "书记信箱", "来访"],
    "series": [{"name": "来源", "data": [420, 180, 150, 90, 60]}],
    "unit": "件",
    "links": [f"/cases?source={s}" for s in ("hotline", "web", "wechat", "mailbox", "visit")],
}
EMPTY = {"type": "bar", "categories": MONTHS[:3], "series": [{"name": "受理", "data": []}], "unit": "件"}
EMPTY_TEXT = "本期暂无诉求"

CHARTS = {"line": LINE, "bar": BAR, "hbar": HBAR, "pie": PIE}


def chart_div(name: str, spec: dict, extra: str = "") -> str:
    data = json.dumps(spec, ensure_ascii=False).replace("&", "&amp;").replace("'", "&#39;")
    title = spec.get("title", "空图表")
    return f'<section><h2>{title}</h2><div class="chart" id="{name}" data-chart=\'{data}\'{extra}></div></section>'


DASHBOARD = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>领导驾驶舱</title>
<style>
  body {{ margin: 0; padding: 12px; font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }}
  h1 {{ font-size: 20px; margin: 0 0 12px; }}
  h2 {{ font-size: 16px; margin: 0 0 8px; }}
  .grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 16px; }}
  section {{ border: 1px solid #ddd; border-radius: 4px; padding: 12px; min-width: 0; }}
  .chart {{ height: 320px; }}
  #hbar {{ height: 380px; }}
  #empty {{ height: auto; }}
</style>
</head>
<body>
<h1>诉求办理情况</h1>
<div class="grid">
{chart_div("line", LINE)}
{chart_div("bar", BAR)}
{chart_div("hbar", HBAR)}
{chart_div("pie", PIE)}
{chart_div("empty", EMPTY, f' data-chart-empty="{EMPTY_TEXT}"')}
</div>
<script src="/static/vendor/echarts/echarts.min.js"></script>
<script src="/static/charts.js"></script>
</body>
</html>
"""

# The negative control: the same policy must stop an inline script, or "no violations" proves nothing.
INLINE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>
<script>window.inlineRan = true;</script></body></html>"""

TARGET = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body><p>诉求列表</p></body></html>'
)

PAGES = {"/": DASHBOARD, "/inline": INLINE, "/cases": TARGET}

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


class Site:
    """What the fake origin served and what the page reported."""

    def __init__(self, page):
        self.page = page
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.csp: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.add_init_script(WATCH)
        page.route("**/*", self._answer)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)
        elif message.type == "error":
            self.errors.append(message.text)

    def _answer(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            self.outside.append(url)
            route.abort()
            return
        headers = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
        if parts.path in PAGES:
            html = {**headers, "Content-Type": "text/html; charset=utf-8"}
            route.fulfill(status=200, body=PAGES[parts.path], headers=html)
        elif parts.path.startswith("/static/") and parts.path.endswith(".js"):
            file = (STATIC / parts.path.removeprefix("/static/")).resolve()
            if not file.is_relative_to(STATIC) or not file.is_file():
                route.fulfill(status=404, body="")
                return
            route.fulfill(
                status=200,
                body=file.read_bytes(),
                headers={**headers, "Content-Type": "text/javascript; charset=utf-8"},
            )
        else:
            route.fulfill(status=404, body="", headers=headers)

    def open(self, path: str = "/"):
        self.page.goto(ORIGIN + path)
        if path == "/":
            for name in CHARTS:
                self.page.locator(f"#{name} svg").wait_for()

    def clean(self):
        """No console error, no CSP violation (console or event), nothing asked of another host."""
        violations = self.page.evaluate("window.__violations || []")
        assert self.errors == [], self.errors
        assert self.csp == [] and violations == [], (self.csp, violations)
        assert self.outside == [], self.outside


@pytest.fixture
def site(page):
    return Site(page)


def marks(page, chart: str, colour: str) -> dict:
    """The drawn marks of one series colour in a chart: bars or slices, line symbols, legend icons."""
    return page.evaluate(
        """([id, colour]) => {
          const paths = [...document.querySelectorAll('#' + id + ' svg path')];
          const own = paths.filter(p => p.getAttribute('fill') === colour);
          const transform = p => p.getAttribute('transform') || '';
          return {
            shapes: own.filter(p => !p.hasAttribute('transform')).length,
            symbols: own.filter(p => transform(p).startsWith('matrix(')).length,
            legend: own.filter(p => transform(p).startsWith('translate(')).length,
            decals: paths.filter(p => !p.hasAttribute('transform')
                                      && (p.getAttribute('fill') || '').startsWith('url(#')).length,
          };
        }""",
        [chart, colour],
    )


def mark_point(page, chart: str, colour: str, index: int) -> dict:
    """A point inside the index-th bar or slice of that colour (inside its fill, not just its box)."""
    point = page.evaluate(
        """([id, colour, index]) => {
          const svg = document.querySelector('#' + id + ' svg');
          const path = [...svg.querySelectorAll('path')]
            .filter(p => p.getAttribute('fill') === colour && !p.hasAttribute('transform'))[index];
          const box = path.getBBox();
          const origin = svg.getBoundingClientRect();
          for (let fy = 0.5; fy < 1; fy += 0.1) {
            for (const f of [0.5, 0.5 - fy / 2, 0.5 + fy / 2]) {
              for (const g of [fy, 1 - fy]) {
                const x = box.x + box.width * f, y = box.y + box.height * g;
                if (path.isPointInFill(new DOMPoint(x, y))) {
                  return {x: origin.left + x, y: origin.top + y};
                }
              }
            }
          }
          return null;
        }""",
        [chart, colour, index],
    )
    assert point, f"no point inside mark {index} of #{chart}"
    return point


def click_mark(page, chart: str, colour: str, index: int) -> None:
    point = mark_point(page, chart, colour, index)
    page.mouse.click(point["x"], point["y"])


def texts_outside(page) -> list[str]:
    """Chart texts that stick out of their chart's box (cut off or over the neighbour)."""
    return page.evaluate(
        """() => {
          const out = [];
          for (const chart of document.querySelectorAll('[data-chart]')) {
            const box = chart.getBoundingClientRect();
            for (const t of chart.querySelectorAll('svg text')) {
              const r = t.getBoundingClientRect();
              if (!r.width) continue;
              if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
                out.push(chart.id + ': ' + t.textContent);
              }
            }
          }
          return out;
        }"""
    )


def test_each_chart_type_draws_its_marks(site, page):
    site.open()
    line_first, line_second = marks(page, "line", BLUE), marks(page, "line", ORANGE)
    assert line_first["symbols"] == 12
    assert line_second["symbols"] == 11  # the missing month is a gap, not a zero
    assert line_first["legend"] and line_second["legend"]  # two series: a legend

    bar_first, bar_second = marks(page, "bar", BLUE), marks(page, "bar", ORANGE)
    assert bar_first["shapes"] == bar_second["shapes"] == 6
    assert bar_first["decals"] == 12  # a pattern over every bar

    hbar = marks(page, "hbar", BLUE)
    assert hbar["shapes"] == 8 and hbar["decals"] == 8
    assert hbar["legend"] == 0  # one series needs no legend

    pie = [marks(page, "pie", colour)["shapes"] for colour in (BLUE, ORANGE, GREEN)]
    assert pie == [1, 1, 1]
    assert marks(page, "pie", BLUE)["decals"] == 5

    # Values are written on the bars, the target is drawn and labelled.
    bar_texts = page.locator("#bar svg text").all_text_contents()
    assert "170件" in bar_texts and "161件" in bar_texts
    assert "目标 50件" in page.locator("#hbar svg text").all_text_contents()
    assert "目标 90%" in page.locator("#line svg text").all_text_contents()
    assert page.locator("#line svg path[stroke-dasharray]").count() >= 2  # the second line and the target

    # Screen readers get a summary in Chinese with the real values.
    assert page.get_attribute("#pie", "role") == "img"
    summary = page.get_attribute("#pie", "aria-label")
    assert summary.startswith("诉求来源。饼图。") and "12345热线 420件（47%）" in summary, summary
    assert "4月 无数据" in page.get_attribute("#line", "aria-label")

    # System Chinese fonts only.
    style = page.locator("#bar svg text").first.get_attribute("style")
    assert "Noto Sans CJK SC" in style and "Microsoft YaHei" in style, style
    site.clean()


def test_a_tooltip_gives_the_values_with_their_unit(site, page):
    site.open()
    point = mark_point(page, "bar", BLUE, 3)  # 4月's 受理 bar
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=5)
    tooltip = page.locator("#bar > div > div", has_text="受理")
    tooltip.wait_for()
    assert tooltip.inner_text().split() == ["4月", "受理", "160件", "办结", "150件"]
    assert "Noto Sans CJK SC" in tooltip.evaluate("el => getComputedStyle(el).fontFamily")
    site.clean()


def test_a_chart_with_links_opens_them_on_click(site, page):
    site.open()
    click_mark(page, "bar", ORANGE, 2)  # 三月's 办结 bar
    page.wait_for_url(f"{ORIGIN}/cases?month=3")
    site.open()
    click_mark(page, "pie", GREEN, 0)  # the 微信公众号 slice
    page.wait_for_url(f"{ORIGIN}/cases?source=wechat")
    page.locator("text=诉求列表").wait_for()
    site.clean()


def test_a_chart_without_links_stays_on_the_page(site, page):
    site.open()
    click_mark(page, "hbar", BLUE, 0)
    page.wait_for_timeout(300)
    assert page.url == f"{ORIGIN}/"
    site.clean()


def test_an_empty_chart_shows_its_text(site, page):
    site.open()
    empty = page.locator("#empty")
    assert empty.locator("svg").count() == 0
    assert empty.inner_text().strip() == EMPTY_TEXT
    assert empty.locator(f"text={EMPTY_TEXT}").is_visible()
    site.clean()


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 800, "desk"), (390, 844, "phone")])
def test_the_dashboard_fits_and_reads_at(site, page, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    site.open()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal overflow at {width}px"
    for chart in CHARTS:
        box = page.locator(f"#{chart}").bounding_box()
        svg = page.locator(f"#{chart} svg").bounding_box()
        assert svg["width"] <= box["width"] + 1 and box["x"] + box["width"] <= width
    assert texts_outside(page) == []
    # Values on the bars: with the unit at desk width, the bare number on a phone.
    assert ("170件" if width > 480 else "170") in page.locator("#bar svg text").all_text_contents()
    # The legend sits under the plot: its icons are below the lowest bar top of the chart.
    legend_y = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('#bar svg path[transform^="translate("]')]
                           .map(p => p.getBoundingClientRect().top))"""
    )
    bars_bottom = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('#bar svg path:not([transform])')]
                           .filter(p => p.getAttribute('fill') === '#0072B2')
                           .map(p => p.getBoundingClientRect().bottom))"""
    )
    assert legend_y > bars_bottom
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"charts-{name}-{width}x{height}.png"), full_page=True)
    site.clean()


def test_charts_follow_a_window_resize(site, page):
    page.set_viewport_size({"width": 1366, "height": 800})
    site.open()
    wide = page.locator("#bar svg").bounding_box()["width"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.querySelector('#bar svg').getBoundingClientRect().width < 390")
    narrow = page.locator("#bar svg").bounding_box()["width"]
    assert narrow < wide
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert texts_outside(page) == []
    # Back at desk width the pie writes its names again (the phone layout keeps shares only).
    page.set_viewport_size({"width": 1366, "height": 800})
    page.wait_for_function(
        "() => [...document.querySelectorAll('#pie svg text')].some(t => t.textContent.includes('12345热线'))"
    )
    site.clean()


def test_the_policy_really_blocks_inline_script(site, page):
    """The same CSP on a page with an inline script: it must not run, and the violation is seen."""
    site.open("/inline")
    page.wait_for_timeout(200)
    assert page.evaluate("window.inlineRan === undefined")
    assert site.csp or page.evaluate("window.__violations.length")
