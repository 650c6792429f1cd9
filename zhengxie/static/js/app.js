// Page behaviour without inline scripts (CSP): charts, confirmations, character counts, progress polling.
(function () {
  "use strict";

  // <div class="chart" data-chart-source="id-of-json-script"> renders an ECharts option given as JSON.
  // data-chart-theme="dark": ECharts' dark theme over the page's own background (the 大屏);
  // data-chart-rows="n": a bar per row laid on its side, the box as tall as its n rows need.
  function renderCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart-source]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var src = document.getElementById(el.dataset.chartSource);
      if (!src) return;
      if (el.dataset.chartRows) el.style.height = Math.max(160, 48 + 30 * parseInt(el.dataset.chartRows, 10)) + "px";
      var chart = window.echarts.init(el, el.dataset.chartTheme || null);
      var option = JSON.parse(src.textContent);
      if (el.dataset.chartTheme && !option.backgroundColor) option.backgroundColor = "transparent";
      // The CSP allows no inline styles, and ECharts' HTML tooltips are markup with style="" attributes
      // (the browser drops them and reports each): tooltips are drawn on the chart's canvas instead.
      [].concat(option.tooltip || []).forEach(function (t) { t.renderMode = "richText"; });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Batch forms: <form data-select-name="ids" data-select-empty="请先勾选…"> refuses to go with nothing ticked
  // (its checkboxes may sit in the table, tied to it by form="…"); "{n}" in its data-confirm or a button's
  // data-confirm-button is the number ticked.
  function selectedCount(name) {
    return document.querySelectorAll('input[type=checkbox][name="' + name + '"]:checked').length;
  }
  function withCount(form, msg) {
    var name = form.dataset && form.dataset.selectName;
    return name ? msg.replace("{n}", String(selectedCount(name))) : msg;
  }
  document.addEventListener("submit", function (ev) {
    var name = ev.target.dataset && ev.target.dataset.selectName;
    if (name && selectedCount(name) === 0) {
      window.alert(ev.target.dataset.selectEmpty || "请先勾选。");
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  // <form data-confirm="确定？"> asks before submitting.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(withCount(ev.target, msg))) ev.preventDefault();
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
    if (msg && !window.confirm(withCount(ev.target, msg))) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);

  // <input type="checkbox" data-check-all="name"> ticks or clears every checkbox named `name` (batch actions);
  // <span data-selected-count="name"> shows how many are ticked, and the box itself follows (all, none, some).
  function updateSelected(name) {
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    var n = selectedCount(name);
    document.querySelectorAll('[data-selected-count="' + name + '"]').forEach(function (el) {
      el.textContent = String(n);
    });
    document.querySelectorAll('input[data-check-all="' + name + '"]').forEach(function (all) {
      all.checked = boxes.length > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    });
  }
  document.addEventListener("change", function (ev) {
    var name = ev.target.dataset && ev.target.dataset.checkAll;
    if (name) {
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
        b.checked = ev.target.checked;
      });
      updateSelected(name);
    } else if (ev.target.type === "checkbox" && ev.target.name &&
               document.querySelector('[data-check-all="' + ev.target.name + '"], [data-selected-count="' + ev.target.name + '"]')) {
      updateSelected(ev.target.name);
    }
  });
  function initSelected(root) {
    root.querySelectorAll("[data-check-all]").forEach(function (el) { updateSelected(el.dataset.checkAll); });
  }

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

  // Searchable selects (Tom Select, vendored from npm): every <select multiple> and every single select
  // with more than SEARCHABLE_MIN options (the merge target, a unit among 40) — type to filter, tap to
  // pick, × to remove. <select data-plain> keeps the browser's own control.
  var SEARCHABLE_MIN = 12;
  function initSelects(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select").forEach(function (el) {
      if (el.tomselect || el.hasAttribute("data-plain") || el.hasAttribute("data-picker")) return;
      if (!el.multiple && el.options.length <= SEARCHABLE_MIN && !el.hasAttribute("data-searchable")) return;
      var ts = new window.TomSelect(el, {
        plugins: el.multiple ? ["remove_button"] : [],
        maxOptions: null,
        refreshThrottle: 0, // local options: filter at once (a pick within 300 ms reopened the list)
        hideSelected: el.multiple,
        closeAfterSelect: !el.multiple,
        allowEmptyOption: !el.multiple,
        // a field's own data-placeholder (e.g. 输入姓名搜索本界别委员) before the general one
        placeholder: el.dataset.placeholder || (el.multiple ? "输入文字筛选，可选多项" : "输入文字筛选"),
        render: {
          no_results: function () { return '<div class="no-results">没有匹配的选项</div>'; },
        },
      });
      ts.wrapper.classList.add("zx-select");
    });
  }

  // <input data-picker="/pick/units/"> (core.pickers: a choice among thousands, e.g. a province's handling
  // units) becomes a searchable box that asks the server for at most 30 matches of what is typed; the
  // submitted value is the chosen row's id. data-picker-value/-text: the chosen one on first load. Without
  // JavaScript it stays a text field where a name is typed.
  // <select multiple data-picker="/pick/members/?sector=3"> (several among hundreds: 委员小组 成员, 召集人)
  // holds only the chosen rows; it becomes the same box taking several, each with its ×.
  function initPickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("input[data-picker], select[data-picker]").forEach(function (el) {
      if (el.tomselect) return;
      var d = el.dataset, many = el.multiple, chosen = d.pickerValue ? [{ value: d.pickerValue, text: d.pickerText }] : [];
      if (!many && !chosen.length) el.value = "";
      var config = {
        maxItems: many ? null : 1,
        create: false,
        plugins: many ? ["remove_button"] : ["clear_button"],
        hideSelected: many,
        preload: "focus",
        loadThrottle: 250,
        shouldLoad: function () { return true; },
        closeAfterSelect: true,
        // a pick closes the list for good: a late answer to the typing reopened it over the 筛选 button. With
        // several too: focused, the typing box took a line of its own below the names and left it on blur, so
        // the 保存 below moved up 24 px between mousedown and mouseup (1280 px) and the click was lost.
        onItemAdd: function () { this.setTextboxValue(""); this.blur(); },
        load: function (query, done) {
          var self = this;
          fetch(d.picker + (d.picker.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { items: [] }; })
            .then(function (data) { self.clearOptions(); done(data.items); })
            .catch(function () { done(); });
        },
        render: {
          no_results: function () { return '<div class="no-results">没有匹配的选项</div>'; },
          loading: function () { return '<div class="no-results">正在查找…</div>'; },
        },
      };
      // a <select> brings its chosen <option>s itself (given here, they would replace them)
      if (!many) { config.options = chosen; config.items = chosen.map(function (o) { return o.value; }); }
      if (d.placeholder) config.placeholder = d.placeholder;
      var ts = new window.TomSelect(el, config);
      ts.wrapper.classList.add("zx-select");
      ts.wrapper.classList.replace("form-control", "form-select");
      ts.wrapper.classList.replace("form-control-sm", "form-select-sm");
      if (d.pickerEmpty) ts.control_input.setAttribute("aria-label", el.getAttribute("aria-label") || d.pickerEmpty);
    });
  }

  // <div data-show-when="mode=parallel"> is shown only while the radio or select `mode` has that value
  // ("decision=to_suggestion|to_opinion": one of those values); its controls are disabled while hidden, so
  // a step not chosen sends nothing (会办 or 分办, not both). Without JavaScript every box shows.
  function applyShowWhen(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (box) {
      var parts = box.dataset.showWhen.split("=");
      var form = box.closest("form") || document;
      var checked = form.querySelector('[name="' + parts[0] + '"]:checked');
      var plain = form.querySelector('select[name="' + parts[0] + '"]');
      var value = checked ? checked.value : (plain ? plain.value : "");
      var on = parts[1].split("|").indexOf(value) >= 0;
      box.hidden = !on;
      box.querySelectorAll("select, input, textarea").forEach(function (c) {
        c.disabled = !on;
        if (c.tomselect) { if (on) c.tomselect.enable(); else c.tomselect.disable(); }
      });
    });
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.name && document.querySelector('[data-show-when^="' + ev.target.name + '="]')) applyShowWhen(document);
  });

  function initAll(root) { initSelects(root); initPickers(root); applyShowWhen(root); }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); initCounts(document); initAll(document); initSelected(document); });
  document.body.addEventListener("htmx:afterSettle", function (ev) { renderCharts(ev.target); initAll(ev.target); });
})();
