// Security keys (staff's second factor): allauth's scripts talk to the browser's WebAuthn;
// when the browser gives no key (cancelled, timed out, not supported), allauth only
// reports an "allauth.error" event. Show the page's message for it instead.
(function () {
  document.addEventListener('allauth.error', function (event) {
    const message = document.getElementById('security-key-error')
    if (message) {
      event.preventDefault()
      message.hidden = false
      message.focus()
    }
  })
})()
