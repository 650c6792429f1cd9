// The 大屏 (templates/wall_base.html): [data-clock] shows the date and time, ticking every second, in the
// site's time zone (its value, e.g. Asia/Shanghai: the same clock as 统计时间, whatever the screen's own
// setting). The page reloads itself every five minutes (<meta http-equiv="refresh">), which brings the
// figures up to date.
(function () {
  "use strict";
  var WEEKDAYS = "日一二三四五六";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function parts(d, tz) {
    // The wall time of `d` in `tz` as numbers; the screen's own zone when tz is missing or unknown.
    try {
      var out = {};
      new Intl.DateTimeFormat("en-US", {
        timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric", weekday: "short"
      }).formatToParts(d).forEach(function (p) { out[p.type] = p.value; });
      var day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(out.weekday);
      return { y: +out.year, m: +out.month, d: +out.day, h: +out.hour % 24, mi: +out.minute, s: +out.second, w: day };
    } catch (e) {
      return { y: d.getFullYear(), m: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), w: d.getDay() };
    }
  }
  function tick() {
    var now = new Date();
    document.querySelectorAll("[data-clock]").forEach(function (el) {
      var t = parts(now, el.dataset.clock || undefined);
      el.textContent = t.y + "年" + t.m + "月" + t.d + "日 星期" + WEEKDAYS[t.w] + " " + pad(t.h) + ":" + pad(t.mi) + ":" + pad(t.s);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
