/* A deadline policy's ladder form (templates/admin/deadline_policy/ladder_field.html), loaded as a file so
   the Content-Security-Policy can forbid inline script. Without it the form still works (a spare blank row
   and a remove box per row); with it:
   - the "add a row" button appears and copies an empty row (up to data-max-rows);
   - "who hears it" follows the chosen reminder level (data-audience);
   - the amount and unit are disabled where the chosen timing does not use them;
   - a row ticked for removal is greyed. */
(function () {
  "use strict";

  function syncRow(editor, row) {
    var audience = JSON.parse(editor.getAttribute("data-audience") || "{}");
    var step = row.querySelector("[data-part=step]").value;
    var when = row.querySelector("[data-part=when]").value;
    row.querySelector("[data-ladder-audience]").textContent = audience[step] || "";
    row.querySelector("[data-part=amount]").disabled = when === "at";
    row.querySelector("[data-part=unit]").disabled = when === "at" || when === "percent";
    row.classList.toggle("text-muted", row.querySelector("[data-part=remove]").checked);
  }

  function renumber(editor) {
    var name = editor.getAttribute("data-name");
    var rows = editor.querySelectorAll("[data-ladder-row]");
    rows.forEach(function (row, index) {
      row.querySelector("[data-ladder-number]").textContent = String(index + 1);
      row.querySelectorAll("[data-part]").forEach(function (input) {
        input.name = name + "-" + index + "-" + input.getAttribute("data-part");
      });
    });
    var add = editor.querySelector("[data-ladder-add]");
    add.disabled = rows.length >= Number(editor.getAttribute("data-max-rows"));
  }

  function addRow(editor) {
    var rows = editor.querySelectorAll("[data-ladder-row]");
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("select").forEach(function (select) {
      select.selectedIndex = 0;
    });
    copy.querySelector("[data-part=amount]").value = "";
    copy.querySelector("[data-part=remove]").checked = false;
    rows[rows.length - 1].parentNode.appendChild(copy);
    renumber(editor);
    syncRow(editor, copy);
    copy.querySelector("[data-part=step]").focus();
  }

  document.querySelectorAll("[data-ladder]").forEach(function (editor) {
    var add = editor.querySelector("[data-ladder-add]");
    add.classList.remove("d-none");
    add.addEventListener("click", function () {
      addRow(editor);
    });
    editor.addEventListener("change", function (event) {
      var row = event.target.closest("[data-ladder-row]");
      if (row) {
        syncRow(editor, row);
      }
    });
    editor.querySelectorAll("[data-ladder-row]").forEach(function (row) {
      syncRow(editor, row);
    });
    renumber(editor);
  });
})();
