package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serveZ(h http.Handler, path string, headers ...string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return out
}

func TestGzipPagesAndAssetsNotMediaOrRanges(t *testing.T) {
	srv := demoHandler(t)
	plain := serveZ(srv, "/", "Accept-Language", "en")
	plainBody, _ := io.ReadAll(plain.Body)
	if plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("GET / without Accept-Encoding: Content-Encoding %q; want none", plain.Header.Get("Content-Encoding"))
	}
	if vary := strings.Join(plain.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Encoding") {
		t.Errorf("GET / Vary = %q; want Accept-Encoding", vary)
	}
	zipped := serveZ(srv, "/", "Accept-Language", "en", "Accept-Encoding", "br;q=1, gzip;q=0.8")
	zbody, _ := io.ReadAll(zipped.Body)
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET / with gzip: Content-Encoding %q; want gzip", zipped.Header.Get("Content-Encoding"))
	}
	if got := gunzip(t, zbody); !bytes.Equal(got, plainBody) {
		t.Errorf("gunzipped home (%d bytes) differs from the plain one (%d bytes)", len(got), len(plainBody))
	}
	if len(zbody)*2 > len(plainBody) {
		t.Errorf("home gzipped to %d of %d bytes; want less than half", len(zbody), len(plainBody))
	}
	if off := serveZ(srv, "/", "Accept-Encoding", "gzip;q=0"); off.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still compressed")
	}

	css := regexp.MustCompile(`/static/[^"]+\.css`).FindString(string(plainBody))
	if css == "" {
		t.Fatal("no stylesheet linked from the home page")
	}
	a := serveZ(srv, css)
	z := serveZ(srv, css, "Accept-Encoding", "gzip")
	if z.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s: Content-Encoding %q; want gzip", css, z.Header.Get("Content-Encoding"))
	}
	if a.Header.Get("ETag") == "" || a.Header.Get("ETag") == z.Header.Get("ETag") {
		t.Errorf("ETags plain %q, gzip %q; want two different strong ETags", a.Header.Get("ETag"), z.Header.Get("ETag"))
	}
	for _, tc := range []struct{ etag, enc string }{{z.Header.Get("ETag"), "gzip"}, {a.Header.Get("ETag"), ""}} {
		r := serveZ(srv, css, "Accept-Encoding", tc.enc, "If-None-Match", tc.etag)
		if r.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s If-None-Match %s (Accept-Encoding %q) = %d; want 304", css, tc.etag, tc.enc, r.StatusCode)
		}
		if r.Header.Get("ETag") != tc.etag {
			t.Errorf("304 ETag = %q; want %q", r.Header.Get("ETag"), tc.etag)
		}
	}
	if r := serveZ(srv, css, "Accept-Encoding", "gzip", "Range", "bytes=0-9"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("range request compressed (status %d)", r.StatusCode)
	}
	if r := serveZ(srv, "/media/hrc47-side-event", "Accept-Encoding", "gzip"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("media compressed (status %d)", r.StatusCode)
	}
	if r := serveZ(srv, "/api/v1/recordings", "Accept-Encoding", "gzip"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("JSON list: Content-Encoding %q; want gzip", r.Header.Get("Content-Encoding"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.000": false,
		"gzip;q=0.001": true, "*": true, "br": false, "x-gzip": true, "identity": false,
	} {
		if got := acceptsGzip(in); got != want {
			t.Errorf("acceptsGzip(%q) = %v; want %v", in, got, want)
		}
	}
}
