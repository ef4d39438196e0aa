package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The viewer's journeys through the pages; TestBrowserViewerPages runs them.

func homeListsRecordings(t *testing.T, b *browser, d demo) {
	b.run(t, "open home", chromedp.Navigate(d.url+"/?ui=en"), chromedp.WaitVisible(chromedp.CSS(".card")))
	titles := eval[[]string](t, b, `Array.from(document.querySelectorAll('.card h3 a')).map(a => a.textContent)`)
	for _, want := range []string{"Launch of the International Survivors of Trafficking Advisory Council (ISTAC)", "High Level Online Side Event"} {
		if !containsPrefix(titles, want) {
			t.Errorf("home titles = %q; want one starting %q", titles, want)
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll('.badge-sample').length`); n != 2 {
		t.Errorf("home shows %d sample badges; want 2 (both demo recordings)", n)
	}
	b.clean(t)
}

func watchOpensAtMoment(t *testing.T, b *browser, d demo) {
	b.run(t, "open watch", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=95&lang=de"))
	b.waitFor(t, "the video has seeked to 95 s", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 95) < 0.5; })()`)
	modes := eval[map[string]string](t, b, `Object.fromEntries(Array.from(document.getElementById('player').textTracks).map(t => [t.language, t.mode]))`)
	if modes["de"] != "showing" {
		t.Errorf("text track modes = %v; want de showing", modes)
	}
	for lang, mode := range modes {
		if lang != "de" && mode == "showing" {
			t.Errorf("text track %s is also showing (%v)", lang, modes)
		}
	}
	b.waitFor(t, "the current cue is scrolled into view in the transcript", `(() => {
		const l = document.getElementById('transcript'), c = l.querySelector('li.current');
		const a = l.getBoundingClientRect(), r = c.getBoundingClientRect();
		return r.top >= a.top - 1 && r.bottom <= a.bottom + 1;
	})()`)
	cur := eval[map[string]string](t, b, `(() => { const li = document.querySelectorAll('#transcript li.current'); return li.length !== 1 ? {} : {start: li[0].dataset.start, end: li[0].dataset.end, text: li[0].textContent.replace(/\s+/g, ' '), lang: li[0].closest('[lang]').lang}; })()`)
	if cur["start"] != "90.4" || cur["end"] != "96.1" || !strings.Contains(cur["text"], "gegen Menschenhandel zum Zweck der sexuellen Ausbeutung") || cur["lang"] != "de" {
		t.Errorf("highlighted cue = %v; want the one cue 90.4–96.1 s, German, \"gegen Menschenhandel…\"", cur)
	}
	b.clean(t)
}

func cueClickSeeks(t *testing.T, b *browser, d demo) {
	target := eval[string](t, b, `document.querySelector('#cue-30').dataset.start`)
	b.run(t, "click cue 30", chromedp.Click(chromedp.CSS("#cue-30 a")))
	b.waitFor(t, "the video is at cue 30", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %s) < 1.5`, target))
	if !eval[bool](t, b, `document.querySelector('#cue-30').classList.contains('current')`) {
		t.Error("cue 30 is not highlighted after clicking it")
	}
	if loc := eval[string](t, b, "location.search"); !strings.Contains(loc, "t="+target) {
		t.Errorf("location.search = %q after the click; want t=%s", loc, target)
	}
	b.clean(t)
}

func cueEnterSeeks(t *testing.T, b *browser, d demo) {
	target := eval[string](t, b, `document.querySelector('#cue-40').dataset.start`)
	b.run(t, "focus cue 40 and press Enter", chromedp.Focus(chromedp.CSS("#cue-40 a")), chromedp.KeyEvent("\r"))
	b.waitFor(t, "the video is at cue 40", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %s) < 1.5`, target))
	b.run(t, "pause", chromedp.Evaluate[chromedp.Void](`document.getElementById('player').pause()`))
}

