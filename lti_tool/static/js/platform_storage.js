// LTI Client Side postMessage storage (1EdTech "lti.put_data" / "lti.get_data"), used when the
// platform offers lti_storage_target and the browser may block the tool's cookies in the iframe.
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  if (!box) { return; }
  var d = box.dataset;
  var frame = d.target === "_parent" ? window.parent : (window.parent.frames[d.target] || window.parent);

  function ask(subject, key, value) {
    return new Promise(function (resolve, reject) {
      var id = Math.random().toString(36).slice(2);
      var timer = setTimeout(function () { reject(new Error("timeout")); }, 10000);
      window.addEventListener("message", function handler(event) {
        if (event.origin !== d.origin || !event.data || event.data.message_id !== id) { return; }
        window.removeEventListener("message", handler);
        clearTimeout(timer);
        if (event.data.error) { reject(new Error(event.data.error.code || "error")); } else { resolve(event.data); }
      });
      var message = { subject: subject, message_id: id, key: key };
      if (value !== undefined) { message.value = value; }
      frame.postMessage(message, d.origin);
    });
  }

  function failed() { document.getElementById("lti-storage-failed").hidden = false; }

  if (d.mode === "put") {
    Promise.all([ask("lti.put_data", "state_" + d.state, d.state), ask("lti.put_data", "nonce_" + d.nonce, d.nonce)])
      .then(function () { window.location.assign(d.authUrl); }, failed);
  } else {
    var form = document.getElementById("lti-storage-form");
    ask("lti.get_data", "state_" + d.state).then(function (stateAnswer) {
      if (stateAnswer.value !== d.state) { throw new Error("state mismatch"); }
      form.elements.lti_storage_state.value = stateAnswer.value;
      return ask("lti.get_data", "nonce_" + JSON.parse(atob(form.elements.id_token.value.split(".")[1]
        .replace(/-/g, "+").replace(/_/g, "/"))).nonce);
    }).then(function (nonceAnswer) {
      form.elements.lti_storage_nonce.value = nonceAnswer.value;
      form.submit();
    }, failed);
  }
}());
