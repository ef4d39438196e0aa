package server

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestBrowserQuotePagePlayerAndCitation: at both screen sizes the quote page's video opens
// at the quote's start and pauses at its end, the citation copies, and
// nothing on the page breaks the Content-Security-Policy (the JSON-LD is
// a data block, not script).
func TestBrowserQuotePagePlayerAndCitation(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)
	q, err := d.svc.CreateQuote(context.Background(), archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc47-side-event", Lang: "en", StartMS: 95000, EndMS: 96500})
	if err != nil {
		t.Fatal(err)
	}
	b.grantClipboard(t, d.url)
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)
		b.run(t, "open the quote", chromedp.Navigate(d.url+"/q/"+q.ID+"?ui=en"))
		if got := eval[[]string](t, b, `(() => { const v = document.getElementById('player'); return [v.dataset.start, v.dataset.end]; })()`); len(got) != 2 || got[0] != "95" || got[1] != "96.5" {
			t.Errorf("%s: the video's data-start, data-end = %v; want 95, 96.5", vp.name, got)
		}
		b.waitFor(t, "the video is at the quote's start", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 95) < 0.3; })()`)
		b.run(t, "play", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.getElementById('player'); v.muted = true; v.play(); })()`))
		b.waitFor(t, "playback paused at the quote's end", `(() => { const v = document.getElementById('player'); return v.paused && Math.abs(v.currentTime - 96.5) < 0.3; })()`)
		b.viewShot(t, dir, "quote-"+vp.name)
		b.clean(t)
	}
	b.use(t, desktop)
	b.run(t, "copy the APA citation", chromedp.Click(chromedp.CSS(`button.cite-copy[data-for="cite-apa"]`)))
	b.waitFor(t, "the status says copied", `document.getElementById('cite-status').textContent === 'Citation copied.'`)
	clip := b.clipboard(t)
	want := eval[string](t, b, `document.getElementById('cite-apa').value`)
	if clip != want || !strings.Contains(clip, "/watch/hrc47-side-event?lang=en&t=95&end=96.5") || !strings.Contains(clip, "Retrieved ") || !strings.Contains(clip, "illustrative sample") {
		t.Errorf("clipboard after copying APA = %q; want the APA citation %q with the moment's link, labelled a sample", clip, want)
	}
	b.clean(t)
}
