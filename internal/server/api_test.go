package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestWritesNeedToken(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	tests := []struct {
		method, path, token string
		body                any
		want                int
	}{
		{"POST", "/api/v1/recordings", "", map[string]string{"id": "x", "title": "X"}, http.StatusUnauthorized},
		{"POST", "/api/v1/recordings", "vbt_not-a-real-token", map[string]string{"id": "x", "title": "X"}, http.StatusUnauthorized},
		{"PATCH", "/api/v1/recordings/r", "", map[string]string{"title": "Y"}, http.StatusUnauthorized},
		{"DELETE", "/api/v1/recordings/r", "", nil, http.StatusUnauthorized},
		{"PUT", "/api/v1/recordings/r/media", "", "data", http.StatusUnauthorized},
		{"PUT", "/api/v1/recordings/r/tracks/en", "", "WEBVTT\n", http.StatusUnauthorized},
		{"DELETE", "/api/v1/recordings/r/tracks/en", "", nil, http.StatusUnauthorized},
		{"GET", "/api/v1/recordings", "vbt_wrong", nil, http.StatusUnauthorized},
		{"GET", "/api/v1/recordings", "", nil, http.StatusOK},
	}
	for _, tt := range tests {
		resp := ts.do(t, tt.method, tt.path, tt.token, tt.body)
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s (token %q) = %d; want %d", tt.method, tt.path, tt.token, resp.StatusCode, tt.want)
			continue
		}
		if tt.want == http.StatusUnauthorized {
			e := decode[apiError](t, resp)
			if e.Error.Code != "unauthorized" || e.Error.Message == "" || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 body %+v, WWW-Authenticate %q; want code unauthorized, a message and the header", tt.method, tt.path, e, resp.Header.Get("WWW-Authenticate"))
			}
		}
	}
	// With the token, create, patch and delete work.
	resp := ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]string{"id": "x", "title": "X"})
	wantStatus(t, resp, http.StatusCreated)
	if loc := resp.Header.Get("Location"); loc != "/api/v1/recordings/x" {
		t.Errorf("create Location = %q", loc)
	}
	resp = ts.do(t, "PATCH", "/api/v1/recordings/x", ts.token, map[string]string{"title": "Y"}, "If-Match", resp.Header.Get("ETag"))
	wantStatus(t, resp, http.StatusOK)
	wantStatus(t, ts.do(t, "DELETE", "/api/v1/recordings/x", ts.token, nil), http.StatusNoContent)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/x", ts.token, nil), http.StatusNotFound)
}

func TestPatchSameETagTwice(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	resp := ts.do(t, "GET", "/api/v1/recordings/r", "", nil)
	wantStatus(t, resp, http.StatusOK)
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag %q is not a quoted entity tag", etag)
	}
	first := ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, map[string]string{"title": "First"}, "If-Match", etag)
	wantStatus(t, first, http.StatusOK)
	if first.Header.Get("ETag") == etag {
		t.Errorf("PATCH kept the ETag %s; want a new one", etag)
	}
	second := ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, map[string]string{"title": "Second"}, "If-Match", etag)
	wantStatus(t, second, http.StatusPreconditionFailed)
	if e := decode[apiError](t, second); e.Error.Code != "precondition_failed" {
		t.Errorf("second PATCH error code = %q; want precondition_failed", e.Error.Code)
	}
	noETag := ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, map[string]string{"title": "Blind"})
	wantStatus(t, noETag, http.StatusPreconditionFailed)
	rec := decode[archive.Recording](t, ts.do(t, "GET", "/api/v1/recordings/r", "", nil))
	if rec.Title != "First" {
		t.Errorf("after two PATCHes with one ETag Title = %q; want First", rec.Title)
	}
	notModified := ts.do(t, "GET", "/api/v1/recordings/r", "", nil, "If-None-Match", first.Header.Get("ETag"))
	wantStatus(t, notModified, http.StatusNotModified)
}

func TestDraftsInvisibleToViewers(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "pub")
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]string{"id": "draft", "title": "D"}), http.StatusCreated)

	list := func(token string) []string {
		resp := ts.do(t, "GET", "/api/v1/recordings", token, nil)
		wantStatus(t, resp, http.StatusOK)
		var ids []string
		for _, r := range decode[struct{ Recordings []archive.Recording }](t, resp).Recordings {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got := strings.Join(list(""), ","); got != "pub" {
		t.Errorf("anonymous list = %s; want pub", got)
	}
	if got := strings.Join(list(ts.token), ","); got != "pub,draft" { // newest event first; undated last
		t.Errorf("editor list = %s; want pub,draft", got)
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/draft", "", nil), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/draft", ts.token, nil), http.StatusOK)
}

func TestBadInput(t *testing.T) {
	ts := newTestServer(t, nil)
	tests := []struct {
		name, method, path string
		body               any
		want               int
		code               string
	}{
		{"unknown field", "POST", "/api/v1/recordings", map[string]string{"id": "x", "titel": "typo"}, 400, "invalid"},
		{"bad id", "POST", "/api/v1/recordings", map[string]string{"id": "../x", "title": "X"}, 400, "invalid"},
		{"no content type", "POST", "/api/v1/recordings", "{", 415, "unsupported_format"},
		{"missing", "GET", "/api/v1/recordings/nope", nil, 404, "not_found"},
		{"bad page", "GET", "/api/v1/search?q=x&page=zero", nil, 400, "invalid"},
		{"no route", "GET", "/api/v1/nothing", nil, 404, "not_found"},
	}
	for _, tt := range tests {
		resp := ts.do(t, tt.method, tt.path, ts.token, tt.body)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %s %s = %d; want %d", tt.name, tt.method, tt.path, resp.StatusCode, tt.want)
			continue
		}
		if e := decode[apiError](t, resp); e.Error.Code != tt.code || e.Error.Message == "" {
			t.Errorf("%s: error %+v; want code %q and a message", tt.name, e.Error, tt.code)
		}
	}
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]string{"id": "dup", "title": "X"}), 201)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]string{"id": "dup", "title": "X"}), 409)
}

func TestHealth(t *testing.T) {
	ts := newTestServer(t, nil)
	wantStatus(t, ts.do(t, "GET", "/healthz", "", nil), http.StatusOK)
	type ready struct {
		Status string
		Checks map[string]archive.Check
	}
	r := decode[ready](t, ts.do(t, "GET", "/readyz", "", nil))
	if r.Status != "ok" || !r.Checks["storage"].OK || !r.Checks["index"].OK {
		t.Errorf("readyz = %+v; want ok with storage and index ok", r)
	}
	ts.index.SetDown(true)
	resp := ts.do(t, "GET", "/readyz", "", nil)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	r = decode[ready](t, resp)
	if r.Status != "unavailable" || r.Checks["index"].OK || r.Checks["index"].Error == "" || !r.Checks["storage"].OK {
		t.Errorf("readyz with index down = %+v; want index failing with an error, storage ok", r)
	}
}
