// The editors' recording page: the video goes up with tus (resumable,
// pausable, resumed after a reload when the same file is chosen again),
// a subtitle track is checked first and its report (errors, warnings,
// first cues) shown before the editor accepts it. Text only ever goes
// into the page as textContent.
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
    var add = function (parent, tag, text, cls) {
      var el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      parent.appendChild(el);
      return el;
    };
    var list = function (head, items, cls, line) {
      if (!items.length) return;
      add(report, "p", fmt(head, [items.length]), cls + "-head");
      var ul = add(report, "ul", "", cls);
      items.forEach(function (x) { add(ul, "li", (line && x.line ? fmt(t.msgLine, [x.line]) + " " : "") + (line ? x.reason : x)); });
    };
    var label = function (select, value) { // an option's text in the interface language
      var o = document.querySelector("#" + select + " option[value='" + value + "']");
      return o ? o.textContent : value;
    };
    var failed = function (e) {
      add(report, "p", t.msgRejected + " " + (e.line ? fmt(t.msgLine, [e.line]) + " " : "") + (e.reason || e.message || ""), "form-error");
    };
    var answer = function (r) {
      if (r.status === 204) return { ok: true, body: {} };
      return r.json().then(function (j) { return { ok: r.ok, body: j }; }, function () { return { ok: false, body: { error: { message: r.status + " " + r.statusText } } }; });
    };
    // The file is checked first (POST …/check: nothing is stored) and the
    // report shown; Accept sends the same file with PUT. Subtitle files
    // are small (the server caps them), so sending it twice is cheaper
    // than keeping a pending copy on the server.
    var show = function (rep, send) {
      report.replaceChildren();
      report.dataset.state = rep.acceptable ? "checked" : "refused";
      if (!rep.acceptable) {
        add(report, "p", t.msgBad, "form-error");
        list(t.msgErrors, rep.errors || [], "track-errors", true);
        return;
      }
      add(report, "p", fmt(t.msgSummary, [rep.format + (rep.encoding ? " (" + rep.encoding + ")" : ""), rep.cue_count, clock(rep.start_ms / 1000), clock(rep.end_ms / 1000)]), "track-summary");
      add(report, "p", fmt(t.msgStoredAs, [rep.lang, label("track-kind", rep.kind), label("track-source", rep.source)]), "track-provenance");
      if (rep.replaces) add(report, "p", fmt(t.msgReplaces, [rep.replaces.lang, rep.replaces.version, rep.replaces.cue_count]), "track-replaces");
      if ((rep.new_speakers || []).length) add(report, "p", fmt(t.msgNew, [rep.new_speakers.join(", ")]), "track-new-speakers");
      if ((rep.held_speakers || []).length) add(report, "p", fmt(t.msgHeld, [rep.held_speakers.join(", ")]), "track-held");
      list(t.msgWarnings, rep.warnings || [], "track-warnings", true);
      add(report, "p", t.msgFirst, "track-first-head");
      var ol = add(report, "ol", "", "track-first-cues");
      (rep.first_cues || []).forEach(function (c) {
        add(ol, "li", clock(c.start_ms / 1000) + "–" + clock(c.end_ms / 1000) + " " + (c.speaker ? c.speaker + ": " : "") + c.text);
      });
      var p = add(report, "p", "", "track-actions");
      var ok = add(p, "button", t.msgAccept);
      ok.type = "button";
      ok.id = "track-accept";
      p.appendChild(document.createTextNode(" "));
      var no = add(p, "button", t.msgCancel);
      no.type = "button";
      no.id = "track-cancel";
      no.addEventListener("click", function () {
        report.replaceChildren();
        report.dataset.state = "cancelled";
        add(report, "p", t.msgCancelled, "form-notice");
        form.reset();
      });
      ok.addEventListener("click", function () {
        ok.disabled = no.disabled = true;
        send("PUT", "").then(function (res) {
          if (!res.ok) { failed(res.body.error || {}); return; }
          report.dataset.state = "stored";
          add(report, "p", fmt(t.msgCues, [res.body.cue_count]), "form-notice track-stored");
          window.setTimeout(function () { window.location.reload(); }, 800);
        }).catch(function (err) { failed({ message: err.message }); });
      });
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
      var send = function (method, path) {
        return fetch(base + path + q, { method: method, body: file, headers: { "X-CSRF-Token": t.csrf, "Accept": "application/json" }, credentials: "same-origin" }).then(answer);
      };
      report.replaceChildren();
      delete report.dataset.state;
      send("POST", "/check").then(function (res) {
        if (!res.ok) { failed(res.body.error || {}); return; }
        show(res.body, send);
      }).catch(function (err) { failed({ message: err.message }); });
    });
  }

  // Track controls: shift, drift correction, replace (through the same
  // check-then-accept form), delete after an inline confirmation.
  if (tracks) {
    var seconds = function (v) { // "754.2", "12:34.5", "1:02:03" → ms, or NaN
      v = v.trim();
      if (!/^-?\d+(\.\d+)?$|^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(v)) return NaN;
      var sign = v[0] === "-" ? -1 : 1, total = 0;
      v.replace("-", "").split(":").forEach(function (p) { total = total * 60 + parseFloat(p); });
      return Math.round(sign * total * 1000);
    };
    document.querySelectorAll("[data-track]").forEach(function (li) {
      var lang = li.dataset.track;
      var say = li.querySelector(".track-ctl-status");
      var url = "/api/v1/recordings/" + encodeURIComponent(t.recording) + "/tracks/" + encodeURIComponent(lang);
      var call = function (method, path, body) {
        say.textContent = "…";
        say.className = "track-ctl-status";
        return fetch(url + path, { method: method, body: body === undefined ? undefined : JSON.stringify(body),
          headers: { "X-CSRF-Token": t.csrf, "Accept": "application/json", "Content-Type": "application/json" }, credentials: "same-origin" })
          .then(answer).then(function (res) {
            if (!res.ok) {
              var e = res.body.error || {};
              say.textContent = t.msgRejected + " " + (e.message || "");
              say.className = "track-ctl-status form-error";
              return;
            }
            say.textContent = fmt(t.msgDone, [(res.body && res.body.version) || "–"]);
            say.className = "track-ctl-status form-notice";
            li.dataset.done = "1";
            window.setTimeout(function () { window.location.reload(); }, 600);
          }).catch(function (err) { say.textContent = t.msgRejected + " " + err.message; });
      };
      var time = function (cls) {
        var v = li.querySelector(cls).value, ms = seconds(v);
        if (isNaN(ms)) { say.textContent = fmt(t.msgBadtime, [v]); say.className = "track-ctl-status form-error"; }
        return ms;
      };
      li.querySelector(".track-shift-go").addEventListener("click", function () {
        var ms = time(".track-shift");
        if (!isNaN(ms)) call("POST", "/shift", { offset_ms: ms });
      });
      li.querySelector(".track-drift-go").addEventListener("click", function () {
        var p = [".track-a1", ".track-b1", ".track-a2", ".track-b2"].map(time);
        if (p.some(isNaN)) return;
        call("POST", "/linear", { points: [{ from_ms: p[0], to_ms: p[1] }, { from_ms: p[2], to_ms: p[3] }] });
      });
      li.querySelector(".track-replace").addEventListener("click", function () {
        document.getElementById("track-lang").value = lang;
        document.getElementById("track-kind").value = li.dataset.kind;
        document.getElementById("track-source").value = li.dataset.source;
        var f = document.getElementById("track-file");
        f.scrollIntoView({ block: "center" });
        f.focus();
      });
      var confirmBox = li.querySelector(".track-delete-confirm");
      li.querySelector(".track-delete").addEventListener("click", function () { confirmBox.hidden = false; });
      li.querySelector(".track-delete-no").addEventListener("click", function () { confirmBox.hidden = true; });
      li.querySelector(".track-delete-yes").addEventListener("click", function () { call("DELETE", ""); });
    });
  }
})();
