// 「？」 hints (templates/includes/hint.html): Bootstrap popovers opened by a click, a tap, Enter or Space on their
// button; Escape or a tap elsewhere closes them, and opening one closes the others.
(function () {
  "use strict";
  var SELECTOR = '[data-bs-toggle="popover"]';

  function init(root) {
    if (!window.bootstrap || !root.querySelectorAll) return;
    root.querySelectorAll(SELECTOR).forEach(function (el) {
      window.bootstrap.Popover.getOrCreateInstance(el, { trigger: "click", container: "body", placement: "auto" });
    });
  }

  function hideAll(except) {
    if (!window.bootstrap) return;
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      if (el === except) return;
      var p = window.bootstrap.Popover.getInstance(el);
      if (p) p.hide();
    });
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest(SELECTOR);
    if (ev.target.closest && ev.target.closest(".popover") && !button) return;
    hideAll(button);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") hideAll(null);
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.body.addEventListener("htmx:afterSettle", function (ev) { init(ev.target); });
})();
