/* The shared part of the intake form's look-ups (来电历史, suggested grade, suggested categories): each asks a
   POST-only view (admin_views/cases/intake_lookup.py) with the form's CSRF token, skips a question it has
   just asked, and uses only the answer to the newest question, so a slow answer never overwrites a newer one.
   window.suqiuIntakeLookup(url, form) returns ask(key, body, onAnswer, onFailure): key says what is asked
   (the same key twice asks once), onFailure gets the server's error text or null.
   window.suqiuIntakeLookup.box(id, className, field) puts the look-up's live answer box after field's group. */
(function () {
  "use strict";

  window.suqiuIntakeLookup = function (url, form) {
    var tokenInput = form && form.querySelector("input[name=csrf_token]");
    var lastAsked = null;

    return function ask(key, body, onAnswer, onFailure) {
      if (key === lastAsked) {
        return;
      }
      lastAsked = key;
      if (body === null) {
        onAnswer(null); // nothing worth asking: the caller clears its box
        return;
      }
      function failed(error) {
        if (key === lastAsked) {
          lastAsked = null; // ask again next time, even for the same text
          onFailure(error);
        }
      }
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": tokenInput ? tokenInput.value : "", "X-Requested-With": "fetch" },
        body: body
      }).then(function (response) {
        return response.json().then(function (data) {
          if (key !== lastAsked) {
            return; // the clerk typed on: a newer answer is coming
          }
          if (!response.ok) {
            failed(data.error || null);
            return;
          }
          onAnswer(data);
        });
      }).catch(function () {
        failed(null);
      });
    };
  };

  window.suqiuIntakeLookup.box = function (id, className, field) {
    var box = document.createElement("div");
    box.id = id;
    if (className) {
      box.className = className;
    }
    box.setAttribute("aria-live", "polite");
    var anchor = field.closest(".form-group") || field;
    anchor.parentNode.insertBefore(box, anchor.nextSibling);
    return box;
  };
})();
