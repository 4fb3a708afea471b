/* Behaviour the pages need, attached from this file so the Content-Security-Policy can forbid inline
   script and inline event handlers (see app/headers.py).
   - data-confirm on a form or its submit button: ask before sending.
   - data-send-once on a form: its submit buttons are disabled once it is sent (the server ignores repeats too).
   - data-print on a button: print the page.
   - data-model-action on a list's bulk-action item: Flask-Admin's modelActions.execute(name).
   - data-max-file-bytes on a file input (with data-max-total-bytes, data-max-files and the messages
     data-too-large "{name} …", data-too-large-total, data-too-many, data-nothing-sent): chosen files over
     the limits are named beside the field, and the form is not sent, so nothing typed is lost to a
     request the server would refuse unread. The server checks the same limits again.
   - data-reply-template-for on a select (标准用语): choosing an option puts its data-text into the text area
     with that id, for editing; text the user wrote is replaced only after data-replace-confirm is answered. */
(function () {
  "use strict";

  function fileProblem(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var total = 0;
    if (files.length > Number(input.getAttribute("data-max-files"))) {
      return input.getAttribute("data-too-many");
    }
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > Number(input.getAttribute("data-max-file-bytes"))) {
        return input.getAttribute("data-too-large").replace("{name}", files[i].name);
      }
      total += files[i].size;
    }
    if (total > Number(input.getAttribute("data-max-total-bytes"))) {
      return input.getAttribute("data-too-large-total");
    }
    return null;
  }

  function showFileProblem(input, message, onSend) {
    var group = input.closest(".form-group") || input.parentNode;
    var box = group.querySelector("[data-file-check]");
    if (!message) {
      if (box) {
        box.remove();
      }
      input.classList.remove("is-invalid");
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback d-block";
      box.setAttribute("data-file-check", "");
      box.setAttribute("data-error-for", input.name);
      box.setAttribute("role", "alert");
      group.appendChild(box);
    }
    box.textContent = onSend ? message + " " + (input.getAttribute("data-nothing-sent") || "") : message;
    input.classList.add("is-invalid");
  }

  function filesFit(form) {
    var fit = true;
    form.querySelectorAll("input[type=file][data-max-file-bytes]").forEach(function (input) {
      var message = fileProblem(input);
      showFileProblem(input, message, true);
      if (message && fit) {
        fit = false;
        input.focus();
      }
    });
    return fit;
  }

  function fillFromTemplate(picker) {
    var option = picker.options[picker.selectedIndex];
    var area = document.getElementById(picker.getAttribute("data-reply-template-for"));
    if (!area || !option || !option.hasAttribute("data-text")) {
      return;
    }
    var written = area.value.trim();
    if (written && written !== (picker.lastFilled || "").trim() &&
        !window.confirm(picker.getAttribute("data-replace-confirm"))) {
      picker.value = "";
      return;
    }
    area.value = option.getAttribute("data-text");
    picker.lastFilled = area.value;
    area.focus();
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-file-bytes]")) {
      showFileProblem(input, fileProblem(input), false);
    }
    if (input.matches && input.matches("select[data-reply-template-for]")) {
      fillFromTemplate(input);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!filesFit(form)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-send-once")) {
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });
  // Capture phase: the menus' own scripts stop the event from bubbling up to the document.
  document.addEventListener("click", function (event) {
    if (!event.target.closest) {
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
    var menuLink = event.target.closest(".dropdown-menu a[href='#'], a.dropdown-toggle[href='#']");
    if (menuLink) {
      event.preventDefault(); // the menus act through their scripts, never by following "#"
    }
    var action = event.target.closest("[data-model-action]");
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-model-action"));
    }
  }, true);
})();
