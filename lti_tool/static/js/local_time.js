// Times are written by the server in UTC; show them in the reader's own time zone, in the page's language.
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    try {
      el.textContent = new Intl.DateTimeFormat(lang, {dateStyle: "long", timeStyle: "short"}).format(when);
    } catch (e) { /* an old browser keeps the UTC text */ }
  });
}());
