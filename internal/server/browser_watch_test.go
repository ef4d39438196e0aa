package server

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
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

// grantClipboard lets the page read and write the clipboard, so a test
// can read back what a copy put there.
func (b *browser) grantClipboard(t *testing.T, origin string) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.Call(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: origin,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
}

// TestBrowserWatchFromSearch: a phrase spoken across two cues is marked on
// its words in both; the caption does not double the query's quotes; the
// search boxes keep q, the count shows near the top with a way back to
// the results, and next and previous go through the matches. Then the
// text of a cue is selected with the mouse and copied.
func TestBrowserWatchFromSearch(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)
	phrase := `"Human Rights Council and the 79th session"`
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)
		b.run(t, "open watch with a phrase", chromedp.Navigate(d.url+"/watch/hrc47-side-event?lang=en&ui=en&q="+url.QueryEscape(phrase)))
		b.waitFor(t, "the page opened at the phrase", `document.querySelector('#transcript li.current') !== null`)
		marks := eval[[][]string](t, b, `Array.from(document.querySelectorAll('#transcript li')).filter(li => li.querySelector('mark')).map(li => [li.id, Array.from(li.querySelectorAll('mark')).map(m => m.textContent).join(' ')])`)
		want := [][]string{{"cue-2", "Human Rights Council"}, {"cue-3", "and the 79th session"}}
		if diff := cmp.Diff(want, marks); diff != "" {
			t.Errorf("%s: marked words per cue (-want +got):\n%s", vp.name, diff)
		}
		if n := eval[int](t, b, `document.querySelectorAll('#transcript li.match').length`); n != 2 {
			t.Errorf("%s: %d cues carry the match label; want 2", vp.name, n)
		}
		if deco := eval[string](t, b, `getComputedStyle(document.querySelector('#transcript mark')).textDecorationLine`); deco != "underline" {
			t.Errorf("%s: a mark's text-decoration is %q; want underline (a match is not shown by colour only)", vp.name, deco)
		}
		count := eval[string](t, b, `document.getElementById('match-count').textContent`)
		if count != "1 match for “Human Rights Council and the 79th session” in this language, marked on the timeline." {
			t.Errorf("%s: match count = %q", vp.name, count)
		}
		for _, id := range []string{"site-q", "in-q"} {
			if v := eval[string](t, b, `document.getElementById('`+id+`').value`); v != phrase {
				t.Errorf("%s: search box #%s = %q; want %q", vp.name, id, v, phrase)
			}
		}
		b.viewShot(t, dir, "watch-phrase-"+vp.name)
	}

	b.use(t, desktop)
	b.run(t, "open watch from a search", chromedp.Navigate(d.url+"/watch/hrc47-side-event?lang=en&ui=en&q=trafficking"))
	b.waitFor(t, "the video is at the first match", `(() => { const v = document.getElementById('player'), m = document.querySelector('#timeline .tl-mark'); return v.readyState >= 1 && Math.abs(v.currentTime - parseFloat(m.dataset.t)) < 0.5; })()`)
	if msg := eval[string](t, b, `(() => { const r = document.getElementById('match-count').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight / 2 ? '' : 'at ' + r.top + ' px'; })()`); msg != "" {
		t.Errorf("the match count is not in the top half of the window: %s", msg)
	}
	if href := eval[string](t, b, `document.querySelector('.matchbar a[href^="/search"]').getAttribute('href')`); href != "/search?q=trafficking" {
		t.Errorf("the way back to the results is %q; want /search?q=trafficking", href)
	}
	times := eval[[]float64](t, b, `Array.from(document.querySelectorAll('#timeline .tl-mark')).map(a => parseFloat(a.dataset.t))`)
	if len(times) < 3 {
		t.Fatalf("the timeline marks %d matches of trafficking; want at least 3", len(times))
	}
	if !eval[bool](t, b, `document.getElementById('match-prev').getAttribute('aria-disabled') === 'true'`) {
		t.Error("at the first match, 'previous match' is not disabled")
	}
	at := func(want float64, what string) {
		t.Helper()
		b.waitFor(t, what, fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.5`, want))
		if msg := eval[string](t, b, cueInView); msg != "" {
			t.Errorf("%s: %s", what, msg)
		}
		if !eval[bool](t, b, `document.querySelector('#transcript li.current').classList.contains('match')`) {
			t.Errorf("%s: the cue there is not a match", what)
		}
	}
	b.run(t, "next match", chromedp.Click(chromedp.ID("match-next")))
	at(times[1], "next goes to the second match")
	b.run(t, "next match", chromedp.Click(chromedp.ID("match-next")))
	at(times[2], "next again goes to the third")
	b.run(t, "previous match", chromedp.Click(chromedp.ID("match-prev")))
	at(times[1], "previous goes back to the second")

	// Select a cue's text with the mouse and copy it.
	b.grantClipboard(t, d.url)
	b.run(t, "pause", chromedp.Evaluate[chromedp.Void](`document.getElementById('player').pause()`))
	// The cue's line break shows as a space (white-space: normal).
	if copied, want := b.selectAndCopy(t, "#transcript li.current .cue-text"); copied != want {
		t.Errorf("the clipboard holds %q after copying; want %q", copied, want)
	}
	if y := eval[float64](t, b, `document.getElementById('player').currentTime`); math.Abs(y-times[1]) > 0.5 {
		t.Errorf("selecting text moved the video to %.1f s; seeking belongs to the time link", y)
	}
	// The strip of speaker turns under the video seeks to a turn.
	seg := eval[string](t, b, `document.querySelectorAll('.turn-strip rect.seg')[3].dataset.t`)
	b.run(t, "click the fourth turn on the strip", chromedp.Click(chromedp.CSS(`.turn-strip rect.seg:nth-of-type(4)`)))
	b.waitFor(t, "the video is at the fourth turn", `Math.abs(document.getElementById('player').currentTime - `+seg+`) < 0.5`)
	b.run(t, "reset viewport", chromedp.ResetViewport())
	b.clean(t)
}

// TestBrowserWatchLanguageAndKeys: switching the transcript's language,
// by its links or by the player's own captions menu, swaps the transcript
// without a reload while the video plays on at the same moment; the
// keyboard shortcuts work, and not while the viewer types.
func TestBrowserWatchLanguageAndKeys(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)
		b.run(t, "open watch at 100 s", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=100&lang=en&ui=en"))
		b.waitFor(t, "the video is at 100 s", `Math.abs(document.getElementById('player').currentTime - 100) < 0.5`)
		b.run(t, "play", chromedp.Evaluate[chromedp.Void](`(() => { window.__samePage = true; const v = document.getElementById('player'); v.muted = true; v.play(); })()`))
		b.waitFor(t, "playing", `document.getElementById('player').currentTime > 100.5`)
		before := eval[float64](t, b, `document.getElementById('player').currentTime`)
		b.run(t, "switch to French", chromedp.Click(chromedp.CSS(`.track-langs a[hreflang="fr"]`)))
		switched := func(lang, what string) {
			t.Helper()
			b.waitFor(t, what, fmt.Sprintf(`(() => {
				const c = document.querySelector('#transcript li.current a.cue-time');
				return document.getElementById('transcript').lang === %[1]q && c !== null && c.getAttribute('href').includes('lang=%[1]s');
			})()`, lang))
			v := eval[map[string]any](t, b, `(() => { const v = document.getElementById('player'), c = document.querySelector('#transcript li.current');
				return {paused: v.paused, t: v.currentTime, same: window.__samePage === true, start: parseFloat(c.dataset.start), end: parseFloat(c.dataset.end),
					showing: Array.from(v.textTracks).filter(t => t.mode === 'showing').map(t => t.language).join(),
					current: document.querySelector('.track-langs a[aria-current]').hreflang, url: location.search}; })()`)
			if v["paused"] != false || v["same"] != true {
				t.Errorf("%s, %s: paused %v, same page %v; want playing on, no reload", vp.name, what, v["paused"], v["same"])
			}
			at := v["t"].(float64)
			if at < before || at > before+10 {
				t.Errorf("%s, %s: the video is at %.1f s; it was at %.1f s before the switch", vp.name, what, at, before)
			}
			if s, e := v["start"].(float64), v["end"].(float64); at+0.5 < s || at > e+1 {
				t.Errorf("%s, %s: current cue %.1f–%.1f s, video at %.1f s", vp.name, what, s, e, at)
			}
			if v["showing"] != lang || v["current"] != lang || !strings.Contains(v["url"].(string), "lang="+lang) {
				t.Errorf("%s, %s: captions showing %v, link marked %v, address %v; want all %s", vp.name, what, v["showing"], v["current"], v["url"], lang)
			}
		}
		switched("fr", "the French transcript replaces the English one")
		b.viewShot(t, dir, "watch-switched-"+vp.name)
		before = eval[float64](t, b, `document.getElementById('player').currentTime`)
		b.run(t, "captions menu: German", chromedp.Evaluate[chromedp.Void](`(() => { for (const t of document.getElementById('player').textTracks) t.mode = t.language === 'de' ? 'showing' : 'disabled'; })()`))
		switched("de", "choosing German captions in the player switches the transcript")
	}

	b.use(t, desktop)
	b.run(t, "open watch at 100 s", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=100&lang=en&ui=en"))
	b.waitFor(t, "the video is at 100 s", `Math.abs(document.getElementById('player').currentTime - 100) < 0.5`)
	if eval[bool](t, b, `document.querySelector('.keys').hidden`) {
		t.Error("the keyboard hint is hidden with JavaScript on")
	}
	vt := func() float64 { return eval[float64](t, b, `document.getElementById('player').currentTime`) }
	key := func(k string) { b.run(t, "press "+k, chromedp.KeyEvent(k)) }
	b.run(t, "focus the page", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	cue := eval[[]float64](t, b, `(() => { const c = document.querySelector('#transcript li.current'); return [parseFloat(c.dataset.start), parseFloat(c.nextElementSibling.dataset.start), parseFloat(c.previousElementSibling.dataset.start)]; })()`)
	key("j")
	b.waitFor(t, "j goes to the next line", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.2`, cue[1]))
	key("k")
	b.waitFor(t, "k goes back to the line before", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.2`, cue[0]))
	key("k")
	b.waitFor(t, "k again goes one line further back", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.2`, cue[2]))
	from := vt()
	key(kb.ArrowRight)
	b.waitFor(t, "→ moves 5 s on", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.2`, from+5))
	key(kb.ArrowLeft)
	b.waitFor(t, "← moves 5 s back", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.2`, from))
	key(" ")
	b.waitFor(t, "space plays", `!document.getElementById('player').paused`)
	key(" ")
	b.waitFor(t, "space pauses", `document.getElementById('player').paused`)
	key("/")
	if id := eval[string](t, b, `document.activeElement.id`); id != "in-q" {
		t.Fatalf("/ focused %q; want the search box of the recording (in-q)", id)
	}
	// DevTools sends the key's character as an event of its own, which the
	// page's preventDefault on keydown cannot cancel as a real key press
	// would: empty the box before typing.
	b.run(t, "empty the box", chromedp.Evaluate[chromedp.Void](`document.getElementById('in-q').value = ''`))
	from = vt()
	b.run(t, "type in the search box", chromedp.KeyEvent("jk "))
	if v := eval[string](t, b, `document.getElementById('in-q').value`); v != "jk " {
		t.Errorf("typing j, k and space in the search box gave %q; want them typed", v)
	}
	if now := vt(); now != from || !eval[bool](t, b, `document.getElementById('player').paused`) {
		t.Errorf("typing in the search box moved the video from %.2f to %.2f s or started it", from, now)
	}
	b.run(t, "reset viewport", chromedp.ResetViewport())
	b.clean(t)
}
