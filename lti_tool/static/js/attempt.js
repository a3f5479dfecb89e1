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

  function save(fieldset) {
    var state = fieldset.querySelector(".save-state");
    state.textContent = form.dataset.saving;
    return fetch("/api/attempts/" + attemptId + "/responses/" + fieldset.dataset.item, {
      method: "PUT", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({response: valueOf(fieldset)})
    }).then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (a) { state.textContent = a.ok ? form.dataset.saved : a.body.message; });
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
    var saves = Array.prototype.map.call(form.querySelectorAll("fieldset.item"), save);
    Promise.all(saves).then(function () {
      return fetch("/api/attempts/" + attemptId + "/submit", {method: "POST", headers: headers(), credentials: "same-origin"});
    }).then(function (r) {
      if (r.ok || r.status === 409) { window.location.assign(form.dataset.resultUrl); return; }
      return r.json().then(function (body) { status.textContent = body.message; button.disabled = false; });
    });
  });
}());
