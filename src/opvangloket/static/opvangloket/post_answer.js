// A page sent as the answer to a form (an error to correct, most often) is a POST in the
// browser's history; our pages are never stored (Cache-Control: no-store), so Back to it
// asks to send the form again (Chrome's "Confirm Form Resubmission"). Make that history
// entry a plain GET of the page's address (data-answer-to-post on <body>, base.html).
(function () {
  var body = document.body;
  var address = body && body.getAttribute("data-answer-to-post");
  if (!address) return;
  if (window.history && history.replaceState) {
    if (address.indexOf("#") < 0) address += location.hash;
    history.replaceState(null, "", address);
  }
  // A form without an #anchor of its own (a wizard step, a short form): bring the person
  // to its error summary, which screen readers then read out.
  if (!location.hash) {
    var summary = document.querySelector(".error-summary[tabindex], .form-errors[tabindex]");
    if (summary) summary.focus();
  }
})();
