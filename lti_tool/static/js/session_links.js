// Each page carries the launch it belongs to (one session per launch, so two activities in two tabs stay apart).
// Links to the tool's launched pages already carry it (url_for adds "ls"); a form that submits with GET would
// drop its action's query string, so every form to the tool also gets it as a hidden field. Other links (a
// credential's public page, say) never get it: the token must not leave in a shared link.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="launch-session"]');
  if (!meta) { return; }
  document.querySelectorAll("form").forEach(function (form) {
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (url.origin !== window.location.origin || form.querySelector('input[name="ls"]')) { return; }
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "ls"; input.value = meta.content;
    form.appendChild(input);
  });
}());
