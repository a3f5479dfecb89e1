// A launch answers with its landing page (no redirect to it): the page puts its own address in place of the
// launch's POST in the browser's history, so a reload or Back/Forward asks for the page again (a GET) instead of
// posting the used id_token a second time. The address carries the launch's token ("ls"), as its links do.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="landing-url"]');
  if (!meta || !window.history || typeof window.history.replaceState !== "function") { return; }
  window.history.replaceState(window.history.state, "", meta.content);
}());
