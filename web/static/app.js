// Verbatim viewer pages. Everything here is an enhancement: without it the
// transcript is a list of links to ?t= moments and the pages still work.
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

  var cues = [];
  if (list) {
    Array.prototype.forEach.call(list.querySelectorAll('li.cue'), function (el) {
      cues.push({ el: el, start: parseFloat(el.dataset.start), end: parseFloat(el.dataset.end) });
      if (el.classList.contains('current')) {
        current = el;
      }
    });
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

  function scrollIntoList(el) {
    if (!list || list.scrollHeight <= list.clientHeight) {
      return;
    }
    if ((follow && !follow.checked) || Date.now() - lastUserScroll < 4000) {
      return;
    }
    var top = el.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + el.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
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

  function plainClick(ev) {
    return ev.button === 0 && !ev.metaKey && !ev.ctrlKey && !ev.shiftKey && !ev.altKey;
  }

  if (list) {
    list.addEventListener('click', function (ev) {
      var a = ev.target.closest('a.cue-link');
      if (!a || !plainClick(ev)) {
        return;
      }
      ev.preventDefault();
      var li = a.parentNode;
      seek(parseFloat(li.dataset.start), true);
    });
    ['wheel', 'touchmove', 'keydown'].forEach(function (type) {
      list.addEventListener(type, function () { lastUserScroll = Date.now(); }, { passive: true });
    });
  }

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

  // A language switch keeps the position the viewer has reached.
  Array.prototype.forEach.call(document.querySelectorAll('.track-langs a'), function (a) {
    a.addEventListener('click', function (ev) {
      if (!plainClick(ev)) {
        return;
      }
      ev.preventDefault();
      var u = new URL(a.href);
      u.searchParams.set('t', fmt(video.currentTime || start));
      window.location.assign(u.pathname + u.search);
    });
  });

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

  if (current) {
    scrollIntoList(current); // the moment the page opened at
  }
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
