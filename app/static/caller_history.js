/* 来电历史 on the staff intake form (app/templates/admin/case/create.html): once the phone or the ID number
   typed is a whole number, the caller's earlier cases are asked for (admin_views/cases/caller_history.py)
   and shown under the ID number field, with the repeat warning. The numbers go in a POST body with the
   form's CSRF token, never in an address. The answer is HTML the server escaped; errors are shown as text. */
(function () {
  "use strict";

  var source = document.getElementById("caller-history-lookup");
  var phone = document.getElementById("citizen_phone");
  var idNo = document.getElementById("citizen_id_no");
  if (!source || (!phone && !idNo)) {
    return;
  }
  var form = (phone || idNo).form;
  var lookup = window.suqiuIntakeLookup(source.getAttribute("data-url"), form);
  var box = window.suqiuIntakeLookup.box("caller-history-box", "", idNo || phone);

  var MOBILE = /^1[3-9][0-9]{9}$/;
  var LANDLINE = /^0[0-9]{2,3}-?[0-9]{7,8}$/;
  var ID_NUMBER = /^[0-9]{17}[0-9X]$/;
  var timer = null;

  // as app/validators.py reads them: NFKC (full-width digits), no blanks or brackets, no leading +86
  function typed(input) {
    var value = input ? input.value.normalize("NFKC").replace(/[\s()]/g, "").toUpperCase() : "";
    return value.indexOf("+86") === 0 ? value.slice(3) : value;
  }

  function whole(value, patterns) {
    return patterns.some(function (pattern) { return pattern.test(value); }) ? value : "";
  }

  function ask() {
    var numbers = { phone: whole(typed(phone), [MOBILE, LANDLINE]), id_no: whole(typed(idNo), [ID_NUMBER]) };
    var body = numbers.phone || numbers.id_no ? new URLSearchParams(numbers) : null;
    lookup(numbers.phone + "|" + numbers.id_no, body, function (data) {
      box.innerHTML = data ? data.html : ""; // HTML the server escaped
    }, function (error) {
      box.textContent = "";
      var note = document.createElement("div");
      note.className = "small text-muted mb-3";
      note.textContent = error || source.getAttribute("data-failed") || "";
      box.appendChild(note);
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 300);
  }

  [phone, idNo].forEach(function (input) {
    if (input) {
      input.addEventListener("input", later);
      input.addEventListener("change", ask);
    }
  });
  ask(); // a form shown again after a refusal keeps the numbers typed
})();
