// Verbatim viewer pages. Everything here is an enhancement: without it the
// transcript is a list of links to ?t= moments and the pages still work.

// The transcript loader. The watch page holds a window of the track around
// the moment, with "earlier" and "later" links to the neighbouring windows;
// here the window grows instead, a page of cues at a time from the track's
// JSON (?offset=&limit=), when the viewer scrolls to an end of it or
// follows those links, and is replaced by the cues around a moment the
// video reaches outside it (?from_ms=).
(function () {
  'use strict';

  var list = document.getElementById('transcript');
  if (!list || !list.dataset.api || !window.fetch) {
    return;
  }
  var api = list.dataset.api;
  var from = parseInt(list.dataset.from, 10) || 0;
  var to = parseInt(list.dataset.to, 10) || 0;
  var total = parseInt(list.dataset.total, 10) || 0;
  var lang = list.getAttribute('lang') || '';
  var q = new URL(window.location.href).searchParams.get('q') || '';
  var earlier = document.getElementById('earlier');
  var later = document.getElementById('later');
  var page = 100;
  var before = 50;
  var busy = false;
  var quietUntil = 0; // set when the window is replaced

  function seconds(ms) {
    return String(ms / 1000);
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  // clock is the server's clock(): "1:35", "1:02:03".
  function clock(ms) {
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor(s / 60) % 60;
    return h > 0 ? h + ':' + pad(m) + ':' + pad(s % 60) : m + ':' + pad(s % 60);
  }

  function moment(ms) {
    var u = new URL(window.location.href);
    u.search = '';
    u.searchParams.set('t', seconds(ms));
    if (lang) {
      u.searchParams.set('lang', lang);
    }
    if (q) {
      u.searchParams.set('q', q);
    }
    return u.pathname + u.search;
  }

  function span(cls, text) {
    var el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    return el;
  }

  // markers are the archive's fixed stand-ins for what viewers may not
  // see, in the interface language (pages_withheld.go does the same).
  var markers = [
    ['[passage withheld at the speaker\'s request]', list.dataset.withheld],
    ['[name withheld]', list.dataset.namewithheld],
    ['[redacted]', list.dataset.redacted]
  ];

  function localise(text) {
    markers.forEach(function (m) {
      if (m[1]) {
        text = text.split(m[0]).join(m[1]);
      }
    });
    return text;
  }

  // cueText is the server's shownText(): a withheld span reads as the
  // notice, a later speaker's span starts with their name.
  function cueText(c) {
    if (!c.spans || !c.spans.length) {
      return localise(c.text);
    }
    var prev = '';
    return c.spans.map(function (s, k) {
      var t = s.text;
      if (s.withheld) {
        t = list.dataset.withheld || t;
      } else if (k > 0 && s.speaker && s.speaker !== prev) {
        t = s.speaker + ': ' + t;
      }
      prev = s.speaker;
      return localise(t);
    }).join('\n');
  }

  // item builds a cue as the server renders it (text only, never markup).
  function item(c, pos) {
    var li = document.createElement('li');
    li.id = 'cue-' + (pos + 1);
    li.className = 'cue';
    li.dataset.start = seconds(c.start_ms);
    li.dataset.end = seconds(c.end_ms);
    var a = document.createElement('a');
    a.className = 'cue-time';
    a.href = moment(c.start_ms);
    a.textContent = clock(c.start_ms);
    li.appendChild(a);
    if (c.speaker) {
      li.dataset.speaker = c.speaker;
      li.appendChild(span('cue-speaker', c.speaker));
    }
    li.appendChild(span('cue-text', cueText(c)));
    return li;
  }

  function items(res) {
    var frag = document.createDocumentFragment();
    res.cues.forEach(function (c, i) {
      frag.appendChild(item(c, res.offset + i));
    });
    return frag;
  }

  function get(query) {
    return fetch(api + '?' + query, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) {
        throw new Error('cues: ' + r.status);
      }
      return r.json();
    });
  }

  // turns shows a speaker's name where the speaker changes only.
  function turns() {
    var prev = null;
    Array.prototype.forEach.call(list.children, function (li) {
      var name = li.querySelector('.cue-speaker');
      if (name) {
        name.hidden = prev !== null && li.dataset.speaker === prev;
      }
      prev = li.dataset.speaker || '';
    });
  }

  function changed(res) {
    total = res.total;
    turns();
    list.dataset.from = String(from);
    list.dataset.to = String(to);
    if (earlier) {
      earlier.parentNode.hidden = from <= 0;
    }
    if (later) {
      later.parentNode.hidden = to >= total;
    }
    list.dispatchEvent(new CustomEvent('transcript-change'));
  }

  function load(work) {
    if (busy) {
      return;
    }
    busy = true;
    list.setAttribute('aria-busy', 'true');
    work().catch(function () {}).then(function () {
      busy = false;
      list.removeAttribute('aria-busy');
    });
  }

  function prepend() {
    if (from <= 0) {
      return;
    }
    load(function () {
      var o = Math.max(0, from - page);
      return get('offset=' + o + '&limit=' + (from - o)).then(function (res) {
        var height = list.scrollHeight;
        list.insertBefore(items(res), list.firstChild);
        list.scrollTop += list.scrollHeight - height; // keep what the viewer reads in place
        from = res.offset;
        changed(res);
      });
    });
  }

  function append() {
    if (to >= total) {
      return;
    }
    load(function () {
      return get('offset=' + to + '&limit=' + page).then(function (res) {
        list.appendChild(items(res));
        to = res.offset + res.cues.length;
        changed(res);
      });
    });
  }

  // around replaces the window with the cues around ms.
  function around(ms) {
    load(function () {
      return get('from_ms=' + Math.max(0, Math.floor(ms)) + '&limit=1').then(function (res) {
        return get('offset=' + Math.max(0, res.offset - before) + '&limit=' + (before + page));
      }).then(function (res) {
        quietUntil = Date.now() + 1000; // the list jumps: not the viewer scrolling
        list.textContent = '';
        list.appendChild(items(res));
        from = res.offset;
        to = res.offset + res.cues.length;
        changed(res);
      });
    });
  }

  // Only the direction the list moves in loads: the player scrolling the
  // current cue into view (smoothly, from the top) must not load the cues
  // before it.
  var lastTop = list.scrollTop;
  list.addEventListener('scroll', function () {
    var top = list.scrollTop;
    if (Date.now() < quietUntil) {
      lastTop = top;
      return;
    }
    if (top < lastTop && top < 200) {
      prepend();
    } else if (top > lastTop && list.scrollHeight - top - list.clientHeight < 200) {
      append();
    }
    lastTop = top;
  }, { passive: true });

  list.addEventListener('transcript-time', function (ev) {
    var ms = ev.detail * 1000;
    var first = list.firstElementChild;
    var last = list.lastElementChild;
    if (!first || busy) {
      return;
    }
    if ((from > 0 && ms < parseFloat(first.dataset.start) * 1000) || (to < total && ms >= parseFloat(last.dataset.end) * 1000)) {
      around(ms);
      return;
    }
    // Playing towards the end of the window: the next page comes early.
    var cur = list.querySelector('li.current');
    for (var n = 0; cur && n < 20; n++) {
      cur = cur.nextElementSibling;
    }
    if (list.querySelector('li.current') && !cur) {
      append();
    }
  });

  // Another language: the same window of time from that track's cues.
  list.addEventListener('transcript-lang', function switchTrack(ev) {
    if (busy) {
      setTimeout(function () { switchTrack(ev); }, 100);
      return;
    }
    lang = ev.detail.lang;
    api = api.replace(/[^/]+$/, encodeURIComponent(lang));
    list.dataset.api = api;
    around(ev.detail.ms);
  });

  [[earlier, prepend], [later, append]].forEach(function (p) {
    if (p[0]) {
      p[0].addEventListener('click', function (ev) {
        if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) {
          return;
        }
        ev.preventDefault();
        p[1]();
      });
    }
  });
})();

