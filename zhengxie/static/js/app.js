// Page behaviour without inline scripts (CSP): charts, confirmations, character counts, progress polling.
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
      var option = JSON.parse(src.textContent);
      // The CSP allows no inline styles, and ECharts' HTML tooltips are markup with style="" attributes
      // (the browser drops them and reports each): tooltips are drawn on the chart's canvas instead.
      [].concat(option.tooltip || []).forEach(function (t) { t.renderMode = "richText"; });
      chart.setOption(option);
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

  // <button data-confirm-button="确定？"> asks before submitting its form (one of several buttons).
  document.addEventListener("submit", function (ev) {
    var msg = ev.submitter && ev.submitter.getAttribute("data-confirm-button");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);

  // <input type="checkbox" data-check-all="name"> ticks or clears every checkbox named `name` (batch actions).
  document.addEventListener("change", function (ev) {
    var name = ev.target.dataset && ev.target.dataset.checkAll;
    if (!name) return;
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
      b.checked = ev.target.checked;
    });
  });

  // <textarea data-maxchars="1500" data-charcount="id"> keeps the element #id at "N / 1500 字", red when over.
  // Characters are counted as the server counts them (code points; a line break is one).
  function updateCount(el) {
    var out = document.getElementById(el.dataset.charcount);
    if (!out) return;
    var max = parseInt(el.dataset.maxchars, 10);
    var n = Array.from(el.value.trim()).length;
    out.textContent = n + " / " + max + " 字" + (n > max ? "，超出 " + (n - max) + " 字" : "");
    out.classList.toggle("text-danger", n > max);
    out.classList.toggle("fw-bold", n > max);
  }
  function initCounts(root) {
    root.querySelectorAll("textarea[data-maxchars][data-charcount]").forEach(updateCount);
  }
  document.addEventListener("input", function (ev) {
    if (ev.target.matches && ev.target.matches("textarea[data-maxchars][data-charcount]")) updateCount(ev.target);
  });

  // <button data-fix-target="#id_title" data-fix-value="关于……的建议"> puts the suggested text into the field
  // (撰写助手: a rewritten title) and tells the form it changed, so the check runs again.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-fix-target]");
    if (!b) return;
    var field = document.querySelector(b.dataset.fixTarget);
    if (!field) return;
    ev.preventDefault();
    field.value = b.dataset.fixValue || "";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); initCounts(document); });
  document.body.addEventListener("htmx:afterSettle", function (ev) { renderCharts(ev.target); });
})();
