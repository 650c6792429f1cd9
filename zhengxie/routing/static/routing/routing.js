// 智能分办: after 采用, the server's HX-Trigger "routing-fill" carries {category, units}; put them in the
// page's form (category, 主办 lead_unit / 会办 co_units, or 微建议's unit). Tom Select widgets follow.
(function () {
  if (window.__routingFill) return;
  window.__routingFill = true;
  function set(el, values) {
    if (!el) return;
    values = values.map(String).filter(function (v) {
      return Array.prototype.some.call(el.options || [], function (o) { return o.value === v; });
    });
    if (!values.length) return;
    if (el.tomselect) { el.tomselect.setValue(el.multiple ? values : values[0]); }
    else if (el.multiple) {
      Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
    } else { el.value = values[0]; }
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.body.addEventListener("routing-fill", function (e) {
    var d = e.detail || {};
    var units = d.units || [];
    var category = document.querySelector("select[name=category]");
    // 立案审查: the category belongs to 立案 (shown only once it is chosen); adopting it with no decision yet
    // chooses 立案, so the filled category is seen; a decision already chosen is left as it is.
    var form = category && category.closest("form");
    var accept = form && form.querySelector("input[name=decision][value=accept]");
    if (d.category && accept && !form.querySelector("input[name=decision]:checked")) {
      accept.checked = true;
      accept.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (d.category) set(category, [d.category]);
    if (units.length) {
      set(document.querySelector("select[name=lead_unit]"), [units[0]]);
      set(document.querySelector("select[name=co_units]"), units.slice(1));
      set(document.querySelector("select[name=unit]"), [units[0]]);
    }
  });
})();
