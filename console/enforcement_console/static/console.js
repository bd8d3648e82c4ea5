/* The little the pages need beyond HTML: a confirmation before an irreversible action, upload progress, charts.
   Every page works without it (forms post, tables show the chart's numbers). No inline scripts (the CSP forbids). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // <form data-upload-progress> with a <progress> inside: sends by XHR to show how much has gone, then shows the
  // answer page the server returns (a list of bad rows or the result).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-upload-progress") || event.defaultPrevented) { return; }
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    if (!bar || !window.FormData) { return; }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    bar.hidden = false;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.max = e.total; bar.value = e.loaded;
        if (status) { status.textContent = "已上传 " + Math.round(100 * e.loaded / e.total) + "%"; }
      }
    });
    request.upload.addEventListener("load", function () {
      if (status) { status.textContent = "上传完成，正在逐行检查……"; }
      bar.removeAttribute("value");
    });
    request.addEventListener("load", function () {
      document.open(); document.write(request.responseText); document.close();
      if (request.responseURL) { window.history.replaceState(null, "", request.responseURL); }
    });
    request.addEventListener("error", function () {
      if (status) { status.textContent = "上传失败：网络中断，请重试。"; }
    });
    request.send(new FormData(form));
  });

  // <canvas data-chart="ID"> draws the JSON in <script type="application/json" id="ID"> with Chart.js when present.
  function drawCharts() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      spec.options = spec.options || {};
      spec.options.responsive = true;
      spec.options.maintainAspectRatio = false;
      spec.options.animation = false;
      new window.Chart(canvas, spec);
    });
  }
  // deferred scripts (this one, then Chart.js) all run before DOMContentLoaded, so Chart is there by then
  if (document.readyState === "complete") { drawCharts(); } else { document.addEventListener("DOMContentLoaded", drawCharts); }
})();
