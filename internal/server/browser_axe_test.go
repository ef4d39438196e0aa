package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The viewer pages are checked with axe-core, the accessibility engine
// browsers' own audits use. It is a test-only dependency: .ci/run installs
// the npm package outside the clone and names its axe.min.js in
// VERBATIM_AXE; the test loads it into the page it checks, never into what
// the server serves.

// axeSource reads the axe-core script VERBATIM_AXE names, or the one
// .ci/run installs in the user cache; it skips the test when there is
// none (and fails where the browser tests must run).
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("VERBATIM_AXE")
	if home, err := os.UserHomeDir(); path == "" && err == nil {
		cached := filepath.Join(home, ".cache", "verbatim", "axe", "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(cached); err == nil {
			path = cached
		}
	}
	if path == "" {
		if os.Getenv("VERBATIM_REQUIRE_BROWSER") != "" {
			t.Fatal("VERBATIM_REQUIRE_BROWSER is set but there is no axe-core: install it as .ci/run does (npm install --prefix ~/.cache/verbatim/axe axe-core@4.14.1) or name its axe.min.js in VERBATIM_AXE")
		}
		t.Skip("VERBATIM_AXE is not set (npm install --prefix ~/.cache/verbatim/axe axe-core@4.14.1, then VERBATIM_AXE=~/.cache/verbatim/axe/node_modules/axe-core/axe.min.js)")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("VERBATIM_AXE: %v", err)
	}
	if !strings.Contains(string(src), "axe") {
		t.Fatalf("VERBATIM_AXE=%s does not look like axe-core", path)
	}
	return string(src)
}

// axeViolation is the part of an axe-core result a failure names.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeResult is what a failure names, and the rules that passed.
type axeResult struct {
	Violations []axeViolation `json:"violations"` // serious and critical only
	Passes     []string       `json:"passes"`
}

// axeRun loads axe-core into the open page (once per document) and
// returns its serious and critical violations.
func (b *browser) axeRun(t *testing.T, src string) []axeViolation {
	t.Helper()
	return b.axeCheck(t, src).Violations
}

// axeCheck runs axe-core on the open page.
func (b *browser) axeCheck(t *testing.T, src string) axeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.axe ? undefined : (0, eval)(`+jsString(src)+`)`)); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify({
		violations: r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical'),
		passes: r.passes.map(p => p.id),
	}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("axe.run result: %v", err)
	}
	return res
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n\t\t%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// axePages are the viewer pages axe checks, by name, with a quote page
// the test makes; the interface language is added to each.
var axePages = []struct{ name, path string }{
	{"home", "/"},
	{"watch", "/watch/hrc47-side-event?t=95&lang=de"},
	{"watch-from-search", "/watch/istac-launch?t=45.5&lang=fr&q=traite"},
	{"search", "/search?q=trafficking"},
	{"search-none", "/search?q=zzyzxqwv"},
	{"search-filtered", "/search?q=trafficking&lang=en&speaker=Tobias+Lorentzson"},
	{"search-near", "/search?q=traite"},
	{"not-found", "/watch/no-such-recording"},
	{"event", "/events/" + archive.EventSlug("OSCE/ODIHR launch of ISTAC")},
}

// TestBrowserAxe: axe-core finds no serious or critical violation on the
// viewer pages (home, watch, search with hits, with none, with filters
// and with near spellings, an event, a quote, a page not found, the
// embeds), in every interface language, at desktop and phone size.
func TestBrowserAxe(t *testing.T) {
	src := axeSource(t)
	b := newBrowser(t)
	d := startDemo(t)
	q, err := d.svc.CreateQuote(context.Background(), archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc47-side-event", Lang: "de", StartMS: 90_400, EndMS: 101_000})
	if err != nil {
		t.Fatalf("quote: %v", err)
	}
	pages := append(slices.Clone(axePages), []struct{ name, path string }{
		{"quote", "/q/" + q.ID},
		{"embed-quote", "/embed/" + q.ID},
		{"embed-watch", "/embed/watch/hrc47-side-event?t=95&lang=en"},
	}...)
	dir := screenshotDir(t)
	axeCanFail(t, b, d, src)
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)
		for _, ui := range []string{"en", "fr", "es", "de"} {
			for _, p := range pages {
				name := fmt.Sprintf("axe-%s-%s-%s", p.name, ui, vp.name)
				sep := "?"
				if strings.Contains(p.path, "?") {
					sep = "&"
				}
				b.run(t, "open "+name, chromedp.Navigate(d.url+p.path+sep+"ui="+ui), chromedp.WaitVisible(chromedp.CSS("body")))
				if strings.HasPrefix(p.name, "watch") {
					b.waitFor(t, "the video is at its moment", `(() => { const v = document.getElementById('player'); return Math.abs(v.currentTime - parseFloat(v.dataset.start)) < 0.5; })()`)
				}
				res := b.axeCheck(t, src)
				for _, v := range res.Violations {
					t.Errorf("%s: %s", name, v)
				}
				// axe cannot tell whether subtitles are captions, and
				// leaves a video without a captions track for review
				// (video-caption, critical): it must pass outright.
				// An embed carries one language, captions only when it is
				// the floor's.
				if eval[bool](t, b, `document.querySelector('video') !== null`) && !strings.HasPrefix(p.name, "embed") && !slices.Contains(res.Passes, "video-caption") {
					t.Errorf("%s: the video has no captions track axe accepts (video-caption did not pass)", name)
				}
				if ui == "en" || ui == "de" {
					b.screenshot(t, dir, name)
				}
			}
		}
	}
	b.run(t, "reset viewport", chromedp.ResetViewport())
}

// axeCanFail: on a page spoiled on purpose (an image with no text, grey
// on grey, a field with no label) the check reports each, so a clean
// result elsewhere means the pages are clean, not that axe did not run.
func axeCanFail(t *testing.T, b *browser, d demo, src string) {
	t.Helper()
	b.run(t, "open home", chromedp.Navigate(d.url+"/?ui=en"), chromedp.WaitVisible(chromedp.CSS("main")))
	b.run(t, "spoil the page", chromedp.Evaluate[chromedp.Void](`(() => {
		const m = document.querySelector('main');
		const img = document.createElement('img');
		img.src = '/static/icon.svg';
		const p = document.createElement('p');
		p.textContent = 'grey';
		p.style.color = '#999';
		p.style.background = '#aaa';
		const input = document.createElement('input');
		input.type = 'text';
		m.append(img, p, input);
	})()`))
	got := map[string]bool{}
	for _, v := range b.axeRun(t, src) {
		got[v.ID] = true
	}
	for _, id := range []string{"image-alt", "color-contrast", "label"} {
		if !got[id] {
			t.Errorf("axe-core did not report %s on a page spoiled with it; got %v", id, got)
		}
	}
}
