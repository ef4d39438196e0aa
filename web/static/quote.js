// The watch page's passage tools (issue 12). A passage is marked by
// shift-clicking the times of its first and last lines (or, after "Select
// lines", by plain clicks and taps on them) or by taking its ends from the
// video; each end then moves by a line or a tenth of a second. The
// passage plays from start to end, is copied as a link that keeps t and
// end, and becomes a quote (POST /api/v1/quotes) whose permalink /q/<id>
// is shown. app.js plays it: this file only asks, with events on the
// video. On a page without a video the passage is marked, copied and
// quoted all the same. Without JavaScript the page still links the
// passage it opened with.
(function () {
  'use strict';

  var panel = document.getElementById('passage');
  var video = document.getElementById('player');
  var list = document.getElementById('transcript');
  if (!panel || !list || !window.fetch) {
    return;
  }
  var d = panel.dataset;
  function $(id) {
    return document.getElementById(id);
  }
  var summary = $('passage-summary');
  var link = $('passage-link');
  var status = $('passage-status');
  var selectLines = $('select-lines');
  var play = $('passage-play');
  var copy = $('passage-copy');
  var create = $('passage-create');
  var clear = $('passage-clear');
  var maxMS = parseInt(d.maxms, 10) || 300000;
  var maxLines = parseInt(d.maxlines, 10) || 60;

  function ms(sec) {
    return Math.round(parseFloat(sec) * 1000);
  }

  // The passage, in milliseconds; null when none is marked.
  var range = null;
  var startAt = ms(d.start || '0') || 0;
  var endAt = ms(d.end || '') || 0;
  if (endAt > startAt) {
    range = { start: startAt, end: endAt };
  }
  var anchor = null; // the line a selection extends from: {start, end}

  function cues() {
    return Array.prototype.map.call(list.querySelectorAll('li.cue'), function (el) {
      return { el: el, start: ms(el.dataset.start), end: ms(el.dataset.end) };
    });
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  // clock writes a moment to the tenth, in the interface's numbers:
  // "1:35.2", "1:02:03,4".
  function clock(t) {
    var tenths = Math.round(t / 100);
    var s = Math.floor(tenths / 10);
    var h = Math.floor(s / 3600);
    var m = Math.floor(s / 60) % 60;
    var c = h > 0 ? h + ':' + pad(m) + ':' + pad(s % 60) : m + ':' + pad(s % 60);
    return c + (d.decimal || '.') + (tenths % 10);
  }

  function seconds(t) {
    return String(t / 1000);
  }

  function fill(text, args) {
    return text.replace(/\{(\d)\}/g, function (all, i) {
      return args[i] === undefined ? all : args[i];
    });
  }

  function say(text) {
    status.textContent = text;
  }

  // The transcript's language (app.js switches it in place).
  function lang() {
    return list.getAttribute('lang') || '';
  }

  function passageURL() {
    var u = new URL(window.location.href);
    u.search = '';
    u.hash = '';
    u.searchParams.set('t', seconds(range.start));
    u.searchParams.set('end', seconds(range.end));
    if (lang()) {
      u.searchParams.set('lang', lang());
    }
    return u;
  }

  // lines counts the lines the passage takes in (as the archive does:
  // those it overlaps).
  function lines() {
    return cues().filter(function (c) {
      return c.start < range.end && c.end > range.start;
    }).length;
  }

  // The timeline's band for the passage, when the page has a timeline.
  function band() {
    var tl = $('timeline');
    if (!tl) {
      return;
    }
    var rect = tl.querySelector('.tl-range');
    var dur = (parseFloat(tl.dataset.duration) || (video && video.duration) || 0) * 1000;
    if (!range || !(dur > 0) || !isFinite(dur)) {
      if (rect) {
        rect.remove();
      }
      return;
    }
    if (!rect) {
      rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      rect.setAttribute('class', 'tl-range');
      rect.setAttribute('y', '4');
      rect.setAttribute('height', '16');
      tl.insertBefore(rect, tl.querySelector('.tl-mark, .tl-playhead'));
    }
    var x = Math.min(1000, range.start / dur * 1000);
    rect.setAttribute('x', x.toFixed(1));
    rect.setAttribute('width', Math.max(2, Math.min(1000, range.end / dur * 1000) - x).toFixed(1));
    var title = rect.querySelector('title'); // the server's names the opening range
    if (title) {
      title.textContent = summary.textContent;
    }
  }

  function show() {
    var on = range !== null;
    cues().forEach(function (c) {
      c.el.classList.toggle('in-range', on && c.start < range.end && c.end > range.start);
    });
    [play, copy, create, clear].forEach(function (b) {
      b.disabled = !on;
    });
    link.hidden = !on;
    ['start', 'end'].forEach(function (which) {
      $('passage-' + which).textContent = on ? clock(range[which]) : '–';
    });
    if (on) {
      link.href = passageURL().pathname + passageURL().search;
      summary.textContent = fill(d.summary, [clock(range.start), clock(range.end), ((range.end - range.start) / 1000).toFixed(1).replace('.', d.decimal || '.')]);
    } else {
      summary.textContent = d.none;
    }
    band();
  }

  function set(start, end) {
    start = Math.max(0, Math.round(start));
    end = Math.round(end);
    if (!(end > start)) {
      return;
    }
    range = { start: start, end: end };
    say('');
    show();
  }

  // at is the line being spoken at t or, in a pause, the next one (the
  // rule of app.js and the server).
  function at(t) {
    var cs = cues();
    for (var i = 0; i < cs.length; i++) {
      if (cs[i].end > t) {
        return cs[i];
      }
    }
    return cs.length ? cs[cs.length - 1] : null;
  }

  // choose extends the passage from the anchor line to the clicked one.
  function choose(c) {
    if (!anchor) {
      anchor = { start: c.start, end: c.end };
    }
    set(Math.min(anchor.start, c.start), Math.max(anchor.end, c.end));
  }

  // The times of the lines: a shift-click (or Shift+Enter), or any click
  // while "Select lines" is on, marks the passage instead of seeking. It
  // runs before app.js's seeking (capture), which leaves a click handled
  // here alone.
  list.addEventListener('click', function (ev) {
    var a = ev.target.closest('a.cue-time');
    if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.altKey) {
      return;
    }
    var selecting = selectLines && selectLines.getAttribute('aria-pressed') === 'true';
    var li = a.closest('li');
    var c = { start: ms(li.dataset.start), end: ms(li.dataset.end) };
    if (!ev.shiftKey && !selecting) {
      anchor = c; // a later shift-click extends from the line played
      return;
    }
    ev.preventDefault();
    if (ev.shiftKey && !anchor) {
      var cur = list.querySelector('li.current');
      if (cur) {
        anchor = { start: ms(cur.dataset.start), end: ms(cur.dataset.end) };
      }
    }
    choose(c);
  }, true);

  // Words selected in the transcript: their lines can become the passage.
  var fromText = $('passage-from-text');
  var picked = null;
  document.addEventListener('selectionchange', function () {
    var sel = window.getSelection();
    picked = null;
    if (sel.rangeCount && !sel.isCollapsed) {
      var r = sel.getRangeAt(0);
      var hit = cues().filter(function (c) {
        return r.intersectsNode(c.el.querySelector('.cue-text') || c.el);
      });
      if (hit.length) {
        picked = { start: hit[0].start, end: hit[hit.length - 1].end };
      }
    }
    fromText.disabled = !picked;
  });
  // Pressing the button must not take the selection away first.
  fromText.addEventListener('mousedown', function (ev) {
    ev.preventDefault();
  });
  fromText.addEventListener('click', function () {
    if (picked) {
      anchor = { start: picked.start, end: picked.start };
      set(picked.start, picked.end);
    }
  });
  fromText.disabled = true;

  if (selectLines) {
    selectLines.addEventListener('click', function () {
      var on = selectLines.getAttribute('aria-pressed') !== 'true';
      selectLines.setAttribute('aria-pressed', String(on));
      list.classList.toggle('selecting', on);
      anchor = null; // a new selection starts at the next line chosen
      panel.hidden = false;
    });
  }

  // One end moves: to the video's time, by a line, or by a tenth.
  function move(which, how) {
    var cs = cues();
    var now = video ? Math.round(video.currentTime * 10) * 100 : 0;
    var r = range || { start: now, end: now };
    var t = r[which];
    var i, to = null;
    switch (how) {
    case 'now':
      if (!range) {
        var c = at(now);
        if (which === 'start') {
          set(now, c && c.end > now ? c.end : now + 5000);
        } else {
          var back = cs.filter(function (x) { return x.start < now - 50; });
          set(back.length ? back[back.length - 1].start : Math.max(0, now - 5000), now);
        }
        return;
      }
      to = now;
      break;
    case 'tenth-':
      to = t - 100;
      break;
    case 'tenth+':
      to = t + 100;
      break;
    case 'line-':
    case 'line+':
      // Starts go to the start of a line, ends to the end of one.
      var edge = which === 'start' ? 'start' : 'end';
      for (i = 0; i < cs.length; i++) {
        var e = cs[i][edge];
        if (how === 'line-' && e < t - 50) {
          to = e;
        }
        if (how === 'line+' && e > t + 50 && to === null) {
          to = e;
        }
      }
      break;
    }
    if (to === null || !range) {
      return;
    }
    if (which === 'start') {
      set(Math.min(to, range.end - 100), range.end);
    } else {
      set(range.start, Math.max(to, range.start + 100));
    }
  }

  Array.prototype.forEach.call(panel.querySelectorAll('.passage-end'), function (fs) {
    fs.addEventListener('click', function (ev) {
      var b = ev.target.closest('button[data-move]');
      if (b) {
        move(fs.dataset.end, b.dataset.move);
      }
    });
  });

  play.addEventListener('click', function () {
    if (range && video) {
      video.dispatchEvent(new CustomEvent('passage-play', { detail: { start: range.start / 1000, end: range.end / 1000 } }));
    }
  });

  clear.addEventListener('click', function () {
    range = null;
    anchor = null;
    say('');
    if (video) {
      video.dispatchEvent(new CustomEvent('passage-clear'));
    }
    show();
  });

  copy.addEventListener('click', function () {
    if (!range) {
      return;
    }
    var url = passageURL().href;
    var done = function (key) {
      say(fill(d[key], [url]));
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { done('copied'); }, function () { done('failed'); });
    } else {
      done('failed');
    }
  });

  // failure names, in the interface language, why the archive refused.
  function failure(r) {
    switch (r ? r.status : 0) {
    case 429:
      var wait = parseInt(r.headers.get('Retry-After'), 10) || 60;
      return fill(d.errRate, [Math.max(1, Math.ceil(wait / 60))]);
    case 400:
      return d.errRefused;
    case 413:
      return fill(d.errLong, [maxMS / 60000, maxLines]);
    case 401:
    case 403:
      return d.errEditors;
    case 404:
      return d.errGone;
    }
    return d.errFailed;
  }

  function created(url) {
    var abs = new URL(url, window.location.href).href;
    var parts = d.created.split('{0}');
    var a = document.createElement('a');
    a.id = 'quote-link';
    a.href = url;
    a.textContent = abs;
    status.textContent = '';
    status.appendChild(document.createTextNode(parts[0]));
    status.appendChild(a);
    status.appendChild(document.createTextNode(parts.slice(1).join('{0}')));
    a.focus();
  }

  create.addEventListener('click', function () {
    if (!range) {
      return;
    }
    var n = lines();
    if (range.end - range.start > maxMS || n > maxLines) {
      say(fill(d.errLong, [maxMS / 60000, maxLines]));
      return;
    }
    if (n === 0) {
      say(d.errEmpty); // between lines, or where only withheld words were
      return;
    }
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (d.csrf) {
      headers['X-CSRF-Token'] = d.csrf; // signed in: the session's token
    }
    create.disabled = true;
    say(d.creating);
    fetch('/api/v1/quotes', {
      method: 'POST', headers: headers, credentials: 'same-origin',
      body: JSON.stringify({ recording_id: d.rec, lang: lang(), start_ms: range.start, end_ms: range.end })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 201 && body.url) {
          created(body.url);
        } else {
          say(failure(r));
        }
      });
    }, function () {
      say(failure(null));
    }).then(function () {
      create.disabled = !range;
    });
  });

  // The transcript changes (more lines, another language): mark it again.
  list.addEventListener('transcript-change', show);

  panel.hidden = false;
  Array.prototype.forEach.call(panel.querySelectorAll('[hidden]'), function (el) {
    if (el !== link) {
      el.hidden = false;
    }
  });
  if (!video) {
    Array.prototype.forEach.call(panel.querySelectorAll('.needs-video'), function (el) {
      el.hidden = true; // nothing to play, no video's time to take
    });
  }
  if (selectLines) {
    selectLines.hidden = false;
  }
  show();
})();
