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
    if (type === "practical") {
      var sent = fieldset.querySelector(".evidence-sent").dataset.upload;
      var body = {text: inputs[0].value};
      if (sent) { body.upload = sent; }
      return body.text.trim() || body.upload ? body : null;
    }
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

  var fieldsetsAll = Array.prototype.slice.call(form.querySelectorAll("fieldset.item"));
  var storeKey = "mastery-attempt-" + attemptId;

  function answered(fieldset) {
    var v = valueOf(fieldset);
    if (v === null || v === undefined) { return false; }
    if (Array.isArray(v)) { return v.length > 0; }
    if (typeof v === "object") { return Object.keys(v).some(function (k) { return v[k] !== "" && v[k] !== null; }); }
    return true;
  }

  function showProgress() {
    var done = fieldsetsAll.filter(answered).length;
    document.querySelectorAll(".progress-count").forEach(function (p, n) {
      var template = document.querySelector(".progress-count[data-template]").dataset.template;
      p.textContent = template.replace("__A__", done).replace("__T__", fieldsetsAll.length);
    });
  }

  // Unsaved answers stay in this browser (a session that ended, a lost connection) and come back on reopening.
  function keepLocally(fieldset) {
    try {
      var kept = JSON.parse(window.localStorage.getItem(storeKey) || "{}");
      kept[fieldset.dataset.item] = valueOf(fieldset);
      window.localStorage.setItem(storeKey, JSON.stringify(kept));
    } catch (e) { /* storage blocked: the server copy is all there is */ }
  }

  function restoreKept() {
    var kept;
    try { kept = JSON.parse(window.localStorage.getItem(storeKey) || "{}"); } catch (e) { return; }
    fieldsetsAll.forEach(function (fieldset) {
      var v = kept[fieldset.dataset.item];
      if (v === undefined || v === null || answered(fieldset)) { return; }
      var type = fieldset.dataset.type;
      if (type === "numeric" || type === "short_text") { fieldset.querySelector("input").value = v; }
      else if (type === "practical" && v.text) { fieldset.querySelector("textarea").value = v.text; }
      else if (type === "single_choice" || type === "true_false" || type === "multiple_response") {
        var wanted = Array.isArray(v) ? v.map(String) : [String(v)];
        fieldset.querySelectorAll("input").forEach(function (i) { if (wanted.indexOf(i.value) !== -1) { i.checked = true; } });
      } else { return; }
      save(fieldset);
    });
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
      .then(function (a) {
        if (a.ok) { state.textContent = form.dataset.saved; return true; }
        state.textContent = a.body.message;
        if (a.status === 401 || a.status === 403 || a.status === 409) {
          state.textContent = a.body.message + " " + form.dataset.kept;
        }
        return a.status !== 422;
      }, function () { state.textContent = form.dataset.kept; return false; });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.item");
    if (fieldset) { keepLocally(fieldset); save(fieldset); showProgress(); }
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset.item");
    if (fieldset) { keepLocally(fieldset); showProgress(); }
  });

  // Evidence files: size and type checked here before anything is sent; the server checks them again.
  var MAX_BYTES = 10 * 1024 * 1024;
  var TYPES = ["application/pdf", "image/png", "image/jpeg", "text/plain"];
  form.querySelectorAll("input.evidence-file").forEach(function (input) {
    input.addEventListener("change", function (event) {
      event.stopPropagation();
      var fieldset = input.closest("fieldset.item");
      var state = fieldset.querySelector(".save-state");
      var file = input.files[0];
      if (!file) { return; }
      if (file.size > MAX_BYTES) { state.textContent = input.dataset.tooLarge; input.value = ""; return; }
      if (TYPES.indexOf(file.type) === -1) { state.textContent = input.dataset.wrongType; input.value = ""; return; }
      var data = new FormData();
      data.append("file", file);
      var h = headers();
      delete h["Content-Type"];
      state.textContent = form.dataset.saving;
      fetch("/api/attempts/" + attemptId + "/uploads/" + fieldset.dataset.item, {
        method: "POST", headers: h, credentials: "same-origin", body: data
      }).then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
        .then(function (a) {
          if (!a.ok) { state.textContent = a.body.message; return; }
          var sent = fieldset.querySelector(".evidence-sent");
          sent.dataset.upload = a.body.upload;
          sent.textContent = input.dataset.sent + " " + a.body.filename;
          input.value = "";
          save(fieldset);
          showProgress();
        });
    });
  });

  var confirmBox = document.getElementById("confirm-submit");
  var confirmed = false;
  function askFirst() {
    var missing = fieldsetsAll.filter(function (f) { return !answered(f); });
    if (confirmed || !missing.length || !confirmBox) { return false; }
    var list = document.getElementById("unanswered-list");
    list.textContent = "";
    missing.forEach(function (f) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#" + f.id;
      a.textContent = f.querySelector("legend").textContent.trim().slice(0, 90);
      li.appendChild(a); list.appendChild(li);
    });
    confirmBox.hidden = false;
    confirmBox.focus();
    return true;
  }
  if (confirmBox) {
    document.getElementById("confirm-yes").addEventListener("click", function () {
      confirmed = true; confirmBox.hidden = true;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", {cancelable: true})); }
    });
    document.getElementById("confirm-no").addEventListener("click", function () {
      confirmBox.hidden = true;
      var first = fieldsetsAll.filter(function (f) { return !answered(f); })[0];
      if (first) { first.querySelector("input, select, textarea").focus(); }
    });
  }

  var countdown = document.getElementById("countdown");
  function tick() {
    var left = Math.ceil((new Date(countdown.dataset.deadline).getTime() - Date.now()) / 60000);
    countdown.textContent = left > 0 ? countdown.dataset.template.replace("__N__", left) : "";
  }
  if (countdown) { tick(); window.setInterval(tick, 15000); }
  restoreKept();
  showProgress();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (askFirst()) { return; }
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
      if (r.ok || r.status === 409) {
        try { window.localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
        window.location.assign(form.dataset.resultUrl); return;
      }
      return r.json().then(function (body) { status.textContent = body.message; button.disabled = false; });
    });
  });
}());
