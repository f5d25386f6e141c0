// cwmock dashboard: refresh the parts of a page marked data-live every 2 s, without a page reload.
// Nothing else depends on it: every page and form works without JavaScript. A region that holds the focus, or an
// open <details> the reader is in, is left alone until they move on.
(function () {
  "use strict";
  var PERIOD_MS = 2000;
  var toggle = document.getElementById("live-toggle");
  var running = window.sessionStorage.getItem("cwmock-live") !== "off";

  function show() {
    if (!toggle) { return; }
    toggle.setAttribute("aria-pressed", running ? "true" : "false");
    toggle.textContent = running ? "Live updates: on" : "Live updates: off";
  }

  function openDetails(region) {
    var open = {};
    region.querySelectorAll("details[id]").forEach(function (d) { open[d.id] = d.open; });
    return open;
  }

  function refresh() {
    if (!running || document.hidden) { return; }
    var regions = document.querySelectorAll("[data-live]");
    if (!regions.length) { return; }
    fetch(window.location.href, { headers: { "X-Cwmock-Live": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        regions.forEach(function (region) {
          var name = region.getAttribute("data-live");
          var replacement = fresh.querySelector('[data-live="' + name + '"]');
          if (!replacement || region.contains(document.activeElement)) { return; }
          if (replacement.innerHTML === region.innerHTML) { return; }
          var open = openDetails(region);
          region.innerHTML = replacement.innerHTML;
          Object.keys(open).forEach(function (id) {
            var d = document.getElementById(id);
            if (d) { d.open = open[id]; }
          });
        });
      })
      .catch(function () { /* the emulator stopped or restarts: try again next time */ });
  }

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      running = !running;
      window.sessionStorage.setItem("cwmock-live", running ? "on" : "off");
      show();
      refresh();
    });
  }
  show();
  window.setInterval(refresh, PERIOD_MS);
})();
