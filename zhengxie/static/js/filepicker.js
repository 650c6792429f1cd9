// The site's one file input (issue 15; django/forms/widgets/file.html): the box beside 「选择文件」 says what was
// chosen — the file's name, 「已选 N 个文件」 for several, 「未选择文件」 for none (the template's data-empty and
// data-many) — in our words, not the browser's. Without JavaScript the input works as before.
(function () {
  "use strict";
  var INPUT = "[data-file-picker] > input[type=file]";
  function show(input) {
    var out = input.parentElement.querySelector("[data-file-picker-name]");
    if (!out) return;
    var names = Array.from(input.files || []).map(function (f) { return f.name; });
    out.textContent = names.length === 1 ? names[0] : names.length ? out.dataset.many.replace("{n}", names.length) : out.dataset.empty;
    out.title = names.join("\n");
    input.parentElement.classList.toggle("has-file", names.length > 0);
  }
  function all(root) { if (root.querySelectorAll) root.querySelectorAll(INPUT).forEach(show); }
  document.addEventListener("change", function (ev) { if (ev.target.matches && ev.target.matches(INPUT)) show(ev.target); });
  // A form's reset empties its inputs after the event; going back, the browser may bring the chosen files back.
  document.addEventListener("reset", function (ev) { setTimeout(function () { all(ev.target); }, 0); });
  window.addEventListener("pageshow", function () { all(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { all(ev.target); });
})();
