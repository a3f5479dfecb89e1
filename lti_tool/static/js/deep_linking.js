// Deep Linking picker: instant filters, one-unit limit when the LMS asks for it, and the auto-submit of the
// signed answer to the LMS. Everything also works without JavaScript (server-side filters, a submit button).
(function () {
  "use strict";

  var answer = document.getElementById("deep-link-return");
  if (answer && answer.dataset.autosubmit === "true") {
    answer.submit();
    return;
  }

  var select = document.getElementById("deep-link-select");
  if (!select) { return; }
  var boxes = Array.prototype.slice.call(select.querySelectorAll("input[name=unit]"));
  var cards = Array.prototype.slice.call(select.querySelectorAll(".unit-card"));

  if (select.dataset.acceptMultiple === "false") {
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.checked) { return; }
        boxes.forEach(function (other) { if (other !== box) { other.checked = false; } });
      });
    });
  }

  var filters = document.getElementById("deep-link-filters");
  var count = document.getElementById("deep-link-count");
  function applyFilters() {
    var f = filters.elements;
    var words = f.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var d = card.dataset;
      var ok = (!f.sector.value || d.sector === f.sector.value) &&
        (!f.esco.value || d.esco.split(" ").indexOf(f.esco.value) >= 0) &&
        (!f.workload.value || parseFloat(d.workload) <= parseFloat(f.workload.value)) &&
        (!f.lang.value || d.languages.split(" ").indexOf(f.lang.value) >= 0) &&
        (!f.eqf.value || d.eqf === f.eqf.value) &&
        words.every(function (w) { return d.search.indexOf(w) >= 0; });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    // The sentence comes translated from the page (its "{shown}" is the only part that changes here).
    if (count && count.dataset.template) { count.textContent = count.dataset.template.replace("{shown}", shown); }
  }
  if (filters) {
    filters.addEventListener("submit", function (event) { event.preventDefault(); applyFilters(); });
    filters.addEventListener("input", applyFilters);
    filters.addEventListener("change", applyFilters);
  }

  // Cookies blocked in the LMS frame: the session travels in a header, so post with fetch and build the
  // form to the LMS here.
  var sessionMeta = document.querySelector("meta[name=launch-session]");
  if (!sessionMeta) { return; }
  select.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(select.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Launch-Session": sessionMeta.content,
                 "X-CSRFToken": document.querySelector("meta[name=csrf-token]").content },
      body: new URLSearchParams(new FormData(select))
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.message || select.dataset.sendError); }
        var form = document.createElement("form");
        form.method = "post";
        form.action = body.return_url;
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "JWT";
        field.value = body.JWT;
        form.appendChild(field);
        document.body.appendChild(form);
        form.submit();
      });
    }).catch(function (error) {
      // A network failure's message is the browser's own English ("Failed to fetch"): say it in the page's words.
      window.alert(error instanceof TypeError ? select.dataset.sendError : error.message);
    });
  });
}());
