// LTI Dynamic Registration 1.0 §3.7: tell the LMS the registration is done so it closes this frame or window.
(function () {
  "use strict";
  if (!document.getElementById("lti-registered")) { return; }
  var target = window.opener || window.parent;
  if (target && target !== window) {
    // No secret in the message, so any origin may read it (the spec's own example uses "*").
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
}());
