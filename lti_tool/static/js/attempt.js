// Assessment page: autosave each answer through the learner API, submit once, then show the results.
(function () {
  "use strict";
  var form = document.getElementById("attempt");
  if (!form) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var sessionMeta = document.querySelector('meta[name="launch-session"]');
  var attemptId = form.dataset.attempt;

  function headers() {
    var h = {"Content-Type": "application/json", "X-CSRFToken": csrf};
    if (sessionMeta) { h["X-Launch-Session"] = sessionMeta.content; }
    return h;
  }

  function valueOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("input, select, textarea");
    var picked = Array.prototype.filter.call(inputs, function (i) { return i.checked; });
    if (type === "single_choice") { return picked.length ? picked[0].value : null; }
    if (type === "true_false") { return picked.length ? picked[0].value === "true" : null; }
    if (type === "multiple_response") { return picked.map(function (i) { return i.value; }); }
    if (type === "numeric" || type === "short_text") { var v = inputs[0].value.trim(); return v === "" ? null : v; }
    if (type === "practical") { return {text: inputs[0].value}; }
    if (type === "matching") {
      var pairs = {};
      inputs.forEach(function (s) { if (s.value) { pairs[s.dataset.option] = s.value; } });
      return pairs;
    }
    if (type === "ordering") {
      var order = [];
      inputs.forEach(function (s) { if (s.value) { order[Number(s.value) - 1] = s.dataset.option; } });
      return order.filter(function (x) { return x; }).length === inputs.length ? order : null;
    }
    return null;
  }

  // The same reading as the server (lti_tool/assessment/numbers.py): the locale's decimal mark or a point;
  // a number that could be read two ways ("1.234" in Italian) is questioned before it is sent.
  function escapeRe(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function numberProblem(text) {
    var t = text.trim();
    var dec = form.dataset.decimal, grp = form.dataset.group;
    if (t === "") { return null; }
    if (/\d\s+\d/.test(t)) {
      if (!/^\s$/.test(grp)) { return "nan"; }
      t = t.replace(/(\d)\s+(?=\d)/g, "$1" + grp);
    }
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$/.test(t)) { return null; }
    if (/^[+-]?\d*[.,]?\d+$|^[+-]?\d+[.,]?$/.test(t)) {
      return /^[+-]?\d{1,3}[.,]\d{3}$/.test(t) && t.charAt(t.length - 4) === grp ? "ambiguous" : null;
    }
    if (!/^[+-]?[\d.,\s]+$/.test(t)) { return "nan"; }
    var grouped = new RegExp("^[+-]?\\d{1,3}(" + escapeRe(grp) + "\\d{3})+(" + escapeRe(dec) + "\\d+)?$");
    return grouped.test(t) ? null : "ambiguous";
  }

  function numberMessage(fieldset) {
    if (fieldset.dataset.type !== "numeric") { return null; }
    var input = fieldset.querySelector("input");
    var problem = numberProblem(input.value);
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    if (problem === "ambiguous") { return form.dataset.ambiguous.replace("__TEXT__", input.value.trim()); }
    if (problem === "nan") { return form.dataset.notANumber; }
    return null;
  }

  function save(fieldset) {
    var state = fieldset.querySelector(".save-state");
    var problem = numberMessage(fieldset);
    if (problem) { state.textContent = problem; return Promise.resolve(false); }
    state.textContent = form.dataset.saving;
    return fetch("/api/attempts/" + attemptId + "/responses/" + fieldset.dataset.item, {
      method: "PUT", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({response: valueOf(fieldset)})
    }).then(function (r) { return r.json().then(function (body) { return {ok: r.ok, status: r.status, body: body}; }); })
      .then(function (a) { state.textContent = a.ok ? form.dataset.saved : a.body.message; return a.ok || a.status !== 422; });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.item");
    if (fieldset) { save(fieldset); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var status = document.getElementById("attempt-status");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = form.dataset.submitting;
    var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset.item"));
    var unreadable = fieldsets.filter(function (f) { return numberMessage(f) !== null; });
    if (unreadable.length) {
      unreadable.forEach(function (f) { f.querySelector(".save-state").textContent = numberMessage(f); });
      unreadable[0].querySelector("input").focus();
      status.textContent = unreadable[0].querySelector(".save-state").textContent;
      button.disabled = false;
      return;
    }
    Promise.all(fieldsets.map(save)).then(function (saved) {
      if (saved.indexOf(false) !== -1) { status.textContent = form.dataset.notSaved; button.disabled = false; return null; }
      return fetch("/api/attempts/" + attemptId + "/submit", {method: "POST", headers: headers(), credentials: "same-origin"});
    }).then(function (r) {
      if (r === null) { return; }
      if (r.ok || r.status === 409) { window.location.assign(form.dataset.resultUrl); return; }
      return r.json().then(function (body) { status.textContent = body.message; button.disabled = false; });
    });
  });
}());
