// When the browser blocks the tool's cookie inside the LMS iframe, the page carries the launch session:
// add it to the tool's own links and forms so moving between pages keeps the learner signed in.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="launch-session"]');
  if (!meta) { return; }
  var token = meta.content;
  function sameOrigin(url) { return url.origin === window.location.origin; }
  document.querySelectorAll("a[href]").forEach(function (a) {
    var url = new URL(a.getAttribute("href"), window.location.href);
    if (sameOrigin(url) && !url.searchParams.has("ls")) { url.searchParams.set("ls", token); a.href = url.toString(); }
  });
  document.querySelectorAll("form").forEach(function (form) {
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (!sameOrigin(url) || form.querySelector('input[name="ls"]')) { return; }
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "ls"; input.value = token;
    form.appendChild(input);
  });
}());
