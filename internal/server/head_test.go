package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeadAnswersLikeGet: every read route answers HEAD with GET's status
// and headers and no body.
func TestHeadAnswersLikeGet(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	for _, path := range []string{
		"/", "/search?q=x", "/watch/r", "/healthz", "/readyz",
		"/api/v1/recordings", "/api/v1/recordings/r", "/api/v1/search?q=title",
	} {
		// The same Accept-Encoding for both: Go's client asks GETs for gzip
		// on its own, and a gzipped body has its own ETag.
		get := ts.do(t, "GET", path, "", nil, "Accept-Encoding", "gzip")
		head := ts.do(t, "HEAD", path, "", nil, "Accept-Encoding", "gzip")
		if get.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d; want 200", path, get.StatusCode)
		}
		if head.StatusCode != get.StatusCode {
			t.Errorf("HEAD %s = %d; GET gives %d", path, head.StatusCode, get.StatusCode)
		}
		for _, h := range []string{"Content-Type", "ETag", "Content-Encoding", "Vary"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("HEAD %s %s = %q; GET gives %q", path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
		if body := readAll(t, head); len(body) != 0 {
			t.Errorf("HEAD %s sent a %d-byte body", path, len(body))
		}
	}
}

// TestUnknownPathIsAPageForBrowsers: a browser that follows a bad link gets
// the 404 page in its language; an API client gets the JSON error.
func TestUnknownPathIsAPageForBrowsers(t *testing.T) {
	ts := newTestServer(t, nil)
	page := ts.do(t, "GET", "/no/such/page", "", nil, "Accept", "text/html,application/xhtml+xml", "Accept-Language", "de")
	wantStatus(t, page, http.StatusNotFound)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("browser 404 Content-Type = %q; want text/html", ct)
	}
	if body := string(readAll(t, page)); !strings.Contains(body, `<html lang="de">`) {
		t.Errorf("browser 404 is not the German error page:\n%.300s", body)
	}
	api := ts.do(t, "GET", "/api/v1/no-such", "", nil, "Accept", "text/html")
	wantStatus(t, api, http.StatusNotFound)
	if e := decode[apiError](t, api); e.Error.Code != "not_found" {
		t.Errorf("API 404 code = %q; want not_found", e.Error.Code)
	}
}
