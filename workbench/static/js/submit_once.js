// Forms marked data-submit-once are sent once: a second click (or Enter) while the first post is
// on its way does nothing, and the button says the form is being sent. The server refuses a copy
// anyway (a comment sent twice is kept once); this spares the reader the wait and the doubt.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
    if (form.dataset.sent === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "true";
    // Disabled after this event: a button disabled while the form is being submitted would be
    // left out of what is sent.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
        if (button.dataset.sending) {
          button.dataset.label = button.textContent;
          button.textContent = button.dataset.sending;
        }
      });
    }, 0);
  });
  // Back to a page the browser kept (bfcache): the form may be sent again, as the reader decides.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
        if (button.dataset.label) button.textContent = button.dataset.label;
      });
    });
  });
})();
