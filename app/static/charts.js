/* Dashboard charts, drawn by the vendored Apache ECharts (static/vendor/echarts/echarts.min.js, loaded
   before this file) with its SVG renderer, so they stay crisp on screen and in print. Attached from this
   file so the Content-Security-Policy can forbid inline script (see app/headers.py); ECharts needs no eval.

   Every element with data-chart holds the chart as JSON:
     {"type": "line" | "bar" | "hbar" | "pie",
      "categories": ["一月", "二月", ...],              labels of the x axis (hbar: y axis; pie: slices)
      "series": [{"name": "办结率",
                  "data": [93.5, 88, ...],              numbers parallel to categories (null for a gap)
                  "target": 90}],                       optional: a dash-dotted grey line at that value
      "unit": "%",                                      optional suffix of every value ("%", "件", …)
      "links": ["/admin/case/?m=1", ...],               optional, parallel to categories: clicking that
                                                        bar, point or slice opens the link
      "title": "各月办结率"}                             optional: not drawn (the page has its heading), but
                                                        starts the text summary that screen readers get
   A pie draws the first series only. The element's height comes from the page's CSS (320 px when it has
   none). data-chart-empty on the element: the text shown instead when no series has a number.

   Read for red-green colour blindness: the Okabe–Ito palette, each line series with its own symbol and
   dash, bars and slices with decal patterns, values written on bars and slices. ECharts' aria gives the
   chart a text description (role="img"). Fonts are the system's Chinese fonts only (no web fonts).
   Phone widths: the legend sits at the bottom, long labels are rotated or cut short with "…". */
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];
  var SYMBOLS = ["circle", "rect", "triangle", "diamond", "pin", "roundRect", "arrow", "emptyCircle"];
  var DASHES = ["solid", "dashed", "dotted"];
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  var TEXT = "#333";
  var NARROW = 480; // px: below this the chart uses its phone layout
  var charts = [];

  function chinese() {
    var lang = (document.documentElement.getAttribute("lang") || "zh").toLowerCase();
    return lang.indexOf("en") !== 0;
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  function hasNumbers(spec) {
    return (spec.series || []).some(function (s) {
      return (s.data || []).some(isNumber);
    });
  }

  function formatter(unit) {
    return function (value) {
      if (value && typeof value === "object") {
        value = value.value;
      }
      if (!isNumber(value)) {
        return "-";
      }
      return String(Math.round(value * 100) / 100) + unit;
    };
  }

  function safeLink(url) {
    if (typeof url !== "string" || !url) {
      return null;
    }
    var parsed;
    try {
      parsed = new URL(url, window.location.href);
    } catch (error) {
      return null;
    }
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  }

  // Rough width of a label in px (CJK characters are square, others about 0.6 em): enough to choose
  // between straight and rotated axis labels and to count the legend's rows before ECharts draws.
  function textWidth(text, fontSize) {
    var width = 0;
    String(text).split("").forEach(function (ch) {
      width += ch.charCodeAt(0) > 0x2e7f ? fontSize : fontSize * 0.6;
    });
    return width;
  }

  var LEGEND_ROW = 24; // px: a legend icon (14) and the gap between rows (10)

  function legendRows(names, size) {
    var room = size.width - 16;
    var rows = 1;
    var used = 0;
    names.forEach(function (name) {
      var item = 28 + 5 + Math.min(textWidth(name, 12), size.legendText) + 10;
      if (used && used + item > room) {
        rows += 1;
        used = 0;
      }
      used += item;
    });
    return rows;
  }

  // A target is dark grey and dash-dotted, unlike any series line; its label names the series when
  // several series carry one.
  function targetLine(series, unit, horizontal, named) {
    var point = horizontal ? { xAxis: series.target } : { yAxis: series.target };
    var word = chinese() ? "目标 " : "Target ";
    return {
      silent: true,
      symbol: "none",
      lineStyle: { type: [8, 3, 2, 3], width: 1.5, color: "#444" },
      label: {
        // A vertical line (hbar) keeps its label level, above the plot (the category axis is inverse).
        position: horizontal ? "start" : "insideEndTop",
        color: TEXT,
        backgroundColor: "rgba(255, 255, 255, 0.85)",
        padding: [1, 3],
        formatter: (named && series.name ? series.name + " " : "") + word + formatter(unit)(series.target)
      },
      data: [point]
    };
  }

  function axisLabel(spec, size, horizontal) {
    if (horizontal) {
      return { color: TEXT, width: size.narrow ? 96 : 168, overflow: "truncate" };
    }
    var categories = spec.categories || [];
    var perLabel = (size.width - 60) / Math.max(categories.length, 1);
    var longest = 0;
    categories.forEach(function (name) {
      longest = Math.max(longest, textWidth(name, 12));
    });
    var rotate = longest + 8 > perLabel ? 40 : 0;
    return {
      color: TEXT,
      interval: 0,
      rotate: rotate,
      hideOverlap: true,
      width: rotate ? (size.narrow ? 64 : 96) : Math.max(perLabel - 4, 24),
      overflow: "truncate"
    };
  }

  // A line needs no zero: its value axis starts a little under the lowest value or target, on a round
  // number, so the changes show. Bars always start at zero (their length is the value).
  function lineMinimum(spec) {
    var values = [];
    (spec.series || []).forEach(function (s) {
      (s.data || []).forEach(function (v) {
        if (isNumber(v)) {
          values.push(v);
        }
      });
      if (isNumber(s.target)) {
        values.push(s.target);
      }
    });
    var low = Math.min.apply(null, values);
    var high = Math.max.apply(null, values);
    var span = high - low || Math.abs(high) || 1;
    var step = Math.pow(10, Math.floor(Math.log(span) / Math.LN10));
    var minimum = Math.floor((low - span * 0.2) / step) * step;
    return low >= 0 && minimum < 0 ? 0 : minimum;
  }

  function wholeNumbers(spec) {
    return (spec.series || []).every(function (s) {
      return (s.data || []).every(function (v) { return !isNumber(v) || Math.floor(v) === v; });
    });
  }

  function cartesian(spec, size) {
    var horizontal = spec.type === "hbar";
    var line = spec.type === "line";
    var unit = spec.unit || "";
    var narrow = size.narrow;
    var categoryAxis = {
      type: "category",
      data: spec.categories || [],
      boundaryGap: !line,
      axisTick: { alignWithLabel: true },
      axisLabel: axisLabel(spec, size, horizontal)
    };
    var valueAxis = {
      type: "value",
      axisLabel: { color: TEXT, formatter: formatter(unit), hideOverlap: true },
      splitLine: { lineStyle: { color: "#ddd" } }
    };
    if (line) {
      valueAxis.min = lineMinimum(spec);
    }
    if (wholeNumbers(spec)) {
      valueAxis.minInterval = 1; // counts of cases: no "0.2 件" ticks
    }
    if (horizontal) {
      categoryAxis.inverse = true; // the first category on top, as it is read
    }
    var targets = (spec.series || []).filter(function (s) { return isNumber(s.target); }).length;
    var series = (spec.series || []).map(function (s, i) {
      var out = {
        name: s.name,
        type: line ? "line" : "bar",
        data: s.data || [],
        cursor: spec.links ? "pointer" : "default"
      };
      if (line) {
        out.symbol = SYMBOLS[i % SYMBOLS.length];
        out.symbolSize = narrow ? 7 : 9;
        out.showAllSymbol = true;
        out.lineStyle = { width: 2.5, type: DASHES[i % DASHES.length] };
        out.connectNulls = false;
      } else {
        out.barMaxWidth = 48;
        out.itemStyle = { borderColor: "#fff", borderWidth: 1 };
        out.label = {
          show: true,
          position: horizontal ? "right" : "top",
          color: TEXT,
          fontSize: narrow ? 10 : 12,
          // On a phone the bars carry the bare number (the axis and the tooltip give the unit).
          formatter: formatter(narrow && unit !== "%" ? "" : unit)
        };
        out.labelLayout = { hideOverlap: true };
      }
      if (isNumber(s.target)) {
        out.markLine = targetLine(s, unit, horizontal, targets > 1);
      }
      return out;
    });
    var names = series.map(function (s) { return s.name || ""; });
    var legend = series.length > 1 ? legendRows(names, size) : 0;
    return {
      grid: {
        left: narrow ? 4 : 12,
        right: horizontal ? (narrow ? 40 : 52) : (narrow ? 12 : 24),
        top: 28,
        bottom: legend ? legend * LEGEND_ROW + 8 : 8,
        containLabel: true
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      tooltip: { trigger: "axis", axisPointer: { type: line ? "line" : "shadow" } },
      legend: { show: legend > 0, rows: legend },
      series: series
    };
  }

  function pie(spec, size) {
    var unit = spec.unit || "";
    var narrow = size.narrow;
    var first = (spec.series || [])[0] || { data: [] };
    var data = (spec.categories || []).map(function (name, i) {
      return { name: name, value: first.data[i] };
    });
    var rows = legendRows(spec.categories || [], size);
    var room = size.height - Math.min(rows, 3) * LEGEND_ROW - 8; // the height above the legend
    var outer = Math.max(Math.min(room * 0.36, size.width * (narrow ? 0.3 : 0.22)), 40);
    return {
      tooltip: { trigger: "item" },
      legend: { show: true, rows: rows },
      series: [{
        name: first.name,
        type: "pie",
        data: data,
        center: ["50%", Math.round(room / 2)],
        radius: [Math.round(outer * 0.5), Math.round(outer)],
        cursor: spec.links ? "pointer" : "default",
        avoidLabelOverlap: true,
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        label: {
          color: TEXT,
          fontSize: narrow ? 11 : 12,
          // On a phone the legend names the slices; the label keeps the share only.
          formatter: function (p) {
            var share = Math.round(p.percent) + "%";
            return narrow ? share : p.name + "\n" + formatter(unit)(p.value) + "（" + share + "）";
          },
          overflow: "truncate",
          width: narrow ? 48 : 120
        },
        labelLine: { length: narrow ? 6 : 12, length2: narrow ? 6 : 10 },
        emphasis: { scale: false }
      }]
    };
  }

  // The text screen readers get (ECharts' own summary counts series from 0 and reads category indexes
  // as values): title, kind, then each series with its values, its total share on a pie, and its target.
  function description(spec) {
    var zh = chinese();
    var unit = spec.unit || "";
    var format = formatter(unit);
    var kinds = zh ? { line: "折线图", bar: "柱状图", hbar: "条形图", pie: "饼图" }
                   : { line: "Line chart", bar: "Bar chart", hbar: "Bar chart", pie: "Pie chart" };
    var categories = spec.categories || [];
    var series = spec.type === "pie" ? (spec.series || []).slice(0, 1) : spec.series || [];
    var parts = [];
    if (spec.title) {
      parts.push(spec.title);
    }
    parts.push(kinds[spec.type] || kinds.bar);
    series.forEach(function (s) {
      var data = s.data || [];
      var total = 0;
      data.forEach(function (v) { total += isNumber(v) ? v : 0; });
      var values = categories.map(function (name, i) {
        var text = name + " " + (isNumber(data[i]) ? format(data[i]) : zh ? "无数据" : "no data");
        if (spec.type === "pie" && total > 0 && isNumber(data[i])) {
          text += (zh ? "（" : " (") + Math.round(data[i] / total * 100) + "%" + (zh ? "）" : ")");
        }
        return text;
      });
      var line = (s.name ? s.name + (zh ? "：" : ": ") : "") + values.join(zh ? "，" : ", ");
      if (isNumber(s.target)) {
        line += (zh ? "；目标 " : "; target ") + format(s.target);
      }
      parts.push(line);
    });
    return parts.join(zh ? "。" : ". ") + (zh ? "。" : ".");
  }

  function option(spec, width, height) {
    var narrow = width < NARROW;
    var size = { width: width, height: height, narrow: narrow, legendText: narrow ? 96 : 160 };
    var built = spec.type === "pie" ? pie(spec, size) : cartesian(spec, size);
    built.color = PALETTE;
    built.textStyle = { fontFamily: FONT, color: TEXT };
    built.animation = false; // printed and screen-read as drawn; nothing moves under the reader
    built.title = { show: false, text: spec.title || "" };
    built.aria = { enabled: true, decal: { show: true }, label: { description: description(spec) } };
    // Under the plot, wrapped on as many rows as it needs (paged past three rows).
    built.legend.type = built.legend.rows > 3 ? "scroll" : "plain";
    delete built.legend.rows;
    built.legend.bottom = 0;
    built.legend.left = "center";
    built.legend.textStyle = { color: TEXT, fontFamily: FONT, width: size.legendText, overflow: "truncate" };
    built.legend.itemWidth = 28;
    built.legend.itemHeight = 14;
    built.legend.itemGap = 10;
    built.tooltip.confine = true;
    built.tooltip.valueFormatter = formatter(spec.unit || "");
    built.tooltip.textStyle = { fontFamily: FONT };
    return built;
  }

  function showEmpty(element) {
    var box = document.createElement("p");
    box.className = "chart-empty text-muted";
    box.setAttribute("data-chart-empty-shown", "");
    box.textContent = element.getAttribute("data-chart-empty") || (chinese() ? "暂无数据" : "No data");
    element.textContent = "";
    element.appendChild(box);
  }

  function draw(element) {
    var spec;
    try {
      spec = JSON.parse(element.getAttribute("data-chart"));
    } catch (error) {
      window.console.error("data-chart is not JSON:", element, error);
      return;
    }
    if (!spec || !hasNumbers(spec) || !(spec.categories || []).length) {
      showEmpty(element);
      return;
    }
    if (!element.clientHeight) {
      element.style.height = "320px";
    }
    var chart = window.echarts.init(element, null, { renderer: "svg", locale: chinese() ? "ZH" : "EN" });
    var entry = { chart: chart, spec: spec, element: element };
    layout(entry);
    if (spec.links) {
      chart.on("click", function (params) {
        if (params.componentType !== "series") {
          return;
        }
        var url = safeLink(spec.links[params.dataIndex]);
        if (url) {
          window.location.assign(url);
        }
      });
    }
    charts.push(entry);
  }

  // The options depend on the width (phone layout, label rotation and widths): merged again on each
  // resize, which keeps what the reader chose in the legend.
  function layout(entry) {
    entry.chart.setOption(option(entry.spec, entry.element.clientWidth, entry.element.clientHeight));
    entry.chart.resize();
  }

  var pending = false;
  function resizeAll() {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (entry) {
        if (!entry.chart.isDisposed()) {
          layout(entry);
        }
      });
    });
  }

  function start() {
    if (!window.echarts) {
      return; // the page did not load echarts.min.js: its tables still show the numbers
    }
    document.querySelectorAll("[data-chart]").forEach(draw);
    window.addEventListener("resize", resizeAll);
    window.addEventListener("beforeprint", function () {
      charts.forEach(layout); // drawn again at the paper's width, synchronously
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
