package server_test

import (
	"net/http"
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
		get := ts.do(t, "GET", path, "", nil)
		head := ts.do(t, "HEAD", path, "", nil)
		if get.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d; want 200", path, get.StatusCode)
		}
		if head.StatusCode != get.StatusCode {
			t.Errorf("HEAD %s = %d; GET gives %d", path, head.StatusCode, get.StatusCode)
		}
		for _, h := range []string{"Content-Type", "ETag"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("HEAD %s %s = %q; GET gives %q", path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
		if body := readAll(t, head); len(body) != 0 {
			t.Errorf("HEAD %s sent a %d-byte body", path, len(body))
		}
	}
}
