package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The watch page as people use it (issue 13): its layout at a desktop and
// a phone size, marks on the matched words, the way back to a search and
// through its matches, the language switch, the keyboard.

type viewport struct {
	name string
	w, h int64
	opts []chromedp.EmulateViewportOption
}

var (
	desktop = viewport{"desktop", 1280, 800, nil}
	phone   = viewport{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}}
)

// use sets the viewport and turns smooth scrolling off, so that a check
// made right after the page scrolls sees where it ends.
func (b *browser) use(t *testing.T, vp viewport) {
	t.Helper()
	b.run(t, "viewport "+vp.name, chromedp.EmulateViewport(vp.w, vp.h, vp.opts...))
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	}); err != nil {
		t.Fatalf("emulate reduced motion: %v", err)
	}
}

// cueInView is a script that reports where the current cue is against
// the part of the transcript the viewer sees: the list's box, less what
// is outside the window or under the video when the video sticks to the
// top. It answers "" when the cue is wholly inside, else what is wrong.
const cueInView = `(() => {
	const l = document.getElementById('transcript'), c = l.querySelector('li.current');
	if (!c) return 'no current cue';
	const a = l.getBoundingClientRect(), r = c.getBoundingClientRect();
	const p = document.querySelector('.player').getBoundingClientRect();
	let top = Math.max(a.top, 0);
	if (getComputedStyle(document.querySelector('.player')).position === 'sticky' && p.top <= 1) top = Math.max(top, p.bottom);
	const bottom = Math.min(a.bottom, innerHeight);
	if (r.top >= top - 1 && r.bottom <= bottom + 1) return '';
	return c.id + ' at ' + Math.round(r.top) + '–' + Math.round(r.bottom) + ' px; the visible transcript is ' + Math.round(top) + '–' + Math.round(bottom) + ' px';
})()`

// videoInView reports "" when the whole video is inside the window.
const videoInView = `(() => {
	const r = document.getElementById('player').getBoundingClientRect();
	return r.top >= -1 && r.bottom <= innerHeight + 1 && r.height > 100 ? '' : 'video at ' + Math.round(r.top) + '–' + Math.round(r.bottom) + ' px of ' + innerHeight;
})()`

// TestBrowserWatchLayout: at 1280×800 the transcript box fits the window
// and the cue being spoken stays inside its visible part through 60 s of
// playback (played at 4×); landing from search shows the whole matched
// line. At 390×844, after landing on ?t= both the video and the cue are
// on screen, and the video stays there while the transcript scrolls.
func TestBrowserWatchLayout(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)

	b.use(t, desktop)
	b.run(t, "open watch at 120 s", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=120&lang=en&ui=en"))
	b.waitFor(t, "the video is at 120 s", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 120) < 0.5; })()`)
	if h := eval[float64](t, b, `document.querySelector('.transcript-col').getBoundingClientRect().height`); h > 800 {
		t.Errorf("the transcript box is %.0f px high on an 800 px window; want it to fit", h)
	}
	if msg := eval[string](t, b, cueInView); msg != "" {
		t.Errorf("on landing at 120 s: %s", msg)
	}
	b.run(t, "play at 4×", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.getElementById('player'); v.muted = true; v.playbackRate = 4; v.play(); })()`))
	seen := map[string]bool{}
	for deadline := time.Now().Add(40 * time.Second); ; {
		at := eval[float64](t, b, `document.getElementById('player').currentTime`)
		if msg := eval[string](t, b, cueInView); msg != "" {
			t.Fatalf("at %.1f s of playback: %s", at, msg)
		}
		seen[eval[string](t, b, `document.querySelector('#transcript li.current').id`)] = true
		if at >= 180 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("playback reached only %.1f s of 180 s", at)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(seen) < 8 {
		t.Errorf("from 120 s to 180 s the highlight visited %d cues; want at least 8 (%v)", len(seen), seen)
	}
	if y := eval[float64](t, b, `window.pageYOffset`); y != 0 {
		t.Errorf("following the video scrolled the page by %.0f px; only the transcript should scroll", y)
	}
	b.viewShot(t, dir, "watch-playing-desktop")

	// The last cue of the window from search: the whole line shows.
	b.run(t, "open watch from search", chromedp.Navigate(d.url+"/watch/istac-launch?t=45.5&lang=fr&q=traite&ui=fr"))
	b.waitFor(t, "the video is at 45.5 s", `Math.abs(document.getElementById('player').currentTime - 45.5) < 0.5`)
	if msg := eval[string](t, b, cueInView); msg != "" {
		t.Errorf("landing from search: %s", msg)
	}
	b.run(t, "pause", chromedp.Evaluate[chromedp.Void](`document.getElementById('player').pause()`))

	b.use(t, phone)
	b.run(t, "open watch at 200 s on a phone", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=200&lang=en&ui=en"))
	b.waitFor(t, "the video is at 200 s", `Math.abs(document.getElementById('player').currentTime - 200) < 0.5`)
	b.waitFor(t, "the page has landed", `window.pageYOffset > 0`)
	if msg := eval[string](t, b, videoInView); msg != "" {
		t.Errorf("phone, after landing on ?t=200: %s", msg)
	}
	if msg := eval[string](t, b, cueInView); msg != "" {
		t.Errorf("phone, after landing on ?t=200: %s", msg)
	}
	b.viewShot(t, dir, "watch-landed-phone")
	b.run(t, "scroll the transcript and the page", chromedp.Evaluate[chromedp.Void](`(() => { document.getElementById('transcript').scrollTop += 600; window.scrollBy(0, 300); })()`))
	b.run(t, "let it scroll", chromedp.Sleep(200*time.Millisecond))
	if msg := eval[string](t, b, videoInView); msg != "" {
		t.Errorf("phone, with the transcript scrolled: %s", msg)
	}
	if top := eval[float64](t, b, `document.getElementById('player').getBoundingClientRect().top`); top > 1 {
		t.Errorf("phone: the video is %.0f px below the top while the transcript scrolls; want it stuck at the top", top)
	}
	b.viewShot(t, dir, "watch-scrolled-phone")
	b.run(t, "reset viewport", chromedp.ResetViewport())
	b.clean(t)
	t.Logf("screenshots in %s", dir)
}

// viewShot saves what the window shows (a full-page screenshot would
// unstick the sticky video).
func (b *browser) viewShot(t *testing.T, dir, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
}
