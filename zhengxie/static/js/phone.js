// Phones and small screens (issue 15), without inline scripts (CSP): cards instead of squeezed tables, live
// character counts on every limited field, and confirmations asked by a button's own data-confirm.
(function () {
  "use strict";

  // <button data-confirm="确定？"> asks before submitting its form (one of several buttons: 同意附议 goes
  // at once, 拒绝 asks). A form's own data-confirm and data-confirm-button are app.js's.
  document.addEventListener("submit", function (ev) {
    var b = ev.submitter;
    if (!b || b.hasAttribute("data-confirm-button")) return;
    var msg = b.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);

  // Every text field with a maxlength of 30 or more shows "N / 200 字" under it as one types (fields that
  // app.js already counts, data-charcount, are left to it). data-no-count on a container turns it off.
  function update(el) {
    var out = document.getElementById(el.dataset.autocount);
    if (!out) return;
    var max = parseInt(el.getAttribute("maxlength"), 10);
    var n = Array.from(el.value).length;
    out.textContent = n + " / " + max + " 字" + (n >= max ? "（已达上限）" : "");
    out.classList.toggle("text-danger", n >= max);
  }
  // A field in an .input-group or another row of fields and buttons (a flex row: 协商选题's 归类 / 排序 / ✓)
  // gets its count under the row (inside, it sat between the field and its button, "4 / 50 字" a column of
  // three lines); fields without an id that share a name (一键并案's 并案说明 of each group) get ids of their own.
  function inRow(el) {
    var p = el.parentElement;
    if (!p) return false;
    if (p.classList.contains("input-group")) return true;
    var st = window.getComputedStyle(p);
    return st.display.indexOf("flex") !== -1 && st.flexDirection.indexOf("row") === 0;
  }
  var counted = 0;
  function autoCounts(root) {
    root.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(function (el) {
      var max = parseInt(el.getAttribute("maxlength"), 10);
      if (el.dataset.charcount || el.dataset.autocount || !(max >= 30) || el.closest("[data-no-count]")) return;
      var out = document.createElement("div");
      out.className = "form-text text-end char-count";
      out.id = (el.id || el.name || "field") + "-autocount" + (el.id ? "" : "-" + ++counted);
      out.setAttribute("aria-live", "polite");
      var group = inRow(el) ? el.parentElement : el;
      group.insertAdjacentElement("afterend", out);
      el.dataset.autocount = out.id;
      update(el);
    });
  }
  document.addEventListener("input", function (ev) {
    if (ev.target.dataset && ev.target.dataset.autocount) update(ev.target);
  });

  // Tables become cards on a phone (css/app.css below 576px): each cell carries its column's header as
  // data-label, so a row reads "状态  已答复" line by line instead of columns squeezed to one character.
  // Tables with a simple one-row header are labelled; <table class="table-keep"> stays a table.
  function labelTables(root) {
    var tables = root.matches && root.matches("table") ? [root] : root.querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (t) {
      if (t.classList.contains("table-keep") || !t.tHead || t.tHead.rows.length !== 1) return;
      var heads = Array.from(t.tHead.rows[0].cells);
      if (heads.some(function (h) { return h.colSpan > 1; })) return;
      var labels = heads.map(function (h) { return h.textContent.trim(); });
      Array.from(t.tBodies).forEach(function (body) {
        Array.from(body.rows).forEach(function (row) {
          if (row.cells.length !== labels.length) { row.classList.add("row-wide"); return; }
          Array.from(row.cells).forEach(function (cell, i) {
            if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[i]);
          });
        });
      });
      t.classList.add("table-cards");
    });
  }

  function init(root) { autoCounts(root); labelTables(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (ev) {
    var t = ev.target.closest && ev.target.closest("table");
    init(t || ev.target);
  });
})();
