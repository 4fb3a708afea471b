/* Chinese for the script widgets Flask-Admin bundles with English built in, loaded on Chinese pages only
   (templates/admin/flask_admin_base.html), after moment and select2 and before daterangepicker and form.js:
   - moment (2.9): month and weekday names, weeks from Monday; the date pickers take their calendar from it;
   - daterangepicker (1.3): the button and range labels, given to every picker Flask-Admin creates;
   - select2 (3.5): the search messages, and Flask-Admin's own "Enter comma separated values" hint. */
(function ($, moment) {
  "use strict";

  if (moment && moment.locale) {
    moment.locale("zh-cn", {
      months: "一月_二月_三月_四月_五月_六月_七月_八月_九月_十月_十一月_十二月".split("_"),
      monthsShort: "1月_2月_3月_4月_5月_6月_7月_8月_9月_10月_11月_12月".split("_"),
      weekdays: "星期日_星期一_星期二_星期三_星期四_星期五_星期六".split("_"),
      weekdaysShort: "周日_周一_周二_周三_周四_周五_周六".split("_"),
      weekdaysMin: "日_一_二_三_四_五_六".split("_"),
      meridiem: function (hour) {
        return hour < 12 ? "上午" : "下午";
      },
      week: { dow: 1, doy: 4 }
    });
  }

  var RANGE_LOCALE = {
    applyLabel: "确定",
    cancelLabel: "取消",
    fromLabel: "从",
    toLabel: "至",
    weekLabel: "周",
    customRangeLabel: "自定义"
  };

  // form.js announces itself once daterangepicker.js has loaded, before it builds any picker.
  $(document).on("adminFormReady", function () {
    var original = $.fn.daterangepicker;
    if (!original || original.suqiuChinese) {
      return;
    }
    var wrapped = function (options, callback) {
      options = $.extend({}, options);
      options.locale = $.extend({}, RANGE_LOCALE, options.locale);
      return original.call(this, options, callback);
    };
    wrapped.suqiuChinese = true;
    $.fn.daterangepicker = wrapped;
  });

  if ($.fn.select2) {
    $.extend($.fn.select2.defaults, {
      formatMatches: function (matches) {
        return matches === 1 ? "有 1 项结果，按回车键选择。" : "有 " + matches + " 项结果，用上下方向键浏览。";
      },
      formatNoMatches: function () {
        return "没有找到匹配项";
      },
      formatAjaxError: function () {
        return "加载失败";
      },
      formatInputTooShort: function (input, min) {
        return "请再输入 " + (min - input.length) + " 个字符";
      },
      formatInputTooLong: function (input, max) {
        return "请删掉 " + (input.length - max) + " 个字符";
      },
      formatSelectionTooBig: function (limit) {
        return "最多只能选择 " + limit + " 项";
      },
      formatLoadMore: function () {
        return "正在加载更多结果…";
      },
      formatSearching: function () {
        return "搜索中…";
      }
    });
    var select2 = $.fn.select2;
    var chineseSelect2 = function (options) {
      if (options && options.tags && typeof options.formatNoMatches === "function") {
        options.formatNoMatches = function () {
          return "可输入多个值，用逗号分隔";
        };
      }
      return select2.apply(this, arguments);
    };
    $.extend(chineseSelect2, select2);
    $.fn.select2 = chineseSelect2;
  }
})(window.jQuery, window.moment);
