package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// TestNotFoundIsOneShape: a draft a viewer may not see and a recording
// that does not exist answer alike (status, code and message) on every
// route, and no client-facing message holds a storage key or path.
func TestNotFoundIsOneShape(t *testing.T) {
	ts := newTestServer(t, nil)
	resp := ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": "draft", "title": "Draft"})
	wantStatus(t, resp, http.StatusCreated)
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/draft/tracks/en", ts.token, "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"), http.StatusCreated)
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/draft/media?name=a.mp4", ts.token, mediatest.Video(t), "Content-Type", "video/mp4"), http.StatusCreated)
	ts.published(t, "pub")

	paths := []string{
		"/api/v1/recordings/%s",
		"/api/v1/recordings/%s/tracks/en",
		"/api/v1/recordings/%s/tracks/en.srt",
		"/api/v1/recordings/%s/tracks/en.vtt",
		"/media/%s",
	}
	for _, p := range paths {
		draft := ts.do(t, "GET", strings.Replace(p, "%s", "draft", 1), "", nil)
		absent := ts.do(t, "GET", strings.Replace(p, "%s", "nonexist", 1), "", nil)
		d, a := decode[apiError](t, draft), decode[apiError](t, absent)
		if draft.StatusCode != http.StatusNotFound || absent.StatusCode != draft.StatusCode || d != a {
			t.Errorf("GET %s: draft %d %+v, absent %d %+v; want the same 404", p, draft.StatusCode, d, absent.StatusCode, a)
		}
		if d.Error.Code != "not_found" || d.Error.Message != "recording not found" {
			t.Errorf("GET %s: %+v; want not_found, \"recording not found\"", p, d)
		}
	}
	// The pages too: same status, same page (but for the links to itself).
	draft := ts.do(t, "GET", "/watch/draft", "", nil, "Accept", "text/html")
	absent := ts.do(t, "GET", "/watch/nonexist", "", nil, "Accept", "text/html")
	db, ab := readAll(t, draft), strings.ReplaceAll(string(readAll(t, absent)), "/watch/nonexist", "/watch/draft")
	if draft.StatusCode != http.StatusNotFound || absent.StatusCode != http.StatusNotFound || string(db) != ab {
		t.Errorf("/watch: draft %d, absent %d, same page %v; want 404 twice with one page", draft.StatusCode, absent.StatusCode, string(db) == ab)
	}

	// Known recording, missing parts: they may say what is missing, never
	// where it is stored.
	tests := []struct{ path, message string }{
		{"/api/v1/recordings/pub/tracks/fr", "track not found"},
		{"/media/pub", "media not found"},
		{"/api/v1/recordings/pub/tracks/en.doc", `no export format "doc" (vtt, srt, ttml, txt)`},
	}
	for _, tt := range tests {
		resp := ts.do(t, "GET", tt.path, "", nil)
		e := decode[apiError](t, resp)
		if resp.StatusCode != http.StatusNotFound || e.Error.Message != tt.message {
			t.Errorf("GET %s = %d %+v; want 404 %q", tt.path, resp.StatusCode, e, tt.message)
		}
	}
}

// TestErrorMessagesHideStorage: whatever fails, a client-facing message
// never names a storage key, path or adapter.
func TestErrorMessagesHideStorage(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "pub")
	ts.index.SetDown(true)
	checks := []struct{ method, path, token string }{
		{"GET", "/api/v1/recordings/nonexist", ts.token},
		{"DELETE", "/api/v1/recordings/nonexist", ts.token},
		{"PATCH", "/api/v1/recordings/nonexist", ts.token},
		{"GET", "/api/v1/recordings/nonexist/tracks/en", ts.token},
		{"GET", "/api/v1/recordings/pub/tracks/en/source", ts.token},
		{"DELETE", "/api/v1/recordings/pub/tracks/en", ts.token},
		{"GET", "/media/nonexist", ""},
		{"GET", "/api/v1/search?q=hello", ""},
	}
	for _, c := range checks {
		var body any
		header := []string{}
		if c.method == "PATCH" {
			body, header = map[string]string{"title": "x"}, []string{"If-Match", `"x"`}
		}
		resp := ts.do(t, c.method, c.path, c.token, body, header...)
		e := decode[apiError](t, resp)
		if resp.StatusCode < 400 || e.Error.Message == "" {
			t.Errorf("%s %s = %d %+v; want an error with a message", c.method, c.path, resp.StatusCode, e)
		}
		for _, leak := range []string{"recordings/", "manifest", ".json", "disk", "bleve", "archive:", "server:", "no such", "/tmp", "flaky"} {
			if strings.Contains(strings.ToLower(e.Error.Message), leak) {
				t.Errorf("%s %s: message %q gives away %q", c.method, c.path, e.Error.Message, leak)
			}
		}
	}
}
