package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestBrowserEmbedFramedElsewhere: a page of another origin (a second
// server, as a newspaper's site would be) frames a quote's embed and the
// watch page. The embed loads and its video stands at the quote's start,
// with the quote's captions showing; the watch page is refused by the
// browser (frame-ancestors 'none'), its frame left on Chromium's error
// document.
func TestBrowserEmbedFramedElsewhere(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	// The German cue of 90.4–96.1 s (see watchOpensAtMoment).
	q, err := d.svc.CreateQuote(context.Background(), archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc47-side-event", Lang: "de", StartMS: 90400, EndMS: 96100})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Elsewhere</title><p>A newspaper's article quoting the side event.</p>
<iframe id="embed" src="%s/embed/%s" width="640" height="360" title="Quote" onload="this.dataset.loaded = 1"></iframe>
<iframe id="watch" src="%s/watch/hrc47-side-event" width="640" height="360" title="Watch" onload="this.dataset.loaded = 1"></iframe>`,
			d.url, q.ID, d.url)
	}))
	t.Cleanup(elsewhere.Close)

	b.run(t, "open the other site's page", chromedp.Navigate(elsewhere.URL))
	b.waitFor(t, "both frames have loaded", `document.querySelectorAll('iframe[data-loaded]').length === 2`)
	frames := map[string]*chromedp.Node{}
	for _, id := range []string{"embed", "watch"} {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#"+id)))
		cancel()
		if err != nil || len(nodes) != 1 {
			t.Fatalf("iframe #%s: %v %v", id, nodes, err)
		}
		frames[id] = nodes[0]
	}
	depth, pierce := int64(1), true
	docURL := func(n *chromedp.Node) string {
		t.Helper()
		res, err := chromedp.Call(b.ctx, dom.DescribeNode, dom.DescribeNodeParams{NodeID: n.NodeID, Depth: &depth, Pierce: &pierce})
		if err != nil {
			t.Fatalf("describe the iframe: %v", err)
		}
		if res.Node.ContentDocument == nil {
			return ""
		}
		return res.Node.ContentDocument.DocumentURL
	}
	if got, want := docURL(frames["embed"]), d.url+"/embed/"+q.ID; got != want {
		t.Fatalf("the embed's frame holds %q; want %q (was it refused?)", got, want)
	}
	if got := docURL(frames["watch"]); got == d.url+"/watch/hrc47-side-event" {
		t.Errorf("the watch page was framed by another origin (frame holds %q); want it refused", got)
	}

	// Inside the embed's frame (same site, other origin: one process, so
	// queries reach into it): the video at the quote's start, its captions
	// showing, the link back to the quote page.
	in := chromedp.FromNode(frames["embed"])
	var cur float64
	var ready int
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	for {
		r, err := chromedp.Run(ctx, chromedp.JavascriptAttribute[int](chromedp.CSS("#clip"), "readyState", in))
		if err != nil {
			t.Fatalf("the embed's video: %v", err)
		}
		c, err := chromedp.Run(ctx, chromedp.JavascriptAttribute[float64](chromedp.CSS("#clip"), "currentTime", in))
		if err != nil {
			t.Fatalf("the embed's video: %v", err)
		}
		ready, cur = r, c
		if ready >= 1 && math.Abs(cur-90.4) < 0.5 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the embed's video never stood at 90.4 s: readyState %d, currentTime %.2f", ready, cur)
		case <-time.After(100 * time.Millisecond):
		}
	}
	src, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#clip track"), "src", in))
	if err != nil || src.Value != "/q/"+q.ID+"/captions.vtt" {
		t.Errorf("the embed's track = %q, %v; want the quote's captions", src.Value, err)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".bar a"), "href", in))
	if err != nil || href.Value != "/q/"+q.ID {
		t.Errorf("the embed's link = %q, %v; want the quote page", href.Value, err)
	}
	b.screenshot(t, screenshotDir(t), "embed-framed-elsewhere")
	b.clean(t)
}
