package server

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// addLong stores a published recording with the demo's 480 s video and a
// track of one cue a second, "cue 0" … "cue 479".
func addLong(t *testing.T, svc *archive.Service) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := svc.Create(ctx, admin, archive.RecordingInput{ID: "long", Title: "Long", Status: archive.StatusPublished, Date: "2026-01-03"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../subtitles/media/hrc47-side-event.webm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := svc.PutMedia(ctx, admin, "long", archive.MediaUpload{Name: "long.webm", ContentType: "video/webm", Size: -1, Body: f}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i := range 480 {
		fmt.Fprintf(&b, "00:%02d:%02d.000 --> 00:%02d:%02d.900\ncue %d\n\n", i/60, i%60, i/60, i%60, i)
	}
	if _, err := svc.PutTrack(ctx, admin, "long", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(b.String())}); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserTranscriptWindow: the watch page of a 480-cue track opens
// with 150 cues; scrolling to the bottom of the transcript loads the next
// 100, following "earlier" at the top loads the ones before, and seeking
// the video outside the window replaces it with the cues around the new
// moment, the one being spoken highlighted.
func TestBrowserTranscriptWindow(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	addLong(t, d.svc)
	count := `document.querySelectorAll('#transcript li.cue').length`
	first := `document.querySelector('#transcript li.cue').id`
	last := `document.querySelector('#transcript').lastElementChild.id`

	b.run(t, "open watch at 100 s", chromedp.Navigate(d.url+"/watch/long?t=100&lang=en&ui=en"))
	b.waitFor(t, "the video has seeked to 100 s", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 100) < 0.5; })()`)
	if n, f, l := eval[int](t, b, count), eval[string](t, b, first), eval[string](t, b, last); n != 150 || f != "cue-51" || l != "cue-200" {
		t.Fatalf("the page opens with %d cues, %s to %s; want 150, cue-51 to cue-200", n, f, l)
	}

	b.run(t, "scroll the transcript to its end", chromedp.Evaluate[chromedp.Void](`(() => { const l = document.getElementById('transcript'); document.getElementById('follow').checked = false; l.scrollTop = l.scrollHeight; })()`))
	b.waitFor(t, "the next 100 cues are loaded", count+` === 250`)
	if l := eval[string](t, b, last); l != "cue-300" {
		t.Errorf("after scrolling down the last cue is %s; want cue-300", l)
	}
	if got := eval[string](t, b, `document.querySelector('#cue-300 a').getAttribute('href')`); got != "/watch/long?t=299&lang=en" {
		t.Errorf("a loaded cue links to %q; want /watch/long?t=299&lang=en", got)
	}

	b.run(t, "follow the earlier link", chromedp.Click(chromedp.CSS("#earlier")))
	b.waitFor(t, "the 50 cues before are loaded", count+` === 300`)
	if f := eval[string](t, b, first); f != "cue-1" {
		t.Errorf("after 'earlier' the first cue is %s; want cue-1", f)
	}
	if hidden := eval[bool](t, b, `document.getElementById('earlier').parentNode.hidden`); !hidden {
		t.Errorf("the earlier link still shows at the start of the track")
	}

	b.run(t, "seek the video to 450 s", chromedp.Evaluate[chromedp.Void](`document.getElementById('player').currentTime = 450.3`))
	b.waitFor(t, "the window around 450 s is loaded and its cue highlighted", `(() => {
		const c = document.querySelector('#transcript li.current');
		return c !== null && c.id === 'cue-451';
	})()`)
	b.run(t, "let the list settle", chromedp.Sleep(1500*time.Millisecond))
	if n, f, l := eval[int](t, b, count), eval[string](t, b, first), eval[string](t, b, last); n != 80 || f != "cue-401" || l != "cue-480" {
		t.Errorf("after the seek: %d cues, %s to %s; want 80, cue-401 to cue-480 (50 before 450 s to the end)", n, f, l)
	}
	if hidden := eval[bool](t, b, `document.getElementById('later').parentNode.hidden`); !hidden {
		t.Errorf("the later link still shows at the end of the track")
	}
	b.clean(t)
}
