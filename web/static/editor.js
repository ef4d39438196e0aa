// The editors' recording page: the video goes up with tus (resumable,
// pausable, resumed after a reload when the same file is chosen again),
// a subtitle track with a PUT whose report (warnings, first cues) is
// shown. Text only ever goes into the page as textContent.
(function () {
  "use strict";

  function fmt(msg, args) {
    return msg.replace(/\{(\d)\}/g, function (_, i) { return args[+i]; });
  }
  function mib(n) { return (n / 1048576).toFixed(1); }
  function clock(s) {
    if (!isFinite(s) || s < 0) return "–";
    s = Math.round(s);
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  var box = document.querySelector("[data-upload]");
  if (box && window.tus) {
    var d = box.dataset;
    var input = document.getElementById("video-file");
    var bar = document.getElementById("video-progress");
    var status = document.getElementById("video-status");
    var pause = document.getElementById("video-pause");
    var resume = document.getElementById("video-resume");
    var upload = null, mark = null;

    var onProgress = function (sent, total) {
      var now = Date.now();
      if (!mark) mark = { t: now, n: sent };
      var rate = (sent - mark.n) / Math.max(1, now - mark.t) * 1000; // bytes/s since (re)start
      bar.max = total;
      bar.value = sent;
      status.textContent = fmt(d.msgProgress, [Math.floor(sent / total * 100), mib(sent), mib(total), mib(rate), clock(rate > 0 ? (total - sent) / rate : NaN)]);
    };
    var start = function () {
      mark = null;
      pause.disabled = false;
      resume.disabled = true;
      upload.start();
    };
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) return;
      upload = new tus.Upload(file, {
        endpoint: "/api/v1/uploads/",
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        chunkSize: 8 * 1048576,
        metadata: { recording: d.recording, filename: file.name, filetype: file.type },
        headers: { "X-CSRF-Token": d.csrf },
        removeFingerprintOnSuccess: true,
        onProgress: onProgress,
        onError: function (err) {
          status.textContent = d.msgFailed + " " + ((err.originalResponse && err.originalResponse.getBody()) || err.message);
          pause.disabled = true;
          resume.disabled = false;
        },
        onSuccess: function () {
          bar.value = bar.max;
          status.textContent = d.msgDone;
          pause.disabled = resume.disabled = true;
          box.dataset.done = "1";
          window.setTimeout(function () { window.location.reload(); }, 800);
        }
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          status.textContent = d.msgResuming;
          upload.resumeFromPreviousUpload(previous[0]);
        }
        start();
      });
    });
    pause.addEventListener("click", function () {
      if (!upload) return;
      upload.abort();
      pause.disabled = true;
      resume.disabled = false;
      status.textContent = d.msgPaused;
    });
    resume.addEventListener("click", function () { if (upload) start(); });
  }

  var tracks = document.querySelector("[data-tracks]");
  var form = document.getElementById("track-form");
  if (tracks && form) {
    var t = tracks.dataset;
    var report = document.getElementById("track-report");
    var add = function (tag, text, cls) {
      var el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      report.appendChild(el);
      return el;
    };
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = document.getElementById("track-file").files[0];
      var lang = document.getElementById("track-lang").value.trim();
      if (!file || !lang) return;
      var q = "?kind=" + encodeURIComponent(document.getElementById("track-kind").value) +
        "&source=" + encodeURIComponent(document.getElementById("track-source").value) +
        "&name=" + encodeURIComponent(file.name);
      var base = "/api/v1/recordings/" + encodeURIComponent(t.recording) + "/tracks/" + encodeURIComponent(lang);
      report.replaceChildren();
      fetch(base + q, { method: "PUT", body: file, headers: { "X-CSRF-Token": t.csrf, "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (res) {
          if (!res.ok) {
            var e = res.body.error || {};
            add("p", t.msgRejected + " " + (e.line ? fmt(t.msgLine, [e.line]) + " " : "") + (e.reason || e.message || ""), "form-error");
            return;
          }
          add("p", fmt(t.msgCues, [res.body.cue_count]), "form-notice");
          var w = res.body.warnings || [];
          if (w.length) {
            add("p", fmt(t.msgWarnings, [w.length]), "track-warnings-head");
            var ul = add("ul", "", "track-warnings");
            w.forEach(function (x) {
              var li = document.createElement("li");
              li.textContent = fmt(t.msgLine, [x.line]) + " " + x.reason;
              ul.appendChild(li);
            });
          }
          return fetch(base, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (tr) {
              var ol = add("ol", "", "track-first-cues");
              (tr.cues || []).slice(0, 5).forEach(function (c) {
                var li = document.createElement("li");
                li.textContent = clock(c.start_ms / 1000) + " " + (c.speaker ? c.speaker + ": " : "") + c.text;
                ol.appendChild(li);
              });
            });
        })
        .catch(function (err) { add("p", t.msgRejected + " " + err.message, "form-error"); });
    });
  }
})();
