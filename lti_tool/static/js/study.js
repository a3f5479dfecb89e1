// Tell the tool once per page view when a study section has been read (mostly in view for 5 s):
// it becomes an xAPI "experienced" statement in the learner's record.
(function () {
  "use strict";
  var article = document.querySelector("article.unit[data-unit]");
  if (!article || !("IntersectionObserver" in window)) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var sessionMeta = document.querySelector('meta[name="launch-session"]');
  var timers = {};
  var sent = {};
  function report(section) {
    var id = section.id.replace(/^section-/, "");
    if (sent[id]) { return; }
    sent[id] = true;
    var headers = {"X-CSRFToken": csrf};
    if (sessionMeta) { headers["X-Launch-Session"] = sessionMeta.content; }
    fetch("/api/units/" + encodeURIComponent(article.dataset.unit) + "/sections/" + encodeURIComponent(id) +
          "/experienced", {method: "POST", headers: headers, credentials: "same-origin"});
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var key = entry.target.id;
      if (entry.isIntersecting) {
        timers[key] = setTimeout(function () { report(entry.target); }, 5000);
      } else {
        clearTimeout(timers[key]);
      }
    });
  }, {threshold: 0});
  document.querySelectorAll("section.study").forEach(function (s) { observer.observe(s); });
}());
