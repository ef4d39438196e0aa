// The embed's player: the media fragment (#t=start,end) already opens the
// video at the passage and stops it at its end; this brings it back to the
// start when it is played again from there, so the embed plays the
// passage, not the rest of the recording.
(function () {
  'use strict';

  var video = document.getElementById('clip');
  if (!video) {
    return;
  }
  var start = parseFloat(video.dataset.start || '0') || 0;
  var end = parseFloat(video.dataset.end || '') || 0;

  function toStart() {
    if (Math.abs(video.currentTime - start) > 0.25) {
      video.currentTime = start;
    }
  }
  video.addEventListener('loadedmetadata', toStart);
  if (video.readyState >= 1) {
    toStart();
  }
  video.addEventListener('play', function () {
    if (end > 0 && (video.currentTime >= end - 0.05 || video.currentTime < start - 0.25)) {
      video.currentTime = start;
    }
  });
  video.addEventListener('timeupdate', function () {
    if (end > 0 && !video.paused && video.currentTime >= end) {
      video.pause();
      video.currentTime = end;
    }
  });
})();
