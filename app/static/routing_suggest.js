/* Suggested categories and lead department on the staff intake form (app/templates/admin/case/create.html):
   as the clerk types the title and content, the text is posted with the form's CSRF token to the look-up
   behind ``routing-suggest-lookup`` (admin_views/cases/routing_hint.py); the top three categories are shown
   as buttons under the content (a click chooses that category in the dropdown) with the lead department.
   Everything from the server is written as text, never as HTML. */
(function () {
  "use strict";

  var source = document.getElementById("routing-suggest-lookup");
  var title = document.getElementById("title");
  var content = document.getElementById("content");
  var category = document.getElementById("category");
  if (!source || !content || !category) {
    return;
  }
  var form = content.form;
  var lookup = window.suqiuIntakeLookup(source.getAttribute("data-url"), form);
  var box = window.suqiuIntakeLookup.box("routing-suggest-box", "mb-3", content);

  var timer = null;

  function text() {
    return ((title ? title.value : "") + "\n" + content.value).trim();
  }

  function choose(id) {
    if (window.jQuery && window.jQuery(category).data("select2")) {
      window.jQuery(category).val(String(id)).trigger("change");
    } else {
      category.value = String(id);
      category.dispatchEvent(new Event("change", { bubbles: true }));
    }
    mark();
  }

  function mark() {
    box.querySelectorAll("button[data-id]").forEach(function (button) {
      var chosen = button.getAttribute("data-id") === category.value;
      button.className = "btn btn-sm mr-2 mb-1 routing-choice " + (chosen ? "btn-primary" : "btn-outline-primary");
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
  }

  function show(data) {
    box.textContent = "";
    if (!data || !data.categories || !data.categories.length) {
      return;
    }
    var head = document.createElement("div");
    head.className = "small text-muted mb-1";
    head.textContent = source.getAttribute("data-heading");
    box.appendChild(head);
    data.categories.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-id", String(item.id));
      var percent = Math.round(item.score * 100);
      button.textContent = item.label + " · " + (percent < 1 ? "<1" : String(percent)) + "%";
      button.addEventListener("click", function () { choose(item.id); });
      box.appendChild(button);
    });
    if (data.department) {
      var lead = document.createElement("div");
      lead.className = "small mt-1";
      lead.id = "routing-suggest-department";
      lead.textContent = source.getAttribute("data-department") + data.department.name;
      box.appendChild(lead);
    }
    mark();
  }

  function ask() {
    var typed = text();
    var body = typed.length < 4 ? null : new URLSearchParams({ title: title ? title.value : "", content: content.value });
    lookup(typed, body, show, function () {
      box.textContent = "";
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  }

  [title, content].forEach(function (input) {
    if (input) {
      input.addEventListener("input", later);
    }
  });
  category.addEventListener("change", mark);
  if (window.jQuery) {
    window.jQuery(category).on("change", mark);
  }
  ask(); // a form shown again after a refusal keeps the text typed
})();