(function () {
  'use strict';

  var video = document.getElementById('player');
  if (!video) {
    return;
  }
  var list = document.getElementById('transcript');
  var playhead = document.getElementById('playhead');
  var timeline = document.getElementById('timeline');
  var follow = document.getElementById('follow');
  var momentLink = document.getElementById('moment-link');
  var copyButton = document.getElementById('copy-link');
  var status = document.getElementById('copy-status');

  var lang = video.dataset.lang || '';
  var start = parseFloat(video.dataset.start || '0') || 0;
  var end = parseFloat(video.dataset.end || '') || 0;
  var endDone = false;
  var settled = start <= 0; // ignore time updates until the first seek lands
  var lastUserScroll = 0;
  var current = null;

  // The transcript is a window of the track (see the loader below); cues
  // holds what is in the page now and is collected again when it changes.
  var cues = [];
  function collect() {
    cues = [];
    current = null;
    if (!list) {
      return;
    }
    Array.prototype.forEach.call(list.querySelectorAll('li.cue'), function (el) {
      cues.push({ el: el, start: parseFloat(el.dataset.start), end: parseFloat(el.dataset.end) });
      if (el.classList.contains('current')) {
        current = el;
      }
    });
  }
  collect();

  // tell the transcript loader where the video is, so it can load the
  // cues around a moment outside the window.
  function reached(t) {
    if (list) {
      list.dispatchEvent(new CustomEvent('transcript-time', { detail: t }));
    }
  }

  function showChosenTrack() {
    for (var i = 0; i < video.textTracks.length; i++) {
      var tt = video.textTracks[i];
      tt.mode = tt.language === lang ? 'showing' : 'disabled';
    }
  }

  function fmt(t) {
    return String(Math.round(t * 10) / 10);
  }

  function momentURL(t) {
    var u = new URL(window.location.href);
    u.search = '';
    u.searchParams.set('t', fmt(t));
    if (lang) {
      u.searchParams.set('lang', lang);
    }
    return u;
  }

  function momentPath(t) {
    var u = momentURL(t);
    return u.pathname + u.search;
  }

  // cueAt returns the cue being spoken at t or, in a pause, the next one:
  // the first cue that has not ended (the server marks the same one).
  function cueAt(t) {
    for (var i = 0; i < cues.length; i++) {
      if (cues[i].end > t) {
        return cues[i];
      }
    }
    return null;
  }

  // band is the part of the transcript the viewer can see: the list's box
  // less what lies outside the window or under the sticky video.
  function band() {
    var r = list.getBoundingClientRect();
    var top = Math.max(r.top, 0);
    var box = video.parentNode.getBoundingClientRect();
    if (getComputedStyle(video.parentNode).position === 'sticky' && box.top <= 1) {
      top = Math.max(top, box.bottom);
    }
    return { top: top, bottom: Math.min(r.bottom, window.innerHeight) };
  }

  // scrollIntoList keeps el inside the visible part of the transcript,
  // scrolling the list (never the page) to put it a third of the way down.
  function scrollIntoList(el, force) {
    if (!list || list.scrollHeight <= list.clientHeight) {
      return;
    }
    if (!force && ((follow && !follow.checked) || Date.now() - lastUserScroll < 4000)) {
      return;
    }
    var b = band();
    var r = el.getBoundingClientRect();
    if (b.bottom - b.top < r.height) {
      b = list.getBoundingClientRect(); // the page hides the list: scroll it for later
    }
    if (r.top >= b.top && r.bottom <= b.bottom) {
      return;
    }
    var room = b.bottom - b.top - r.height;
    list.scrollTop += r.top - b.top - Math.min(room / 3, Math.max(room, 0));
  }

  // land brings the moment the page opened at into view: on a phone the
  // page scrolls the video to the top, where it sticks, with the tools
  // and the transcript under it.
  function land() {
    var box = video.parentNode;
    if (getComputedStyle(box).position === 'sticky') {
      window.scrollTo(0, Math.max(0, box.getBoundingClientRect().top + window.pageYOffset));
    }
    if (current) {
      scrollIntoList(current, true);
    }
  }

  function highlight(t) {
    var c = cueAt(t);
    var el = c ? c.el : null;
    if (el === current) {
      return;
    }
    if (current) {
      current.classList.remove('current');
      current.removeAttribute('aria-current');
    }
    current = el;
    if (el) {
      el.classList.add('current');
      el.setAttribute('aria-current', 'true');
      scrollIntoList(el);
    }
  }

  function movePlayhead(t) {
    if (!playhead || !timeline) {
      return;
    }
    var d = parseFloat(timeline.dataset.duration) || video.duration;
    if (d > 0 && isFinite(d)) {
      playhead.setAttribute('x', String(Math.min(997, (t / d) * 1000)));
    }
  }

  function onTime() {
    if (!settled) {
      return;
    }
    var t = video.currentTime;
    if (end > 0 && !endDone && t >= end) {
      endDone = true;
      video.pause();
      video.currentTime = end;
      t = end;
    }
    highlight(t);
    movePlayhead(t);
    reached(t);
    matchAround(t);
    if (momentLink) {
      momentLink.href = momentPath(t);
    }
  }

  function seek(t, play) {
    settled = true;
    video.currentTime = t;
    if (end > 0 && t < end) {
      endDone = false;
    }
    highlight(t);
    movePlayhead(t);
    reached(t);
    matchAround(t);
    // The address follows the viewer, keeping the search and passage.
    var here = new URL(window.location.href);
    here.searchParams.set('t', fmt(t));
    history.replaceState(null, '', here.pathname + here.search);
    if (play && video.paused) {
      var p = video.play();
      if (p && p.catch) {
        p.catch(function () {});
      }
    }
  }

  // A click quote.js took (marking a passage) does not seek.
  function plainClick(ev) {
    return ev.button === 0 && !ev.metaKey && !ev.ctrlKey && !ev.shiftKey && !ev.altKey && !ev.defaultPrevented;
  }

  // The passage tools (quote.js) play a passage: from its start, stopping
  // at its end; cleared, the page's own end no longer stops the video.
  video.addEventListener('passage-play', function (ev) {
    end = ev.detail.end;
    endDone = false;
    seek(ev.detail.start, true);
  });
  video.addEventListener('passage-clear', function () {
    end = 0;
  });

  if (list) {
    list.addEventListener('click', function (ev) {
      var a = ev.target.closest('a.cue-time');
      if (!a || !plainClick(ev)) {
        return;
      }
      ev.preventDefault();
      seek(parseFloat(a.closest('li').dataset.start), true);
    });
    ['wheel', 'touchmove', 'keydown'].forEach(function (type) {
      list.addEventListener(type, function () { lastUserScroll = Date.now(); }, { passive: true });
    });
    list.addEventListener('transcript-change', function () {
      collect();
      if (settled) {
        highlight(video.currentTime);
      }
    });
  }

  // The way through a search's matches: previous and next follow the
  // video, from the moments the timeline marks.
  var prevMatch = document.getElementById('match-prev');
  var nextMatch = document.getElementById('match-next');
  var matchTimes = Array.prototype.map.call(document.querySelectorAll('#timeline .tl-mark'), function (a) {
    return parseFloat(a.dataset.t);
  });
  function matchAround(t) {
    var prev = null, next = null;
    matchTimes.forEach(function (m) {
      if (m < t - 0.5) {
        prev = m;
      } else if (m > t + 0.5 && next === null) {
        next = m;
      }
    });
    [[prevMatch, prev], [nextMatch, next]].forEach(function (p) {
      if (!p[0]) {
        return;
      }
      if (p[1] === null) {
        p[0].setAttribute('aria-disabled', 'true');
        p[0].removeAttribute('data-t');
      } else {
        p[0].removeAttribute('aria-disabled');
        p[0].dataset.t = String(p[1]);
        var u = new URL(p[0].href, window.location.href);
        u.searchParams.set('t', String(p[1]));
        p[0].href = u.pathname + u.search;
      }
    });
  }
  [prevMatch, nextMatch].forEach(function (a) {
    if (a) {
      a.addEventListener('click', function (ev) {
        if (!plainClick(ev)) {
          return;
        }
        ev.preventDefault();
        if (a.dataset.t) {
          seek(parseFloat(a.dataset.t), false);
          if (current) {
            scrollIntoList(current, true);
          }
        }
      });
    }
  });

  // The strip of turns under the video seeks too (the list of turns is
  // its accessible equal).
  var strip = document.querySelector('.turn-strip');
  if (strip) {
    strip.addEventListener('click', function (ev) {
      var seg = ev.target.closest('rect.seg');
      if (seg) {
        seek(parseFloat(seg.dataset.t), true);
      }
    });
  }

  // Speaker turns are links to moments too.
  Array.prototype.forEach.call(document.querySelectorAll('.turn-links a'), function (a) {
    a.addEventListener('click', function (ev) {
      if (plainClick(ev)) {
        ev.preventDefault();
        seek(parseFloat(a.dataset.t), true);
      }
    });
  });

  if (timeline) {
    timeline.addEventListener('click', function (ev) {
      var a = ev.target.closest('a.tl-mark');
      if (!a || !plainClick(ev)) {
        return;
      }
      ev.preventDefault();
      seek(parseFloat(a.dataset.t), true);
    });
  }

  // A language switch happens in place (switchLang, below).
  Array.prototype.forEach.call(document.querySelectorAll('.track-langs a'), function (a) {
    a.addEventListener('click', function (ev) {
      if (plainClick(ev)) {
        ev.preventDefault();
        switchLang(a.getAttribute('hreflang'));
      }
    });
  });

  // switchLang swaps the transcript and the captions to another language
  // in place: the video plays on at the same moment.
  var pageLang = lang;
  function switchLang(to) {
    var link = document.querySelector('.track-langs a[hreflang="' + to + '"]');
    if (!to || to === lang || !link) {
      return;
    }
    lang = to;
    video.dataset.lang = to;
    showChosenTrack();
    Array.prototype.forEach.call(document.querySelectorAll('.track-langs a'), function (a) {
      if (a === link) {
        a.setAttribute('aria-current', 'page');
      } else {
        a.removeAttribute('aria-current');
      }
    });
    var name = document.querySelector('.transcript-lang');
    if (name) {
      name.textContent = link.textContent;
      name.lang = to;
    }
    var about = document.querySelector('.track-about');
    if (about) {
      about.textContent = link.dataset.about || '';
    }
    Array.prototype.forEach.call(document.querySelectorAll('.downloads a'), function (a) {
      a.href = a.getAttribute('href').replace(/\/tracks\/[^/.]+\./, '/tracks/' + encodeURIComponent(to) + '.');
    });
    var field = document.querySelector('.in-search input[name=lang]');
    if (field) {
      field.value = to;
    }
    // The search's matches are those of the page's language.
    Array.prototype.forEach.call(document.querySelectorAll('.matchbar, #timeline .tl-mark'), function (el) {
      el.style.display = to === pageLang ? '' : 'none';
    });
    if (list) {
      list.setAttribute('lang', to);
      list.dispatchEvent(new CustomEvent('transcript-lang', { detail: { lang: to, ms: video.currentTime * 1000 } }));
    }
    var here = new URL(window.location.href);
    here.searchParams.set('lang', to);
    here.searchParams.set('t', fmt(video.currentTime || start));
    history.replaceState(null, '', here.pathname + here.search);
    if (momentLink) {
      momentLink.href = momentPath(video.currentTime || start);
    }
  }

  // Choosing captions in the player's own menu switches the transcript.
  video.textTracks.addEventListener('change', function () {
    for (var i = 0; i < video.textTracks.length; i++) {
      if (video.textTracks[i].mode === 'showing') {
        switchLang(video.textTracks[i].language);
        return;
      }
    }
  });

  // Keyboard: space plays or pauses, arrows move 5 s, j and k go to the
  // next and previous line, / searches the recording. Never while the
  // viewer types, and not over keys a focused control handles itself.
  document.addEventListener('keydown', function (ev) {
    var el = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented ||
        el.closest('input, textarea, select, [contenteditable]') || el === video) {
      return;
    }
    var onControl = el.closest('a, button, summary');
    var t = video.currentTime;
    var i, to = null;
    switch (ev.key) {
    case ' ':
      if (onControl) {
        return;
      }
      if (video.paused) {
        var p = video.play();
        if (p && p.catch) {
          p.catch(function () {});
        }
      } else {
        video.pause();
      }
      break;
    case 'ArrowLeft':
    case 'ArrowRight':
      seek(Math.max(0, t + (ev.key === 'ArrowLeft' ? -5 : 5)), !video.paused);
      break;
    case 'j':
    case 'k':
      // j: the first line starting after now; k: the line before the
      // one being spoken.
      var c = cueAt(t);
      var before = c && c.start <= t ? c.start : t;
      for (i = 0; i < cues.length; i++) {
        if (ev.key === 'j' && cues[i].start > t + 0.05) {
          to = cues[i];
          break;
        }
        if (ev.key === 'k' && cues[i].start < before - 0.05) {
          to = cues[i];
        }
      }
      if (to) {
        seek(to.start, !video.paused);
        if (current) {
          scrollIntoList(current, true);
        }
      }
      break;
    case '/':
      var q = document.getElementById('in-q');
      if (!q) {
        return;
      }
      q.focus();
      q.select();
      break;
    default:
      return;
    }
    ev.preventDefault();
  });
  var keys = document.querySelector('.keys');
  if (keys) {
    keys.hidden = false;
  }

  if (copyButton && status) {
    copyButton.hidden = false;
    copyButton.addEventListener('click', function () {
      var url = momentURL(video.currentTime || start).href;
      var done = function (key) {
        status.textContent = status.dataset[key].replace('{0}', url);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { done('copied'); }, function () { done('failed'); });
      } else {
        done('failed');
      }
    });
  }
  if (follow) {
    follow.closest('.follow').hidden = false;
  }

  if (start > 0 || current) {
    land(); // the moment the page opened at
  }
  matchAround(start);
  showChosenTrack();
  video.textTracks.addEventListener('addtrack', showChosenTrack);
  video.addEventListener('timeupdate', onTime);
  video.addEventListener('seeked', function () {
    settled = true;
    onTime();
  });
  if (start > 0) {
    var first = function () {
      video.currentTime = start;
    };
    if (video.readyState >= 1) {
      first();
    } else {
      video.addEventListener('loadedmetadata', first, { once: true });
    }
  }
})();

// The quote page's citations: a button copies each one (without script
// the text is there to select).
(function () {
  'use strict';

  var status = document.getElementById('cite-status');
  if (!status || !navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.cite-copy'), function (b) {
    var text = document.getElementById(b.dataset.for);
    if (!text) {
      return;
    }
    b.hidden = false;
    b.addEventListener('click', function () {
      navigator.clipboard.writeText(text.value).then(function () {
        status.textContent = status.dataset.copied;
      }, function () {
        status.textContent = status.dataset.failed;
        text.select();
      });
    });
  });
})();

// The search filters come before the results; on a phone they start
// folded, so the first result is in view and the filters a tap away.
(function () {
  'use strict';

  var box = document.querySelector('details.facets-box');
  if (box && window.matchMedia && window.matchMedia('(max-width: 52rem)').matches) {
    box.open = false;
  }
})();
