// 民主评议 on a phone: the rating form records where the phone is (navigator.geolocation) into its
// hidden fields (the photos chosen show in the site's file input, js/filepicker.js). No inline scripts (CSP):
// loaded by rate.html.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-appraisal-rate]");
    if (!form) return;
    var status = document.getElementById("geo-status");
    function set(name, value) {
      var el = form.querySelector('[data-geo="' + name + '"]');
      if (el) el.value = value;
    }
    if (navigator.geolocation) {
      if (status) status.textContent = "正在获取位置…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        set("latitude", pos.coords.latitude.toFixed(6));
        set("longitude", pos.coords.longitude.toFixed(6));
        set("accuracy", Math.round(pos.coords.accuracy || 0));
        if (status) status.textContent = "已记录评议位置（仅工作人员可见）";
      }, function () {
        if (status) status.textContent = "未能获取位置（可不填）";
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    } else if (status) {
      status.textContent = "此设备不支持定位（可不填）";
    }
  });
})();
