// Page behaviour without inline scripts (CSP): charts, confirmations, progress polling.
(function () {
  "use strict";

  // <div class="chart" data-chart-source="id-of-json-script"> renders an ECharts option given as JSON.
  function renderCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart-source]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var src = document.getElementById(el.dataset.chartSource);
      if (!src) return;
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(src.textContent));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // <form data-confirm="确定？"> asks before submitting.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  }, true);

  // Buttons disable themselves once clicked, so a double click submits once.
  document.addEventListener("submit", function (ev) {
    if (ev.defaultPrevented || ev.target.hasAttribute("hx-post")) return;
    ev.target.querySelectorAll("button[type=submit]").forEach(function (b) {
      setTimeout(function () { b.disabled = true; }, 0);
    });
  });

  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.body.addEventListener("htmx:afterSettle", function (ev) { renderCharts(ev.target); });
})();
