package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Page-weight budget (README, "Page weight"): what a first visit to each
// viewer page downloads — its HTML plus every stylesheet and script it
// links — raw and gzipped. No web fonts, no framework.
const (
	pageBudgetRaw  = 120 << 10
	pageBudgetGzip = 30 << 10
)

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+\.(?:css|js))"`)

func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

func TestPageWeightBudget(t *testing.T) {
	srv := demoHandler(t)
	q, err := srv.svc.CreateQuote(context.Background(), archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc47-side-event", Lang: "en", StartMS: 95000, EndMS: 101000})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/watch/hrc47-side-event?t=95&lang=en", "/search?q=trafficking", "/q/" + q.ID, "/embed/" + q.ID, "/embed/watch/hrc47-side-event?t=95"} {
		r := serveZ(srv, path, "Accept-Language", "de")
		html, _ := io.ReadAll(r.Body)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, r.StatusCode)
		}
		raw, zipped := len(html), gzipSize(t, html)
		refs := assetRef.FindAllSubmatch(html, -1)
		if len(refs) == 0 {
			t.Fatalf("GET %s links no stylesheet or script", path)
		}
		for _, m := range refs {
			a := serveZ(srv, string(m[1]))
			b, _ := io.ReadAll(a.Body)
			if a.StatusCode != http.StatusOK {
				t.Fatalf("GET %s (from %s) = %d", m[1], path, a.StatusCode)
			}
			raw += len(b)
			zipped += gzipSize(t, b)
		}
		t.Logf("%s: %d bytes raw, %d gzipped (HTML + %d assets)", path, raw, zipped, len(refs))
		if raw > pageBudgetRaw || zipped > pageBudgetGzip {
			t.Errorf("%s weighs %d bytes raw, %d gzipped; budget %d raw, %d gzipped", path, raw, zipped, pageBudgetRaw, pageBudgetGzip)
		}
	}
}
