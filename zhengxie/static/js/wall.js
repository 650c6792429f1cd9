// The 大屏 (templates/wall_base.html): [data-clock] shows the date and time, ticking every second. The page
// reloads itself every five minutes (<meta http-equiv="refresh">), which brings the figures up to date.
(function () {
  "use strict";
  var WEEKDAYS = "日一二三四五六";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var d = new Date();
    var text = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + WEEKDAYS[d.getDay()] +
      " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = text; });
  }
  tick();
  setInterval(tick, 1000);
})();