func languageSwitchKeepsMoment(t *testing.T, b *browser, d demo) {
	b.run(t, "open watch", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=200&lang=de"))
	b.waitFor(t, "the video is at 200 s", `Math.abs(document.getElementById('player').currentTime - 200) < 0.5`)
	b.run(t, "seek to cue 20", chromedp.Click(chromedp.CSS("#cue-20 a")))
	b.run(t, "pause", chromedp.Evaluate[chromedp.Void](`document.getElementById('player').pause()`))
	at := eval[float64](t, b, `document.getElementById('player').currentTime`)
	b.run(t, "switch to English", chromedp.Evaluate[chromedp.Void](`window.__samePage = true`), chromedp.Click(chromedp.CSS(`.track-langs a[hreflang="en"]`)))
	b.waitFor(t, "the English transcript is in the page at the same moment", fmt.Sprintf(`(() => {
		const v = document.getElementById('player');
		return v && v.dataset.lang === 'en' && v.readyState >= 1 && Math.abs(v.currentTime - %f) < 0.6;
	})()`, at))
	if lang := eval[string](t, b, `document.getElementById('transcript').lang`); lang != "en" {
		t.Errorf("transcript lang = %q after switching; want en", lang)
	}
	if !eval[bool](t, b, `window.__samePage === true`) {
		t.Error("the language switch reloaded the page")
	}
	b.waitFor(t, "English cues are loaded", `document.querySelector('#transcript li.current a.cue-time').getAttribute('href').includes('lang=en')`)
	b.clean(t)
}

func copyLinkToMoment(t *testing.T, b *browser, d demo) {
	b.run(t, "copy", chromedp.Click(chromedp.ID("copy-link")))
	b.waitFor(t, "the status names the link", `document.getElementById('copy-status').textContent.includes('/watch/hrc47-side-event?t=')`)
	status := eval[string](t, b, `document.getElementById('copy-status').textContent`)
	if !strings.Contains(status, "lang=en") {
		t.Errorf("copy status = %q; want a link in English", status)
	}
}

func endStopsPlayback(t *testing.T, b *browser, d demo) {
	b.run(t, "open a passage", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=95&end=96.5&lang=de"))
	b.waitFor(t, "the video is at 95 s", `Math.abs(document.getElementById('player').currentTime - 95) < 0.5`)
	if n := eval[int](t, b, `document.querySelectorAll('#transcript li.in-range').length`); n < 1 {
		t.Error("no transcript cue is marked as inside the passage")
	}
	if n := eval[int](t, b, `document.querySelectorAll('#timeline .tl-range').length`); n != 1 {
		t.Errorf("timeline has %d range marks; want 1", n)
	}
	b.run(t, "play", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.getElementById('player'); v.muted = true; v.play(); })()`))
	b.waitFor(t, "playback stopped at 96.5 s", `(() => { const v = document.getElementById('player'); return v.paused && Math.abs(v.currentTime - 96.5) < 0.3; })()`)
	b.clean(t)
}

func searchFromHome(t *testing.T, b *browser, d demo) {
	b.run(t, "search from home",
		chromedp.Navigate(d.url+"/?ui=en"),
		chromedp.SendKeys(chromedp.ID("home-q"), "milestone"),
		chromedp.Click(chromedp.CSS(".big-search button")),
		chromedp.WaitVisible(chromedp.CSS(".hit-link")),
	)
	b.clean(t)
	b.run(t, "open the first result", chromedp.Click(chromedp.CSS(".hit-link")), chromedp.WaitVisible(chromedp.ID("transcript")))
	if path := eval[string](t, b, "location.pathname"); path != "/watch/istac-launch" {
		t.Fatalf("first result opened %s; want /watch/istac-launch", path)
	}
	b.waitFor(t, "the video is at 45.5 s", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 45.5) < 0.5; })()`)
	// The name shows where the turn starts; every line carries its speaker.
	cur := eval[string](t, b, `(() => { const li = document.querySelector('#transcript li.current'); return li.dataset.speaker + ': ' + li.textContent; })()`)
	if !strings.Contains(cur, "Per-Anders Sunesson") || !strings.Contains(cur, "milestone") {
		t.Errorf("highlighted cue = %q; want Sunesson's milestone", cur)
	}
	if n := eval[int](t, b, `document.querySelectorAll('#timeline .tl-mark').length`); n < 1 {
		t.Error("the watch page marks no search matches on its timeline")
	}
	b.clean(t)
}

