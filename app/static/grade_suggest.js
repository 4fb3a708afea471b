/* 分级建议 on the staff intake form (app/templates/admin/case/_grade_intake.html): as the clerk types the
   title, content, people and money involved (or picks the category), the grade the office's rules suggest is
   asked for (admin_views/cases/grade_hint.py) and shown under the grade field with its reasons. Until the
   clerk picks a grade, the suggested one is selected; a different choice is flagged: it needs a reason.
   The fields go in a POST body with the form's CSRF token; the answer is shown as text, never as HTML. */
(function () {
  "use strict";

  var source = document.getElementById("grade-hint-source");
  var grade = document.getElementById("grade");
  if (!source || !grade) {
    return;
  }
  var form = grade.form;
  var lookup = window.suqiuIntakeLookup(source.getAttribute("data-url"), form);
  var reasonInput = document.getElementById("grade_reason");
  var NAMES = ["title", "content", "people_involved", "money_involved", "category", "street", "community",
               "citizen_phone", "citizen_id_no"];
  var BADGES = { red: "badge-danger", yellow: "badge-warning", green: "badge-success" };
  var box = window.suqiuIntakeLookup.box("grade-hint-box", "small mb-2", grade);

  // a form shown again after a refusal, or with a reason typed, keeps the clerk's grade
  var chosen = Boolean(form.querySelector(".is-invalid, .has-error")) || Boolean(reasonInput && reasonInput.value.trim());
  var suggested = null;
  var settingOurselves = false;
  var timer = null;

  function fields() {
    var data = new URLSearchParams();
    NAMES.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input && typeof input.value === "string") {
        data.append(name, input.value);
      }
    });
    return data;
  }

  function line(text, className) {
    var div = document.createElement("div");
    if (className) {
      div.className = className;
    }
    div.textContent = text;
    return div;
  }

  function flagDifference() {
    var old = document.getElementById("grade-hint-differs");
    if (old) {
      old.remove();
    }
    if (suggested && grade.value && grade.value !== suggested) {
      var note = line(source.getAttribute("data-differs"), "text-danger");
      note.id = "grade-hint-differs";
      box.appendChild(note);
    }
  }

  function show(data) {
    box.textContent = "";
    suggested = data.grade;
    var head = document.createElement("div");
    head.appendChild(document.createTextNode(source.getAttribute("data-title") + " "));
    var badge = document.createElement("span");
    badge.className = "badge " + (BADGES[data.grade] || "badge-light");
    badge.textContent = data.label;
    head.appendChild(badge);
    box.appendChild(head);
    if (!data.reasons || !data.reasons.length) {
      box.appendChild(line(source.getAttribute("data-none"), "text-muted"));
    } else {
      var list = document.createElement("ul");
      list.className = "mb-0 pl-3";
      data.reasons.forEach(function (reason) {
        var item = document.createElement("li");
        item.textContent = reason;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    if (!chosen && grade.value !== data.grade) {
      settingOurselves = true;
      grade.value = data.grade;
      if (window.jQuery) {
        window.jQuery(grade).trigger("change"); // select2 redraws from the change
      } else {
        grade.dispatchEvent(new Event("change", { bubbles: true }));
      }
      settingOurselves = false;
    }
    flagDifference();
  }

  function ask() {
    var body = fields();
    lookup(body.toString(), body, show, function (error) {
      box.textContent = "";
      box.appendChild(line(error || source.getAttribute("data-failed"), "text-muted"));
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  }

  // select2 announces a pick through jQuery only: listen there when it is on the page
  function onChange(input, handler) {
    if (window.jQuery) {
      window.jQuery(input).on("change", handler);
    } else {
      input.addEventListener("change", handler);
    }
  }

  onChange(grade, function () {
    if (!settingOurselves) {
      chosen = true; // the clerk picked a grade: it is no longer changed for them
    }
    flagDifference();
  });
  NAMES.forEach(function (name) {
    var input = form.elements.namedItem(name);
    if (input && input.addEventListener) {
      input.addEventListener("input", later);
      onChange(input, later);
    }
  });
  ask();
})();
