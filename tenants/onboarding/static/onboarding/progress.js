// Moves the import's progress bar by polling its status; without JavaScript the page reloads.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) return;
  var meta = document.querySelector('meta[http-equiv="refresh"]');
  if (meta) meta.parentNode.removeChild(meta);
  var bar = document.getElementById("import-bar");
  var state = document.getElementById("import-state");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        bar.value = run.percent;
        bar.textContent = run.percent + "%";
        state.textContent = state.textContent.replace(/\d+%$/, run.percent + "%");
        if (run.is_finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