func takeScreenshots(t *testing.T, b *browser, d demo) {
	dir := screenshotDir(t)
	pages := []struct{ name, path string }{
		{"home", "/?ui=en"},
		{"watch", "/watch/hrc47-side-event?t=95&lang=de&ui=en"},
		{"search", "/search?q=milestone&ui=en"},
		{"search-many", "/search?q=trafficking&ui=de"},
		{"watch-from-search", "/watch/istac-launch?t=45.5&lang=fr&q=traite&ui=fr"},
	}
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)
		for _, p := range pages {
			b.run(t, "open "+p.name, chromedp.Navigate(d.url+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
			if strings.HasPrefix(p.name, "watch") {
				b.waitFor(t, "the video is at its moment", `(() => { const v = document.getElementById('player'); return Math.abs(v.currentTime - parseFloat(v.dataset.start)) < 0.5; })()`)
			}
			b.screenshot(t, dir, p.name+"-"+vp.name)
			for _, e := range eval[[]string](t, b, unlabelled) {
				t.Errorf("%s: control without an accessible name: %s", p.name, e)
			}
			if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > int(vp.w) {
				t.Errorf("%s at %s width scrolls sideways: %d px wide", p.name, vp.name, w)
			}
		}
	}
	b.run(t, "reset viewport", chromedp.ResetViewport())
	t.Logf("screenshots saved in %s", dir)
}

func worksWithoutJavaScript(t *testing.T, b *browser, d demo) {
	setScripts := func(disabled bool) {
		if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: disabled}); err != nil {
			t.Fatalf("script execution disabled=%v: %v", disabled, err)
		}
	}
	setScripts(true)
	defer setScripts(false)
	b.run(t, "open watch", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=95&lang=de"))
	if !eval[bool](t, b, `document.getElementById('copy-link').hidden`) {
		t.Error("the copy button shows without JavaScript; it cannot work there")
	}
	target := eval[string](t, b, `document.querySelector('#cue-20').dataset.start`)
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("#cue-20 a")))); err != nil {
		t.Fatalf("follow cue 20: %v", err)
	}
	if q := eval[string](t, b, "location.search"); !strings.Contains(q, "t="+target) || !strings.Contains(q, "lang=de") {
		t.Errorf("cue link led to %q; want t=%s&lang=de", q, target)
	}
	if !eval[bool](t, b, `document.querySelector('#cue-20').classList.contains('current')`) {
		t.Error("the page at the cue's moment does not mark that cue")
	}
}

// unlabelled lists the operable elements a screen reader could not name.
const unlabelled = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, button, a[href], video'))
	.filter(e => !e.closest('[aria-hidden="true"]') && !e.hidden)
	.filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.textContent.trim() || e.getAttribute('title')))
	.map(e => e.outerHTML.slice(0, 120))`

// hostileTTML is a track whose speaker name and cue text are markup; a
// page that renders them as HTML would run the script or load the image.
const hostileTTML = `<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xml:lang="en">
  <head><metadata>
    <ttm:agent xml:id="evil" type="person"><ttm:name type="full">Mallory &lt;img src=x onerror=alert('speaker')&gt;</ttm:name></ttm:agent>
  </metadata></head>
  <body><div>
    <p begin="00:00:01.000" end="00:00:04.000" ttm:agent="evil">zyxquote &lt;script&gt;alert('cue')&lt;/script&gt; and &lt;img src=x onerror=alert('cue-img')&gt; done</p>
    <p begin="00:00:05.000" end="00:00:08.000" ttm:agent="evil">second zyxquote &lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;</p>
  </div></body>
</tt>`

const hostileTitle = `Hostile <script>alert('title')</script><img src=x onerror=alert('title-img')>`

// addHostile stores a published recording whose title, speaker and cues
// carry script, through the same Service the API uses.
func addHostile(t *testing.T, svc *archive.Service) {
	t.Helper()
	ctx := context.Background()
	_, _, err := svc.Create(ctx, admin, archive.RecordingInput{
		ID: "hostile", Title: hostileTitle, Event: `Event <img src=x onerror=alert('event')>`,
		Date: "2026-01-02", Place: `<script>alert('place')</script>`, Status: archive.StatusPublished,
		Description: `<script>alert('description')</script>`,
	})
	if err != nil {
		t.Fatalf("create the hostile recording: %v", err)
	}
	if _, err := svc.PutTrack(ctx, admin, "hostile", archive.TrackUpload{Lang: "en", Name: "en.ttml", Data: []byte(hostileTTML)}); err != nil {
		t.Fatalf("upload the hostile track: %v", err)
	}
}

// inert checks that the page shows the hostile strings as text and that
// none of them became an element.
func (b *browser) inert(t *testing.T, wantText ...string) {
	t.Helper()
	text := eval[string](t, b, "document.body.innerText")
	for _, w := range wantText {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the page does not show %q as text", eval[string](t, b, "location.pathname"), w)
		}
	}
	injected := eval[[]string](t, b, `Array.from(document.querySelectorAll('img, script:not([src]), b, [onerror], [onmouseover]')).map(e => e.outerHTML)`)
	for _, e := range injected {
		t.Errorf("%s: injected element in the DOM: %s", eval[string](t, b, "location.pathname"), e)
	}
	// Only the archive's own scripts: app.js, and on the watch page quote.js.
	want := []string{"app"}
	if strings.HasPrefix(eval[string](t, b, "location.pathname"), "/watch/") {
		want = append(want, "quote")
	}
	got := eval[[]string](t, b, `Array.from(document.scripts).map(s => (s.getAttribute('src') || 'inline').replace(/^\/static\/([a-z]+)\.[^\/]+\.js$/, '$1'))`)
	if !slices.Equal(got, want) {
		t.Errorf("the page has the scripts %q; want %q", got, want)
	}
	b.clean(t)
}

// hostileIsInert opens home, watch and search on a recording full of
// markup: every string shows as text, nothing runs.
func hostileIsInert(t *testing.T, b *browser, d demo) {
	addHostile(t, d.svc)
	b.run(t, "open home", chromedp.Navigate(d.url+"/?ui=en"), chromedp.WaitVisible(chromedp.CSS(".card")))
	b.inert(t, hostileTitle, `Event <img src=x onerror=alert('event')>`, "Mallory <img src=x onerror=alert('speaker')>")

	b.run(t, "open watch", chromedp.Navigate(d.url+"/watch/hostile?lang=en&t=1&q=zyxquote"), chromedp.WaitVisible(chromedp.ID("transcript")))
	b.inert(t, hostileTitle, "zyxquote <script>alert('cue')</script> and <img src=x onerror=alert('cue-img')> done",
		"Mallory <img src=x onerror=alert('speaker')>", "<script>alert('description')</script>")

	b.run(t, "search", chromedp.Navigate(d.url+"/search?q=zyxquote"), chromedp.WaitVisible(chromedp.CSS(".hit-link")))
	b.inert(t, hostileTitle, "zyxquote <script>alert('cue')</script>", "Mallory <img src=x onerror=alert('speaker')>")
	if n := eval[int](t, b, `document.querySelectorAll('.hit-text mark').length`); n < 1 {
		t.Error("search shows no highlighted match for zyxquote")
	}
}
